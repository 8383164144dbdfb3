"""`dbom report`: the OSAID data information (md), the EU public summary (eu) and the HTML page.

The HTML page is opened in a real headless Chromium (Debian's `chromium`): the screenshot must not be
blank and the browser must log no console message. The page has no script and a Content-Security-Policy
that forbids loading anything, so any console message means something is wrong (an asset it tried to
fetch, a parse error); Chromium writes console messages to stderr as `:CONSOLE` lines with
`--enable-logging=stderr --v=0`, which is what `_console_messages` reads. Negative controls prove that
this detector sees a blocked asset and a script error.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers import run_dbom, sample_manifest, scan_to_file

import dbom
from dbom.compliance.report import md_escape, render
from dbom.model import CodeRef, DatasetsInfo, Dbom, HubInfo, License, ProcessingStep, VcsInfo

REPO = Path(__file__).resolve().parents[2]
SAMPLE_NAMES = ("code-docs", "forum-qa", "recipes", "web-text")


@pytest.fixture(scope="module")
def sample_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sample")
    return scan_to_file(sample_manifest(folder), folder / "dbom.cdx.json", profile="sample")  # 2.3's domains


@pytest.fixture(scope="module")
def reports(sample_file: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The three reports of the sample DBOM, written by the real command."""
    out = tmp_path_factory.mktemp("reports")
    paths = {}
    for fmt, name in (("md", "DATA_INFORMATION.md"), ("eu", "eu-summary.md"), ("html", "report.html")):
        done = run_dbom("report", str(sample_file), "--format", fmt, "-o", str(out / name))
        assert done.returncode == 0, done.stderr
        paths[fmt] = out / name
    return paths


def _hostile(model: Dbom) -> Dbom:
    """The sample DBOM with markup and a javascript: link where a manifest's text goes."""
    first = model.datasets[0]
    evil = replace(first, description='<script>alert("x")</script> **bold** | pipe [link](http://evil.example)',
                   location="javascript:alert(1)", homepage='https://ok.example/"onmouseover="alert(1)',
                   facts={**first.facts, "selection": "<img src=x onerror=alert(1)>"},
                   license=License("LicenseRef-<b>odd</b>", name="odd"))
    return replace(model, datasets=(evil, *model.datasets[1:]))


# --- md: the OSAID data information -----------------------------------------------------------------------

def test_md_report_lists_every_dataset_with_where_to_obtain_license_provenance_and_statistics(
        reports: dict[str, Path]) -> None:
    text = reports["md"].read_text(encoding="utf-8")
    assert text.startswith("# Data information: tiny-lm 1.0\n")
    assert "made available under the terms of CC-BY-4.0" in text
    for name in SAMPLE_NAMES:
        assert f"\n### {name}\n" in text
    assert "[https://example.org/downloads/web-text/](https://example.org/downloads/web-text/) at revision 2024.06" \
        in text
    assert "| forum-qa | obtainable | 2.2.2 | 5,800 |" in text
    # OSAID (2) lists open and public data; (3) the obtainable data with its access terms.
    public = text.split("## 2. Publicly available")[1].split("## 3.")[0]
    obtainable = text.split("## 3. Training data obtainable")[1].split("## Unshareable")[0]
    assert all(f"| {n} |" in public for n in ("web-text", "recipes", "code-docs"))
    assert "forum-qa" not in public
    assert "| forum-qa | Example Forums Ltd |" in obtainable and "no fee" in obtainable
    assert "**Supplier:** Example Recipe Commons" in text
    assert "**Collection period:** 2021-01/2023-12" in text
    assert "| func\\_name | string |" in text  # code-docs' schema, escaped for Markdown
    assert "- **Contact for takedown and opt-out requests:** contact@recipes.example\n" in text
    assert "- **Measures against illegal content:** The publisher's own moderation only" in text
    assert "**conflict** (forum-qa): CC-BY-NC-4.0 is non-commercial" in text
    assert "this data information meets the requirement" in text


def test_md_renders_as_commonmark_tables_and_links(reports: dict[str, Path]) -> None:
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark").enable("table").render(reports["md"].read_text(encoding="utf-8"))
    assert html.count("<table>") >= 5
    assert '<a href="https://example.org/downloads/recipes/">' in html
    assert "<td>func_name</td>" in html  # the escape renders back to the plain name


def test_markdown_escapes_what_the_manifest_says(sample_file: Path) -> None:
    text = render(_hostile(dbom.load(sample_file)), "md")
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark").enable("table").render(text)
    assert "<script>" not in html and "<img" not in html
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert not [h for h in hrefs if h.startswith("javascript") or "evil.example" in h or "onmouseover" in h]
    assert "&lt;script&gt;" in html  # shown as text
    assert md_escape("a|b_c*d") == "a\\|b\\_c\\*d"


# --- eu: the public summary of training content --------------------------------------------------------

def test_eu_summary_follows_the_template_sections(reports: dict[str, Path]) -> None:
    text = reports["eu"].read_text(encoding="utf-8")
    headings = re.findall(r"^#{2,4} (\d[\d.]*) ", text, flags=re.M)
    assert headings == ["1.", "1.1", "1.2", "1.3", "2.", "2.1", "2.2", "2.2.1", "2.2.2", "2.3", "2.4", "2.5",
                        "2.6", "3.", "3.1", "3.2", "3.3"]
    # 1.3: per modality, the template's range and an estimate that says it is one.
    row = next(line for line in text.splitlines() if line.startswith("| Text |"))
    assert "Less than 1 billion tokens" in row and "at most" in row and "not counted" in row and "7,858 records" in row
    assert "**Latest date of data acquisition or collection for model training:** 06/2024" in text
    assert "languages en, de, fr" in text

    def section(number: str) -> str:
        return text.split(f" {number} ", 1)[1].split("\n#", 1)[0]

    assert "publicly available datasets to train the model?** Yes" in section("2.1")
    assert "**recipes**" in section("2.1") and "web-text" not in section("2.1")
    # model.other_public_data, model.other_private_data:
    assert "not listed above:** none, every publicly available dataset used is listed\n" in section("2.1")
    assert "  - **forum-qa** (supplier: Example Forums Ltd): [https://example.org/forum-qa/" in section("2.2.2")
    assert "obtained from third parties:** none, every private dataset used is listed" in section("2.2.2")
    assert "crawlers used by the provider or on its behalf?** Yes" in section("2.3")
    assert "  - web-text: ExampleBot/1.0" in section("2.3") and "  - web-text: 2024-01/2024-06" in section("2.3")
    assert "  - web-text: example.com (" in section("2.3")  # the content profile's top domains
    assert section("2.4").count("to train the model?** No") == 2  # from the model, from other services
    assert "code-docs" in section("2.5") and "?** Yes" in section("2.5")
    assert "  - code-docs: tiny-docgen 0.3, the lab's own docstring model" in section("2.5")
    assert "Code of Practice for general-purpose AI models?** Yes" in section("3.1")
    # 3.1 and 3.2 from their own keys, not the processing prose
    assert "  - web-text: ExampleBot read robots.txt" in section("3.1")
    assert "  - web-text: Sites on a public blocklist" in section("3.2")
    assert "HTML stripped to text" not in text  # the processing prose is OSAID's, not a measure of 3.2
    assert "**Provider name and contact details:** Example AI Lab; contact: ai-office@example.org" in text
    assert "**Date of placement of the model on the Union market:** 2026-01-15" in text
    assert "continuously trained on new data after that date: No" in text
    assert "- **Additional comments:** The range is bounded by the bytes of text" in section("1.3")
    # The complete sample manifest, scanned with the content profile, leaves nothing to complete.
    assert "to be completed" not in text


# --- html: one self-contained page with charts ----------------------------------------------------------

class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += [(tag, k, v) for k, v in attrs]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(text: str) -> _Page:
    page = _Page()
    page.feed(text)
    return page


def test_html_is_self_contained_with_four_charts(reports: dict[str, Path], sample_file: Path) -> None:
    text = reports["html"].read_text(encoding="utf-8")
    page = _parse(text)
    assert "script" not in page.tags and "link" not in page.tags and "img" not in page.tags
    assert not [a for a in page.attrs if a[1] == "src"]
    hrefs = [v for tag, k, v in page.attrs if k == "href"]
    assert all(h and (h.startswith("#") or h.startswith("https://")) for h in hrefs)  # links, never assets
    # the composition's four, then a languages and a domains chart per dataset whose profile measured them
    profiles = [dict(d.profile) for d in dbom.load(sample_file).datasets]
    profiled = sum(json.loads(p.get("dbom:profile:languages", "[]")) != [] for p in profiles) + sum(
        bool(json.loads(p.get("dbom:profile:domains", "[]"))) for p in profiles)
    assert profiled >= 2 and page.tags.count("svg") == 4 + profiled
    titles = [t for t in page.text if t.startswith(("Records by", "Bytes by"))]
    assert set(titles) >= {"Records by dataset", "Bytes by dataset", "Bytes by license class", "Bytes by format"}
    assert "5,800 (73.8%)" in text  # forum-qa's share of the records
    assert "Content-Security-Policy" in text and "default-src 'none'" in text


def test_html_escapes_everything(sample_file: Path) -> None:
    text = render(_hostile(dbom.load(sample_file)), "html")
    page = _parse(text)
    assert "script" not in page.tags and "img" not in page.tags and "b" not in page.tags
    assert not any(k.startswith("on") for _, k, _ in page.attrs)
    assert not any(v and v.startswith("javascript:") for _, _, v in page.attrs)
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in text


def test_reports_show_the_processing_pipeline_with_pinned_code(sample_file: Path) -> None:
    step = ProcessingStep(name="dedup", kind="dedup", inputs=("recipes",), outputs=("web-text",),
                          command="python dedup.py", args=(("threshold", "0.8"),), documents_in=120,
                          documents_out=80, code="https://example.org/p.git@" + "a" * 40 + ":dedup.py",
                          code_ref=CodeRef("dedup.py", sha256="b" * 64,
                                           vcs=VcsInfo(commit="a" * 40, url="https://example.org/p.git")))
    model = replace(dbom.load(sample_file), steps=(step,))
    md = render(model, "md")
    row = next(line for line in md.splitlines() if line.startswith("| dedup |"))
    assert f"https://example.org/p.git@{'a' * 40}:dedup.py (sha256 bbbbbbbbbbbb)" in row
    assert "threshold=0.8" in row and "documents in 120, documents out 80" in row
    html = render(model, "html")
    assert f"<code>https://example.org/p.git@{'a' * 40}:dedup.py</code>" in html
    eu = render(model, "eu")
    assert "**dedup** (dedup): recipes → web-text; code: https://example.org/p.git@" in eu


def test_reports_are_deterministic_and_hold_no_local_path(sample_file: Path, tmp_path: Path) -> None:
    model = dbom.load(sample_file)
    for fmt in ("md", "eu", "html"):
        first, second = render(model, fmt), render(model, fmt)
        assert first == second
        assert str(REPO) not in first and str(tmp_path.parent) not in first and os.sep + "tmp" not in first


def test_report_errors_are_one_line_and_write_nothing(sample_file: Path, tmp_path: Path) -> None:
    missing_folder = tmp_path / "nope" / "r.md"
    done = run_dbom("report", str(sample_file), "--format", "md", "-o", str(missing_folder))
    assert done.returncode == 1 and done.stderr.startswith("dbom: error: ") and done.stderr.count("\n") == 1
    not_a_dbom = tmp_path / "x.json"
    not_a_dbom.write_text("[]", encoding="utf-8")
    done = run_dbom("report", str(not_a_dbom), "--format", "html", "-o", str(tmp_path / "r.html"))
    assert done.returncode == 1 and "not a CycloneDX document" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.json"]


# --- the HTML page in a real headless Chromium -----------------------------------------------------------

def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    pytest.fail("no Chromium: install Debian's `chromium` package (apt-get install -y chromium)")


def _run_chromium(page: Path, tmp_path: Path, *mode: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    args = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", "--window-size=1200,1600",
            *mode, page.as_uri()]
    return subprocess.run(args, capture_output=True, text=True, timeout=120, check=False, cwd=tmp_path)


def _console_messages(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


def _screenshot(page: Path, tmp_path: Path) -> tuple[Path, list[str]]:
    shot = tmp_path / f"{page.stem}.png"
    done = _run_chromium(page, tmp_path, f"--screenshot={shot}")
    assert done.returncode == 0, done.stderr[-2000:]
    return shot, _console_messages(done.stderr)


def test_html_renders_in_headless_chromium_without_console_errors(reports: dict[str, Path], tmp_path: Path) -> None:
    from PIL import Image

    shot, console = _screenshot(reports["html"], tmp_path)
    assert console == []
    assert shot.stat().st_size > 10_000
    with Image.open(shot) as image:
        rgb = image.convert("RGB")
        assert rgb.size == (1200, 1600)
        colors = rgb.getcolors(maxcolors=1 << 20) or []
        assert len(colors) > 50  # text, tables, coloured bars: not a blank page
        white = sum(count for count, color in colors if color == (255, 255, 255))
        assert white < 0.97 * rgb.size[0] * rgb.size[1]
        palette = {(0x3B, 0x6E, 0xA8), (0xE0, 0x7B, 0x39), (0x4A, 0x9A, 0x5B)}
        assert palette <= {color for _, color in colors}  # the charts' bars are drawn

    dom = _run_chromium(reports["html"], tmp_path, "--dump-dom")
    assert dom.returncode == 0
    page = reports["html"].read_text(encoding="utf-8")  # every chart drawn (the composition's and the profiles')
    assert dom.stdout.count("<svg") == page.count("<svg") >= 4 and "Data information: tiny-lm 1.0" in dom.stdout
    assert _console_messages(dom.stderr) == []


def test_the_console_detector_sees_blocked_assets_and_script_errors(tmp_path: Path) -> None:
    csp = "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'\">"
    asset = tmp_path / "asset.html"
    asset.write_text(f"<!DOCTYPE html><html><head>{csp}</head><body><img src=\"https://example.org/a.png\">"
                     "</body></html>", encoding="utf-8")
    error = tmp_path / "error.html"
    error.write_text("<!DOCTYPE html><html><body><script>undefinedFunction();</script></body></html>",
                     encoding="utf-8")
    _, blocked = _screenshot(asset, tmp_path)
    assert any("Content Security Policy" in line for line in blocked)
    _, failed = _screenshot(error, tmp_path)
    assert any("undefinedFunction" in line for line in failed)


# --- templates in a non-editable install -----------------------------------------------------------------

def test_an_installed_wheel_finds_its_templates(sample_file: Path, tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    shutil.copytree(REPO / "dbom", source / "dbom", symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "templates", source / "templates")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                            str(source), "-w", str(tmp_path / "wheels")], capture_output=True, text=True,
                           timeout=300, check=False)
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "wheels").glob("dbom-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for template in ("report.md.j2", "eu-summary.md.j2", "report.html.j2", "dbom.yaml.j2"):
        assert f"dbom/templates/{template}" in names
    target = tmp_path / "site"
    installed = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target),
                                str(wheel)], capture_output=True, text=True, timeout=300, check=False)
    assert installed.returncode == 0, installed.stderr
    # -S: no site-packages processing, so the editable install's finder is not loaded; the dependencies
    # come from this environment's site-packages, after the installed copy of dbom.
    deps = sysconfig.get_paths()["purelib"]
    script = ("import sys, dbom, dbom.compliance.report as r, dbom.util.templating as t; from pathlib import Path; "
              "assert Path(dbom.__file__).is_relative_to(Path(sys.argv[1])), dbom.__file__; "
              "print(t.templates_dir()); "
              "open(sys.argv[3], 'w').write(r.render(dbom.load(sys.argv[2]), 'eu'))")
    out = tmp_path / "eu.md"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(target), deps])}
    ran = subprocess.run([sys.executable, "-S", "-c", script, str(target), str(sample_file), str(out)], env=env,
                         cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False)
    assert ran.returncode == 0, ran.stderr
    assert Path(ran.stdout.strip()) == target / "dbom" / "templates"
    assert out.read_text(encoding="utf-8").startswith("# Public summary of training content: tiny-lm 1.0")


def test_reports_name_the_hub_snapshot_and_the_datasets_object(sample_file: Path) -> None:
    model = dbom.load(sample_file)
    info = DatasetsInfo(kind="DatasetDict", builder="parquet", config="default", fingerprints=(("train", "f00d"),))
    first = replace(model.datasets[0], hub=HubInfo(repo_id="acme/code-docs", revision="c" * 40), datasets_info=info)
    model = replace(model, datasets=(first, *model.datasets[1:]))
    md = render(model, "md")
    assert f"- **Hugging Face Hub:** acme/code-docs at revision {'c' * 40}" in md
    assert ("**Recorded from a `datasets` object:** DatasetDict; builder parquet (default); "
            "fingerprint train: f00d") in md
    html = render(model, "html")
    assert f'<a href="https://huggingface.co/datasets/acme/code-docs/tree/{"c" * 40}">acme/code-docs</a>' in html


def test_the_model_facts_for_the_eu_summary_round_trip_and_fill_its_header(sample_file: Path, tmp_path: Path) -> None:
    import dbom

    facts = dbom.load(sample_file).model.facts
    assert facts == {"contact": "ai-office@example.org", "authorised_representative":
                     "none, the provider is established in the EU", "dependencies": "none",
                     "market_date": "2026-01-15", "continuous_training": "no", "summary_version": "1.0",
                     "other_public_data": "none, every publicly available dataset used is listed",
                     "other_private_data": "none, every private dataset used is listed", "cop_signatory": "yes"}
    out = tmp_path / "eu.md"
    assert run_dbom("report", str(sample_file), "--format", "eu", "-o", str(out)).returncode == 0
    text = out.read_text(encoding="utf-8")
    assert "- **Version of the summary:** 1.0" in text
    assert "contact: ai-office@example.org" in text
    assert "**Date of placement of the model on the Union market:** 2026-01-15" in text
    assert "after that date: No" in text  # the manifest's false
