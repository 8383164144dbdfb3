"""`dbom report` renders every valid DBOM, and what it does not know reads "to be completed", never a guess.

Four DBOMs a new user makes first, each with facts missing: a bare `dbom scan DIR` (no manifest), the
unfilled manifest of `dbom init`, a Recorder DBOM of an in-memory `datasets` object, and a DBOM with an
unshareable dataset that `dbom check` passes (no location, no access: both not applicable). Every format
must render each of them through the real command.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from corpora import SAMPLES, copy_samples
from helpers import run_dbom, sample_manifest, scan_to_file

import dbom
from dbom.compliance.report import environment, render

FORMATS = ("md", "eu", "html")
NOT_SHOWN = re.compile(r"\b(None|Undefined|unstated)\b")


def _ok(done: object) -> None:
    assert done.returncode == 0, done.stderr  # type: ignore[attr-defined]


def _bare_scan(folder: Path) -> Path:
    data = folder / "forum-qa"
    shutil.copytree(SAMPLES / "forum-qa", data)
    out = folder / "bare.json"
    _ok(run_dbom("scan", str(data), "-o", str(out)))
    return out


def _unfilled_init(folder: Path) -> Path:
    data = folder / "recipes"
    shutil.copytree(SAMPLES / "recipes", data)
    manifest = folder / "m.yaml"
    _ok(run_dbom("init", str(data), "-o", str(manifest)))
    out = folder / "init.json"
    _ok(run_dbom("scan", "-c", str(manifest), "-o", str(out)))
    return out


def _recorder_in_memory(folder: Path) -> Path:
    import datasets

    out = folder / "recorded.json"
    rec = dbom.Recorder(model="m", output=out, environment=False)
    rec.add_dataset(datasets.Dataset.from_dict({"text": ["a", "b"]}), name="m")
    rec.write()
    return out


def _unshareable_passing_check(folder: Path) -> Path:
    def edit(doc: dict) -> None:
        forum = next(d for d in doc["datasets"] if d["name"] == "forum-qa")
        forum["osaid_class"] = "unshareable"
        for key in ("location", "access", "homepage"):
            forum.pop(key, None)

    samples = copy_samples(folder / "samples")
    manifest = sample_manifest(folder, edit, samples=samples)
    out = folder / "unshareable.json"
    _ok(run_dbom("scan", "-c", str(manifest), "-o", str(out), "--profile", "sample"))  # 2.3's domains
    _ok(run_dbom("check", str(out)))  # a DBOM that meets the requirement
    return out


MAKERS = {"bare-scan": _bare_scan, "init-unfilled": _unfilled_init, "recorder-in-memory": _recorder_in_memory,
          "unshareable": _unshareable_passing_check}


@pytest.fixture(scope="module", params=sorted(MAKERS))
def reports(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, str]]:
    """The three reports of one of the four DBOMs, written by the real command."""
    folder = tmp_path_factory.mktemp(request.param)
    source = MAKERS[request.param](folder)
    texts = {}
    for fmt in FORMATS:
        out = folder / f"report.{fmt}"
        done = run_dbom("report", str(source), "--format", fmt, "-o", str(out))
        assert done.returncode == 0, done.stderr
        assert "internal error" not in done.stderr
        texts[fmt] = out.read_text(encoding="utf-8")
    return request.param, texts


def _plain(text: str) -> str:
    """Markdown escapes undone, so the tests read the words."""
    return text.replace("\\[", "[").replace("\\]", "]").replace("\\_", "_")


def test_every_format_renders_and_marks_what_is_missing(reports: tuple[str, dict[str, str]]) -> None:
    kind, texts = reports
    for fmt, text in texts.items():
        assert text.endswith("\n") and not text.endswith("\n\n\n"), fmt
        assert not NOT_SHOWN.search(text), (fmt, NOT_SHOWN.search(text))
    # Each format marks what the DBOM lacks; the unshareable DBOM (the complete sample manifest) lacks nothing:
    # where to obtain it and access are not applicable.
    assert ("[to be completed by the provider]" in _plain(texts["eu"])) == (kind != "unshareable")
    for fmt in ("md", "html"):
        assert ("to be completed" in texts[fmt]) == (kind != "unshareable"), fmt
    md = _plain(texts["md"])
    html = texts["html"]
    if kind in ("bare-scan", "init-unfilled", "recorder-in-memory"):
        for label in ("Supplier", "How it was obtained", "Known biases and limitations", "Personal data"):
            assert f"- **{label}:** to be completed\n" in md, label
        assert "<dt>Supplier</dt><dd><span class=\"none\">to be completed</span></dd>" in html
        # The OSAID class is unknown: it reads "to be completed", and the dataset is listed as unclassified.
        assert "- **OSAID data class:** to be completed\n" in md  # the EU section is the EU summary's to ask
        assert "No publicly available data was used" not in md  # not known: no dataset has a class
        assert "No dataset is classified as open or public; the OSAID class of" in md
    if kind == "unshareable":
        forum = md.split("\n### forum-qa\n")[1].split("\n### ")[0]
        assert "**Where to obtain it:** not applicable: unshareable data" in forum
        assert "**Access:** not applicable: unshareable data" in forum
        assert "forum-qa:** 5,800 records in 3 files; fields: id (string), question (string)" in md


def test_the_eu_summary_answers_no_question_it_cannot_know(reports: tuple[str, dict[str, str]]) -> None:
    kind, texts = reports
    eu = _plain(texts["eu"])
    if kind == "unshareable":  # every dataset has its EU category: the answers are known
        assert "publicly available datasets to train the model?** Yes" in eu
        assert "to train the model?** No" in eu  # 2.4, user data
        return
    # No EU category: whether each kind of source was used is for the provider to say, not "No".
    assert "?** No" not in eu
    assert "?** Yes" not in eu
    assert eu.count("?** [to be completed by the provider]") >= 7
    # 3.2 is not filled with the processing prose: each dataset's illegal-content measures are to be completed
    measures = eu.split("### 3.2", 1)[1].split("###", 1)[0]
    assert ": [to be completed by the provider]" in measures
    assert "none; every" not in eu
    assert "**Other relevant characteristics of the overall training data:**\n  - " in eu
    assert "[to be completed by the provider]" in eu.split("Other relevant characteristics")[1].split("##")[0]


def test_the_in_memory_dataset_shows_its_recorded_rows_and_nothing_invented(tmp_path: Path) -> None:
    model = dbom.load(_recorder_in_memory(tmp_path))  # its table is one 'in-memory' shard: 2 rows
    md = _plain(render(model, "md"))
    assert "| m | to be completed |  | 2 | " in md  # no OSAID class; the EU section is not OSAID's to ask
    assert "- 1 data file (arrow-stream), 2 records, " in md
    assert "0 records" not in md and "| 0 B" not in md


def test_a_key_the_templates_do_not_know_is_an_error_not_a_blank() -> None:
    from jinja2 import UndefinedError

    for kind in ("md", "html"):
        template = environment(kind).from_string("{{ d.facts.no_such_fact }}")
        with pytest.raises(UndefinedError):
            template.render(d={"facts": {"supplier": None}})


def test_the_sample_reports_keep_their_facts(tmp_path: Path) -> None:
    model = dbom.load(scan_to_file(sample_manifest(tmp_path), tmp_path / "s.json"))
    md = render(model, "md")
    assert "- **Supplier:** Example Recipe Commons\n" in md
    assert "- **OSAID data class:** open; **EU summary section:** 2.1\n" in md


def test_with_one_dataset_uncategorised_only_the_unused_kinds_are_open(tmp_path: Path) -> None:
    from dataclasses import replace

    model = dbom.load(scan_to_file(sample_manifest(tmp_path), tmp_path / "s.json"))
    dropped = ("eu_category", "collection_period", "languages")
    datasets = tuple(replace(d, facts={k: v for k, v in d.facts.items() if k not in dropped}) if d.name == "recipes"
                     else d for d in model.datasets)
    eu = _plain(render(replace(model, datasets=datasets), "eu"))
    assert "crawlers used by the provider or on its behalf?** Yes" in eu  # web-text, 2.3
    assert "publicly available datasets to train the model?** [to be completed by the provider]" in eu
    assert "?** No" not in eu  # recipes might be of any kind
    assert ("training:** [to be completed by the provider] (no collection period for recipes; 06/2024 for the "
            "others)") in eu
    assert "languages en, de, fr (ISO 639-1, as stated); [to be completed by the provider] for recipes" in eu
