"""The EU summary invents nothing: it holds "to be completed" exactly when `dbom check --profile eu` fails.

Every DBOM here is scanned from the sample datasets (with the sample manifest, edited, or none at all),
and the EU summary and the check are the real commands' output. For each, the summary holds
"[to be completed by the provider]" if and only if `check --profile eu` exits 1; with the complete
sample manifest it holds none and `check --profile all` passes; and removing any one key of that
manifest either marks the field it fills in the summary while `check` names the key, or (a key the
EU summary does not show) changes neither.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml
from corpora import SAMPLES
from helpers import run_dbom, sample_manifest, scan_to_file

import dbom
from dbom.compliance.check import check, measured_fact
from dbom.compliance.report import render
from dbom.model import Dbom, ModelInfo

TODO = "[to be completed by the provider]"
SAMPLE = yaml.safe_load((SAMPLES / "dbom.yaml").read_text(encoding="utf-8"))
NAMES = tuple(d["name"] for d in SAMPLE["datasets"])
YES_NO = re.compile(r"\?\*\* (.*)$", re.M)  # the answer of each yes/no question


def _plain(text: str) -> str:
    """Markdown escapes undone, so that the tests read the words."""
    return re.sub(r"\\([\\`*_\[\]<>|#])", r"\1", text)


def _eu(source: Path, tmp_path: Path) -> tuple[str, dict[str, Any]]:
    """The EU summary and the `check --profile eu` JSON of a DBOM file, by the real commands, after asserting
    that the summary holds "to be completed" exactly when the check fails."""
    out = tmp_path / "eu.md"
    done = run_dbom("report", str(source), "--format", "eu", "-o", str(out))
    assert done.returncode == 0, done.stderr
    text = _plain(out.read_text(encoding="utf-8"))
    checked = run_dbom("check", str(source), "--profile", "eu", "--format", "json")
    assert checked.returncode in (0, 1), checked.stderr
    report = json.loads(checked.stdout)
    assert (TODO in text) == (checked.returncode == 1) == (not report["meets"]), (report["missing_keys"], text)
    return text, report


def _field(text: str, label: str) -> str:
    """The lines of the field whose line holds `label`, up to the next field or heading."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if label in line)
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith(("- **", "#", "|"))), len(lines))
    return "\n".join(lines[start:end])


def _scan(tmp_path: Path, edit: Any = None) -> Path:
    return scan_to_file(sample_manifest(tmp_path / "m", edit), tmp_path / "dbom.cdx.json", profile="sample")


# --- a bare scan: nothing is answered ---------------------------------------------------------------------

def test_a_bare_scan_answers_no_question_and_check_names_every_missing_key(tmp_path: Path) -> None:
    data = tmp_path / "web-text"
    shutil.copytree(SAMPLES / "web-text", data)
    out = tmp_path / "x.json"
    assert run_dbom("scan", str(data), "-o", str(out)).returncode == 0
    text, report = _eu(out, tmp_path)
    answers = YES_NO.findall(text)
    assert len(answers) == 9  # 2.1, 2.2.1, 2.2.2, 2.3, 2.4 (twice), 2.5, 2.6, 3.1
    assert set(answers) == {TODO}
    assert not re.search(r"\bnone\b", text, re.I)  # nothing is "none" when no fact says so
    for field in ("Version of the summary", "Provider name and contact details", "Authorised representative",
                  "Versioned model name", "Model dependencies", "Union market", "Latest date of data acquisition",
                  "Other relevant characteristics", "Sources without an EU category", "Measures implemented",
                  "avoid or remove illegal content"):
        assert TODO in _field(text, field), field
    assert set(report["missing_keys"]) == {
        "model.summary_version", "model.supplier", "model.contact", "model.authorised_representative",
        "model.version", "model.dependencies", "model.market_date", "model.continuous_training",
        "model.cop_signatory", *(f"datasets[web-text].{k}" for k in (
            "eu_category", "content_types", "known_biases", "illegal_content"))}
    text_out = run_dbom("check", str(out), "--profile", "eu")
    assert text_out.returncode == 1
    assert "MISSING eu.1.2.dependencies" in text_out.stdout and "model.market_date" in text_out.stdout
    # the collection period was measured by the default content profile (the records' dates); without the
    # profile nothing says it, and check asks for it
    off = tmp_path / "off.json"
    assert run_dbom("scan", str(data), "-o", str(off), "--profile", "off").returncode == 0
    _, report_off = _eu(off, tmp_path)
    assert set(report_off["missing_keys"]) == set(report["missing_keys"]) | {"datasets[web-text].collection_period"}


def test_an_empty_dbom_answers_nothing_either() -> None:
    empty = Dbom(model=ModelInfo(name="m", version="1"), timestamp="2026-01-01T00:00:00Z")
    text = _plain(render(empty, "eu"))
    assert set(YES_NO.findall(text)) == {TODO}
    assert "| [to be completed by the provider] (the DBOM lists no training dataset) |" in text
    assert not check(empty, "eu").meets and "datasets" in check(empty, "eu").missing_keys()


# --- the complete sample manifest: nothing to complete ------------------------------------------------------

def test_the_complete_sample_leaves_nothing_to_complete_and_passes_every_profile(tmp_path: Path) -> None:
    out = _scan(tmp_path)
    text, report = _eu(out, tmp_path)
    assert report["meets"] and TODO not in text
    assert "to be completed" not in text
    for profile in ("all", "osaid", "eu"):
        done = run_dbom("check", str(out), "--profile", profile)
        assert done.returncode == 0, (profile, done.stdout)
    # What it says comes from the manifest, "none" included.
    assert "**Model dependencies (general-purpose AI models modified or fine-tuned, with links to their " \
           "summaries):** none\n" in text
    assert YES_NO.findall(text) == ["Yes", "No", "Yes", "Yes", "No", "No", "Yes", "No", "Yes"]


def test_every_new_key_is_recorded_in_the_dbom_and_read_back(tmp_path: Path) -> None:
    out = _scan(tmp_path)
    doc = json.loads(out.read_text(encoding="utf-8"))
    model = {p["name"]: p["value"] for p in doc["metadata"]["component"]["properties"]}
    assert model["dbom:model:fact:cop_signatory"] == "yes" and model["dbom:model:fact:continuous_training"] == "no"
    assert model["dbom:model:fact:market_date"] == "2026-01-15"
    assert model["dbom:model:eu-comment:3.3"].startswith("Each dataset was trained on at the version listed")
    loaded = dbom.load(out)
    stated = {k for k in SAMPLE["model"] if k not in ("name", "version", "license", "commercial", "group",
                                                       "supplier", "description", "eu_comments", "sme", "tokenizer")}
    assert set(loaded.model.facts) == stated
    assert set(loaded.model.eu_comments) == {"1.3", "3.3"}
    for entry in SAMPLE["datasets"]:
        ds = next(d for d in loaded.datasets if d.name == entry["name"])
        for key in ("crawler", "tdm_opt_out", "illegal_content", "generator_models", "funding", "takedown_contact"):
            if key in entry:
                assert ds.facts[key] == " ".join(str(entry[key]).split()), (entry["name"], key)


# --- each key removed in turn ----------------------------------------------------------------------------

# The keys the EU summary shows: the label of the field that is then to be completed, and the datasets
# whose key `check` then names (None: every dataset that states it).
EU_FIELDS: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "model.summary_version": ("Version of the summary", None),
    "model.supplier": ("Provider name and contact details", None),
    "model.contact": ("Provider name and contact details", None),
    "model.authorised_representative": ("Authorised representative", None),
    "model.version": ("Versioned model name", None),
    "model.dependencies": ("Model dependencies", None),
    "model.market_date": ("Union market", None),
    "model.continuous_training": ("Latest date of data acquisition", None),
    "model.other_public_data": ("General description of other publicly available datasets", None),
    "model.other_private_data": ("General description of non-publicly known private datasets", None),
    "model.cop_signatory": ("Code of Practice", None),
    "eu_category": ("Sources without an EU category", None),
    "content_types": ("| Text |", None),
    "collection_period": ("Latest date of data acquisition", None),
    "known_biases": ("Other relevant characteristics", None),
    "location": ("List of large publicly available datasets", ("recipes",)),
    "crawler": ("Crawler name(s)", None),
    "crawler_purpose": ("Purposes of the crawler", None),
    "crawler_behaviour": ("General description of crawler behaviour", None),
    "generator_models": ("General-purpose AI models on the market used to generate", None),
    "other_generator_models": ("Other AI models used to generate", None),
    "tdm_opt_out": ("Measures implemented to respect reservations", ("web-text",)),  # asked of crawled data only
    "illegal_content": ("avoid or remove illegal content", None),
}
STATED_BY_THE_SAMPLE_CARDS = ("languages", "modality")  # the cards state them too: dropping changes nothing
MODEL_KEYS = [f"model.{k}" for k in SAMPLE["model"] if k != "name"]
DATASET_KEYS = sorted({k for d in SAMPLE["datasets"] for k in d if k not in ("name", "path")})


def _drop(key: str) -> Any:
    def edit(doc: dict[str, Any]) -> None:
        if key.startswith("model."):
            doc["model"].pop(key.split(".", 1)[1])
        else:
            for entry in doc["datasets"]:
                entry.pop(key, None)
    return edit


def test_the_cases_cover_every_key_of_the_eu_summary() -> None:
    assert set(EU_FIELDS) <= set(MODEL_KEYS) | set(DATASET_KEYS)
    assert len(MODEL_KEYS) == 16 and "model.eu_comments" in MODEL_KEYS


@pytest.mark.parametrize("key", MODEL_KEYS + DATASET_KEYS)
def test_removing_one_key_marks_its_field_and_check_names_it_or_changes_nothing(tmp_path: Path, key: str) -> None:
    text, report = _eu(_scan(tmp_path, _drop(key)), tmp_path)
    if key not in EU_FIELDS:  # a key the EU summary does not show (OSAID's, datasheets', optional comments)
        assert report["meets"] and TODO not in text, report["missing_keys"]
        return
    label, names = EU_FIELDS[key]
    if key.startswith("model."):
        expected = {key}
    else:
        stating = names or tuple(d["name"] for d in SAMPLE["datasets"] if key in d)
        # what the content profile measured in place of the key (the records' dates) is not asked for
        loaded = {d.name: d for d in dbom.load(tmp_path / "dbom.cdx.json").datasets}
        expected = {f"datasets[{name}].{key}" for name in stating if measured_fact(loaded[name], key) is None}
    assert set(report["missing_keys"]) == expected
    field = _field(text, label)
    assert TODO in field, field
    if not key.startswith("model.") and key != "eu_category":
        for name in names or ():
            assert re.search(rf"{re.escape(name)}\b.*{re.escape(TODO)}", field), field


# --- sections the sample does not use ----------------------------------------------------------------------

def _category(name: str, category: str, **facts: Any) -> Any:
    def edit(doc: dict[str, Any]) -> None:
        entry = next(d for d in doc["datasets"] if d["name"] == name)
        entry["eu_category"] = category
        entry.update(facts)
    return edit


def test_user_data_answers_its_two_questions_from_user_data_from(tmp_path: Path) -> None:
    text, report = _eu(_scan(tmp_path / "a", _category("recipes", "2.4", user_data_from="services")), tmp_path)
    assert report["meets"]
    section = text.split("### 2.4 ")[1].split("\n### ")[0]
    assert YES_NO.findall(section) == ["No", "Yes"]
    assert "  - recipes (from the provider's other services or products): Download of the published CSV" in section
    # 2.1 has no dataset left: its question is answered No, and its "other datasets" is not asked.
    assert "publicly available datasets to train the model?** No" in text

    text, report = _eu(_scan(tmp_path / "b", _category("recipes", "2.4")), tmp_path)
    section = text.split("### 2.4 ")[1].split("\n### ")[0]
    assert YES_NO.findall(section) == [TODO, TODO]
    assert report["missing_keys"] == ["datasets[recipes].user_data_from"]


def test_other_sources_and_licensed_data(tmp_path: Path) -> None:
    edit = _category("forum-qa", "2.6")
    text, report = _eu(_scan(tmp_path / "a", edit), tmp_path)
    assert report["meets"]
    section = text.split("### 2.6 ")[1].split("\n## ")[0]
    assert "?** Yes" in section and "  - forum-qa: Question-and-answer threads from a hobbyist help forum." in section

    text, report = _eu(_scan(tmp_path / "b", _category("forum-qa", "2.2.1")), tmp_path)
    assert report["meets"]
    assert "with their representatives?** Yes\n- **Modality(ies):** text" in text
    assert "not licensed as described in Section 2.2.1?** No" in text


def test_a_size_the_scan_cannot_count_is_asked_for(tmp_path: Path) -> None:
    text, report = _eu(_scan(tmp_path / "a", _category("code-docs", "2.5", modality="audio")), tmp_path)
    assert report["missing_keys"] == ["datasets[code-docs].size"]
    row = next(line for line in text.splitlines() if line.startswith("| Audio |"))
    assert TODO in row and "no size stated for code-docs (audio durations are not recorded)" in row
    text, report = _eu(_scan(tmp_path / "b", _category("code-docs", "2.5", modality="audio", size="12 hours")),
                       tmp_path)
    assert report["meets"]
    assert "| Audio | Specified in another unit (as stated: code-docs: 12 hours) |" in text


def test_an_unparseable_collection_period_is_not_a_date(tmp_path: Path) -> None:
    model = dbom.load(_scan(tmp_path))
    datasets = tuple(replace(d, facts={**d.facts, "collection_period": "spring"}) if d.name == "recipes" else d
                     for d in model.datasets)
    changed = replace(model, datasets=datasets)
    text = _plain(render(changed, "eu"))
    assert f"training:** {TODO} (no collection period for recipes; 06/2024 for the others)" in text
    assert check(changed, "eu").missing_keys() == ("datasets[recipes].collection_period",)


# --- the new keys are checked when the manifest is read ------------------------------------------------------

@pytest.mark.parametrize(("text", "error"), [
    ("model:\n  name: m\n  sme: maybe\n", "line 3: model.sme must be true or false"),
    ("model:\n  name: m\n  market_date:\n    - {name: b}\n", "line 3: model.market_date must be a string"),
    ("model:\n  name: m\n  eu_comments:\n    \"9.9\": x\n", "line 4: model.eu_comments: '9.9' is not a section"),
    ("model:\n  name: m\n  eu_comments: [a]\n", "line 3: model.eu_comments must map EU summary sections"),
    ("datasets:\n  - name: d\n    user_data_from: crawl\n", "line 3: datasets[d].user_data_from must be model or "
                                                               "services"),
])
def test_a_wrong_eu_key_is_an_error_naming_its_line(tmp_path: Path, text: str, error: str) -> None:
    manifest = tmp_path / "dbom.yaml"
    manifest.write_text(text, encoding="utf-8")
    done = run_dbom("scan", "-c", str(manifest), "-o", str(tmp_path / "out.json"))
    assert done.returncode == 1 and done.stderr.startswith(f"dbom: error: {manifest}: "), done.stderr
    assert error in done.stderr and len(done.stderr.splitlines()) == 1, done.stderr


def test_the_eu_keys_read_as_text(tmp_path: Path) -> None:
    from dbom.manifest import load_manifest

    manifest = tmp_path / "dbom.yaml"
    manifest.write_text("model:\n  name: m\n  market_date: 2025-08-02\n  cop_signatory: no\n  dependencies: "
                        "[a (https://x.example/a), b]\n  eu_comments: {2.1: unquoted, \"2.2.2\": quoted}\n  contact:\n"
                        "datasets:\n  - name: d\n    user_data_from: [model, services]\n", encoding="utf-8")
    loaded = load_manifest(manifest)
    info = loaded.model_info()
    assert info.facts == {"market_date": "2025-08-02", "cop_signatory": "no",
                          "dependencies": "a (https://x.example/a); b"}
    assert info.eu_comments == {"2.1": "unquoted", "2.2.2": "quoted"}  # YAML's 2.1 is a number: read as "2.1"
    assert loaded.datasets[0].facts == {"user_data_from": "model, services"}


def test_the_size_counts_the_data_after_pre_processing_not_what_the_steps_read(tmp_path: Path) -> None:
    from dbom.model import ProcessingStep

    model = dbom.load(_scan(tmp_path))
    steps = (ProcessingStep("filter", inputs=("forum-qa",), outputs=("web-text",), code="f.py"),)
    whole = next(line for line in _plain(render(model, "eu")).splitlines() if line.startswith("| Text |"))
    piped = replace(model, steps=steps)
    text = _plain(render(piped, "eu"))
    row = next(line for line in text.splitlines() if line.startswith("| Text |"))
    assert "7,858 records" in whole and "2,058 records" in row  # forum-qa's 5,800 records are an intermediate
    assert "forum" not in row  # neither its records nor its types of content
    # forum-qa is still a source of section 2.2.2, and its size is asked of nobody.
    assert "**forum-qa** (supplier: Example Forums Ltd)" in text
    outcome = next(o for o in check(piped, "eu").outcomes if o.rule == "eu.1.3.size" and o.dataset == "forum-qa")
    assert outcome.status == "not-applicable"
    # Its characteristics are still asked, and marked apart from the table when missing.
    untyped = replace(piped, datasets=tuple(replace(d, facts={k: v for k, v in d.facts.items() if k != "content_types"})
                                            if d.name == "forum-qa" else d for d in piped.datasets))
    assert (f"not counted above):** {TODO} for forum-qa" in _plain(render(untyped, "eu"))
            and check(untyped, "eu").missing_keys() == ("datasets[forum-qa].content_types",))
