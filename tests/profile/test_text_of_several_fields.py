"""A record whose text is in several fields (question and answer, instruction and output) is profiled whole."""

from __future__ import annotations

import csv
import gzip
import json
import shutil
from pathlib import Path

import pytest
from corpora import SAMPLES
from helpers import run_dbom

import dbom

pytest.importorskip("pycld2", reason="the profile extra: pip install -e '.[profile]'")


def _profile(root: Path, manifest: Path | None = None) -> dict[str, str]:
    options = dbom.ScanOptions(use_cache=False, profile="exact")
    scanned = dbom.scan([] if manifest else [root], manifest=manifest, options=options)
    return dict(scanned.datasets[0].profile)


def test_question_and_answer_are_found_and_joined(tmp_path: Path) -> None:
    root = tmp_path / "forum-qa"
    shutil.copytree(SAMPLES / "forum-qa", root)
    rows = [json.loads(line) for path in sorted(root.glob("*.jsonl.gz"))
            for line in gzip.decompress(path.read_bytes()).decode().splitlines() if line.strip()]
    profile = _profile(root)
    assert int(profile["dbom:profile:characters"]) == sum(len(r["question"]) + 1 + len(r["answer"]) for r in rows)
    assert int(profile["dbom:profile:words"]) == sum(len(f"{r['question']}\n{r['answer']}".split()) for r in rows)
    assert json.loads(profile["dbom:profile:languages"])[0]["language"] == "en"


def test_the_manifest_names_several_text_fields(tmp_path: Path) -> None:
    root = tmp_path / "recipes"
    shutil.copytree(SAMPLES / "recipes", root)
    manifest = tmp_path / "dbom.yaml"
    manifest.write_text("model: {name: m}\ndatasets:\n  - name: recipes\n    path: recipes\n"
                        "    text_field: [title, ingredients, instructions]\n", encoding="utf-8")
    rows = [r for path in sorted(root.glob("*.csv")) for r in csv.DictReader(path.open(encoding="utf-8"))]
    joined = ["\n".join(v for v in (r["title"], r["ingredients"], r["instructions"]) if v) for r in rows]
    assert int(_profile(root, manifest)["dbom:profile:characters"]) == sum(len(t) for t in joined)


def test_a_stated_field_that_is_not_there_is_named(tmp_path: Path) -> None:
    root = tmp_path / "recipes"
    shutil.copytree(SAMPLES / "recipes", root)
    manifest = tmp_path / "dbom.yaml"
    manifest.write_text("model: {name: m}\ndatasets:\n  - name: recipes\n    path: recipes\n"
                        "    text_field: [title, steps]\n", encoding="utf-8")
    done = run_dbom("scan", "-c", str(manifest), "--profile", "exact", "--no-cache", "-o", str(tmp_path / "x.json"))
    assert done.returncode != 0
    assert "text_field 'steps' is not a field of the records" in done.stderr and done.stderr.count("\n") == 1
