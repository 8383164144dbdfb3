"""The reports' text: one fact per line, and a final newline, whatever the DBOM holds."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from helpers import sample_manifest, scan_to_file

import dbom
from dbom.compliance.report import render
from dbom.model import ProcessingStep


def _with_steps(tmp_path: Path) -> dbom.Dbom:
    """The sample DBOM with two processing steps, without its 3.3 comment, and forum-qa's measures single words."""
    model = dbom.load(scan_to_file(sample_manifest(tmp_path), tmp_path / "s.json"))
    steps = (ProcessingStep(name="dedup", kind="dedup", inputs=("recipes",), outputs=("web-text",),
                            code="dedup.py", documents_in=12_000, documents_out=9_500),
             ProcessingStep(name="filter", kind="filter", inputs=("web-text",), outputs=("forum-qa",),
                            code="filter.py"))
    datasets = tuple(replace(d, facts={**d.facts, "processing": "dedup", "illegal_content": "blocklist",
                                       "tdm_opt_out": "licensed"}) if d.name == "forum-qa" else d
                     for d in model.datasets)
    comments = {k: v for k, v in model.model.eu_comments.items() if k != "3.3"}
    return replace(model, steps=steps, datasets=datasets, model=replace(model.model, eu_comments=comments))


def test_the_eu_summary_puts_each_fact_on_its_own_line_and_ends_with_a_newline(tmp_path: Path) -> None:
    model = _with_steps(tmp_path)
    eu = render(model, "eu")
    assert eu.endswith("; code: filter.py\n")
    lines = eu.splitlines()
    assert [line.split(":", 1)[0] for line in lines if line.startswith("- **dedup**")] == ["- **dedup** (dedup)"]
    assert any(line.startswith("- **filter** (filter): web-text → forum-qa") for line in lines)
    assert "documents in 12,000, documents out 9,500" in eu
    assert "forum-qa" not in eu.split("### 3.1 ")[1].split("### 3.2")[0]  # 3.1: the opt-outs of crawled data only
    section = eu.split("### 3.2 ")[1].split("### 3.3")[0]
    assert "\n  - forum-qa: blocklist\n  - recipes: The publisher's own moderation only" in section
    assert "dedup" not in section  # the processing prose is not a measure against illegal content


def test_the_eu_summary_shows_the_3_3_comment_after_the_steps(tmp_path: Path) -> None:
    model = dbom.load(scan_to_file(sample_manifest(tmp_path), tmp_path / "s.json"))
    eu = render(model, "eu")
    comment = "Each dataset was trained on at the version listed; the processing told for it ran before that version "
    assert eu.endswith(f"### 3.3 Other information\n\n{comment}was made.\n")
    steps = (ProcessingStep(name="dedup", inputs=("recipes",), outputs=("web-text",), code="dedup.py"),)
    eu = render(replace(model, steps=steps), "eu")
    assert f"\n- **dedup**: recipes → web-text; code: dedup.py\n\n{comment}" in eu
    bare = render(replace(model, model=replace(model.model, eu_comments={})), "eu")
    assert bare.endswith("### 3.3 Other information\n\nNo other information is given.\n")


def test_every_report_ends_with_one_newline(tmp_path: Path) -> None:
    model = _with_steps(tmp_path)
    for fmt in ("md", "eu", "html"):
        text = render(model, fmt)
        assert text.endswith("\n") and not text.endswith("\n\n"), fmt
        assert "\n\n\n" not in text, fmt
