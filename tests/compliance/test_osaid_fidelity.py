"""The OSAID data information (md, html) says "to be completed" exactly when `dbom check --profile osaid` fails.

The DBOMs are scanned from a copy of the sample datasets (outside git, so that only the manifest pins their
versions); the facts that other standards ask for (the EU section, classification, intended use, the EU
summary's measures, maintenance...) are shown when stated and never marked, so that the mark means OSAID.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from corpora import SAMPLES, copy_samples
from helpers import run_dbom, sample_manifest, scan_to_file

import dbom
from dbom.compliance.check import check, measured_fact
from dbom.compliance.report import render
from dbom.model import CodeRef, Dbom, License, ProcessingStep, Shard, VcsInfo

TODO = "to be completed"


@pytest.fixture(scope="module")
def sample_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("osaid")
    samples = copy_samples(folder / "samples")
    return scan_to_file(sample_manifest(folder, samples=samples), folder / "dbom.cdx.json", profile="sample")


@pytest.fixture(scope="module")
def sample(sample_file: Path) -> Dbom:
    return dbom.load(sample_file)


def _agrees(model: Dbom) -> bool:
    """True when both reports mark something to complete, False when neither does; fails when they disagree
    with each other or with `check --profile osaid`."""
    marked = {fmt: TODO in render(model, fmt) for fmt in ("md", "html")}
    fails = not check(model, "osaid").meets
    assert marked == {"md": fails, "html": fails}, (marked, check(model, "osaid").missing_keys())
    return fails


def test_the_complete_sample_and_a_bare_scan_by_the_real_commands(sample_file: Path, tmp_path: Path) -> None:
    data = tmp_path / "recipes"
    shutil.copytree(SAMPLES / "recipes", data)
    bare = tmp_path / "bare.json"
    assert run_dbom("scan", str(data), "-o", str(bare)).returncode == 0
    for source, complete in ((sample_file, True), (bare, False)):
        for fmt in ("md", "html"):
            out = tmp_path / f"report.{fmt}"
            assert run_dbom("report", str(source), "--format", fmt, "-o", str(out)).returncode == 0
            assert (TODO in out.read_text(encoding="utf-8")) == (not complete), (source, fmt)
        assert run_dbom("check", str(source), "--profile", "osaid").returncode == (0 if complete else 1)


def _without_fact(key: str) -> Any:
    return lambda d: replace(d, facts={k: v for k, v in d.facts.items() if k != key})


EDITS: dict[str, Any] = {
    "location": lambda d: replace(d, location=None),
    "version": lambda d: replace(d, version=None),
    "description": lambda d: replace(d, description=None),
    "license": lambda d: replace(d, license=License()),
    "shards": lambda d: replace(d, shards=()),
}


@pytest.mark.parametrize("key", ["osaid_class", "eu_category", "supplier", "access", "obtained", "collection_period",
                                 "selection", "labeling", "processing", "modality", "content_types", "languages",
                                 "classification", "personal_data", "sensitive_data", "known_biases", "intended_use",
                                 "citation", "tdm_opt_out", "illegal_content", "documentation", "ethical_review",
                                 "maintenance", "takedown_contact", "funding", *EDITS])
def test_removing_one_key_marks_the_reports_exactly_when_osaid_asks_for_it(sample: Dbom, key: str) -> None:
    edit = EDITS.get(key) or _without_fact(key)
    for name in ("web-text", "forum-qa"):  # a public and an obtainable dataset
        model = replace(sample, datasets=tuple(edit(d) if d.name == name else d for d in sample.datasets))
        osaid_keys = {"osaid_class", "supplier", "access", "obtained", "collection_period", "selection", "labeling",
                      "processing", "modality", "content_types", "languages", "personal_data", "sensitive_data",
                      "known_biases", *EDITS} - {"description"}
        # a fact the content profile measured (languages, period, modality) counts as filled
        measured = measured_fact(next(d for d in sample.datasets if d.name == name), key) is not None
        assert _agrees(model) == (key in osaid_keys and not measured), (key, name)


def test_unshareable_data_and_the_dbom_license(sample: Dbom) -> None:
    assert not _agrees(sample)
    assert _agrees(replace(sample, dbom_license=None))
    assert _agrees(replace(sample, datasets=()))
    unshareable = tuple(replace(d, facts={**d.facts, "osaid_class": "unshareable"}, location=None, version=None)
                        if d.name == "recipes" else d for d in sample.datasets)
    assert not _agrees(replace(sample, datasets=unshareable))  # no location, no revision: not applicable
    text_shard = Shard(path="notes.txt", bytes=10, format="text", xxh3_128="0" * 32, records=2)
    schemaless = tuple(replace(d, shards=(text_shard,), description=None) if d.name == "recipes" else d
                       for d in unshareable)
    assert _agrees(replace(sample, datasets=schemaless))  # a structure to describe


@pytest.mark.parametrize(("step", "fails"), [
    (ProcessingStep("dedup", outputs=("web-text",), command="python dedup.py"), True),  # no code
    (ProcessingStep("dedup", outputs=("web-text",), code="dedup.py", command="python dedup.py"), True),  # unpinned
    (ProcessingStep("dedup", outputs=("web-text",), code="dedup.py", code_ref=CodeRef("dedup.py", sha256="c" * 64)),
     True),  # pinned, but how it ran is not stated
    (ProcessingStep("dedup", outputs=("web-text",), code="dedup.py",
                    code_ref=CodeRef("dedup.py", vcs=VcsInfo(commit="a" * 40)), args=(("threshold", "0.8"),)),
     False),
])
def test_processing_steps_are_marked_exactly_when_their_code_is_not_the_full_specification(
        sample: Dbom, step: ProcessingStep, fails: bool) -> None:
    assert _agrees(replace(sample, steps=(step,))) == fails
