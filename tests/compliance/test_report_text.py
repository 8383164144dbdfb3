"""The reports' text: one fact per line, and a final newline, whatever the DBOM holds."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from helpers import sample_manifest, scan_to_file

import dbom
from dbom.compliance.report import render
from dbom.model import ProcessingStep


def _with_steps(tmp_path: Path) -> dbom.Dbom:
    """The sample DBOM with two processing steps, and forum-qa's processing a single word."""
    model = dbom.load(scan_to_file(sample_manifest(tmp_path), tmp_path / "s.json"))
    steps = (ProcessingStep(name="dedup", kind="dedup", inputs=("recipes",), outputs=("web-text",),
                            code="dedup.py", documents_in=12_000, documents_out=9_500),
             ProcessingStep(name="filter", kind="filter", inputs=("web-text",), outputs=("forum-qa",),
                            code="filter.py"))
    datasets = tuple(replace(d, facts={**d.facts, "processing": "dedup"}) if d.name == "forum-qa" else d
                     for d in model.datasets)
    return replace(model, steps=steps, datasets=datasets)


def test_the_eu_summary_puts_each_fact_on_its_own_line_and_ends_with_a_newline(tmp_path: Path) -> None:
    model = _with_steps(tmp_path)
    eu = render(model, "eu")
    assert eu.endswith("; code: filter.py\n")
    lines = eu.splitlines()
    assert [line.split(":", 1)[0] for line in lines if line.startswith("- **dedup**")] == ["- **dedup** (dedup)"]
    assert any(line.startswith("- **filter** (filter): web-text → forum-qa") for line in lines)
    assert "documents in 12,000, documents out 9,500" in eu
    section = eu.split("### 3.2 ")[1].split("### 3.3")[0]
    # one line a dataset, from its own key, and not the processing prose ("dedup")
    assert "  - forum-qa: Posts removed by the forum's moderators for illegal content were never exported.\n" in section
    assert "dedup" not in section


def test_every_report_ends_with_one_newline(tmp_path: Path) -> None:
    model = _with_steps(tmp_path)
    for fmt in ("md", "eu", "html"):
        text = render(model, fmt)
        assert text.endswith("\n") and not text.endswith("\n\n"), fmt
        assert "\n\n\n" not in text, fmt
