"""The content profile in the md and HTML reports: languages, top domains, personal data, modality.

The sample's web-text is scanned with `--profile sample` by the real command; the reports are the real
`dbom report` output, and every figure they are expected to show is read from the DBOM itself.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from helpers import run_dbom, sample_manifest

import dbom
from dbom.compliance.report import render
from dbom.util.humanize import human_bytes


def _only_web_text(doc: dict[str, Any]) -> None:
    doc["datasets"] = [d for d in doc["datasets"] if d["name"] == "web-text"]


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    base = tmp_path_factory.mktemp("profile-report")
    out = base / "dbom.cdx.json"
    done = run_dbom("scan", "-c", str(sample_manifest(base / "m", _only_web_text)), "-o", str(out), "-q",
                    "--profile", "sample", env={"DBOM_CACHE_DIR": str(base / "cache")})  # module-wide: its own cache
    assert done.returncode == 0, done.stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    component = next(c for c in doc["components"] if c["name"] == "web-text")
    return out, {p["name"]: p["value"] for p in component["properties"]}


def _report(out: Path, fmt: str) -> str:
    target = out.with_suffix(f".{fmt}")
    done = run_dbom("report", str(out), "--format", fmt, "-o", str(target))
    assert done.returncode == 0, done.stderr
    return target.read_text(encoding="utf-8")


def test_the_md_report_lists_the_profile_as_tables(scanned: tuple[Path, dict[str, str]]) -> None:
    out, props = scanned
    text = re.sub(r"\\([\\`*_\[\]<>|#])", r"\1", _report(out, "md"))
    section = text.split("#### Content profile")[1].split("\n## ")[0]
    assert "Measured from the records by `dbom scan --profile" in section
    assert f"- **Characters of text:** {int(props['dbom:profile:characters']):,}" in section
    languages = json.loads(props["dbom:profile:languages"])
    assert languages
    for item in languages:
        assert f"| {item['language']} | {item['share'] * 100:.1f}% |" in section
    for item in json.loads(props["dbom:profile:domains"]):
        assert f"| {item['domain']} | {human_bytes(item['bytes'])} | {item['records']:,} |" in section
    pii = {k: v for k, v in json.loads(props["dbom:profile:pii"]).items() if isinstance(v, dict)}
    assert pii and all(f"| {kind} | {v['per-million-characters']} |" in section for kind, v in pii.items())
    for name, size in json.loads(props["dbom:profile:modality"]).items():
        assert f"| {name} | {human_bytes(size)} |" in section
    # stated languages win; without them (the card states them too: dropped here in memory), the measured ones
    assert "- **Languages:** en, de, fr\n" in text
    model = dbom.load(out)
    bare = replace(model, datasets=tuple(replace(d, facts={k: v for k, v in d.facts.items() if k != "languages"})
                                         for d in model.datasets))
    measured = ", ".join(f"{i['language']} ({i['share'] * 100:.0f}%)" for i in languages if i["language"] != "und")
    assert f"- **Languages:** {measured} (measured by the content profile)\n" in render(bare, "md")
    assert "(measured by the content profile)</span>" in render(bare, "html")


def test_the_html_report_charts_languages_and_domains(scanned: tuple[Path, dict[str, str]]) -> None:
    out, props = scanned
    page = _report(out, "html")
    section = page.split("<h4>Content profile</h4>")[1].split("</section>")[0]
    charts = re.findall(r"<svg .*?</svg>", section)
    assert len(charts) == 2
    languages, domains = charts
    assert "Languages of web-text (share of the text)" in languages
    for item in json.loads(props["dbom:profile:languages"]):
        assert f">{item['language']}</text>" in languages
    listed = json.loads(props["dbom:profile:domains"])
    assert f"Top {len(listed)} domains of web-text (bytes of text)" in domains
    for item in listed:
        assert f"{item['domain']}: {unescape(human_bytes(item['bytes']))}" in unescape(domains)
    assert "<th>personal data</th>" in section and "per million characters" in section
