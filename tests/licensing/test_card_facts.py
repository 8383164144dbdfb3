"""What a dataset card states (languages, citation, tasks) reaches the DBOM without a manifest, marked as from the
card; the manifest wins; and check stops asking for it. A repository's code license above a data card is no
conflict."""

from __future__ import annotations

import json
from pathlib import Path

from corpora import write_jsonl_gz
from helpers import commit_all, datasets_by_name, init_repo, load_json, props, run_dbom

CARD = """---
license: cc-by-4.0
language: [en, fr]
task_categories: [text-generation, summarization]
citation: "@misc{acme2026, title={Acme web}}"
---
# Acme web
"""


def _dataset(folder: Path, card: str = CARD) -> Path:
    write_jsonl_gz(folder / "a.jsonl.gz", 3)
    (folder / "README.md").write_text(card)
    return folder


def test_a_bare_scan_takes_the_cards_facts(tmp_path: Path) -> None:
    data = _dataset(tmp_path / "acme-web")
    out = tmp_path / "out.json"
    assert run_dbom("scan", str(data), "-o", str(out)).returncode == 0
    p = props(datasets_by_name(load_json(out))["acme-web"])
    assert p["dbom:fact:languages"] == "en, fr"
    assert p["dbom:fact:modality"] == "text"
    assert p["dbom:fact:citation"] == "@misc{acme2026, title={Acme web}}"
    assert json.loads(p["dbom:facts:from-card"]) == ["citation", "languages", "modality"]
    check = json.loads(run_dbom("check", str(out), "--format", "json").stdout)
    missing = set(check["missing_keys"])
    assert not {"datasets[acme-web].languages", "datasets[acme-web].citation"} & missing
    assert "datasets[acme-web].osaid_class" in missing  # what no card says is still asked for


def test_the_manifest_wins(tmp_path: Path) -> None:
    data = _dataset(tmp_path / "acme-web")
    manifest = tmp_path / "dbom.yaml"
    manifest.write_text(f"model: {{name: m}}\ndatasets:\n  - name: acme-web\n    path: {data}\n    languages: [de]\n")
    out = tmp_path / "out.json"
    assert run_dbom("scan", "-c", str(manifest), "-o", str(out)).returncode == 0
    p = props(datasets_by_name(load_json(out))["acme-web"])
    assert p["dbom:fact:languages"] == "de"
    assert json.loads(p["dbom:facts:from-card"]) == ["citation", "modality"]


def test_a_code_license_above_a_data_card_is_recorded_not_warned(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    (repo / "LICENSE").write_text("SPDX-License-Identifier: MIT\n\nPermission is hereby granted...\n")
    _dataset(repo / "data" / "web")
    _dataset(repo / "data" / "forum")
    commit_all(repo)
    out = tmp_path / "out.json"
    done = run_dbom("scan", str(repo / "data" / "web"), str(repo / "data" / "forum"), "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert "reads as MIT" not in done.stderr and "warning" not in done.stderr
    for dataset in datasets_by_name(load_json(out)).values():
        assert dataset["licenses"][0]["license"]["id"] == "CC-BY-4.0"
        assert json.loads(props(dataset)["dbom:license:code"])["license"] == "MIT"
