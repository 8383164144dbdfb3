"""A record whose text is in several fields (question and answer, instruction and output, the messages of a
chat) is profiled whole."""

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


def _stating(tmp_path: Path, name: str, text_field: str) -> Path:
    """A manifest of the one dataset `name` (a folder in `tmp_path`) that states its `text_field`."""
    manifest = tmp_path / "dbom.yaml"
    manifest.write_text(f"model: {{name: m}}\ndatasets:\n  - name: {name}\n    path: {name}\n"
                        f"    text_field: {text_field}\n", encoding="utf-8")
    return manifest


def test_the_manifest_names_several_text_fields(tmp_path: Path) -> None:
    root = tmp_path / "recipes"
    shutil.copytree(SAMPLES / "recipes", root)
    manifest = _stating(tmp_path, "recipes", "[title, ingredients, instructions]")
    rows = [r for path in sorted(root.glob("*.csv")) for r in csv.DictReader(path.open(encoding="utf-8"))]
    joined = ["\n".join(v for v in (r["title"], r["ingredients"], r["instructions"]) if v) for r in rows]
    assert int(_profile(root, manifest)["dbom:profile:characters"]) == sum(len(t) for t in joined)


def test_a_stated_field_that_is_not_there_is_named(tmp_path: Path) -> None:
    shutil.copytree(SAMPLES / "recipes", tmp_path / "recipes")
    manifest = _stating(tmp_path, "recipes", "[title, steps]")
    done = run_dbom("scan", "-c", str(manifest), "--profile", "exact", "--no-cache", "-o", str(tmp_path / "x.json"))
    assert done.returncode != 0
    assert "text_field 'steps' is not a field of the records" in done.stderr and done.stderr.count("\n") == 1


CHATS = [[{"role": "user", "content": f"How do I keep bread fresh for {i} days?"},
          {"role": "assistant", "content": "Wrap it in a cloth and keep it in a cool, dry box."}] for i in range(60)]


def _chat_text(messages: list[dict[str, str]], key: str = "content") -> str:
    return "\n".join(m[key] for m in messages)


def test_chat_messages_are_read_as_their_texts_in_json_lines_and_parquet(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    lines = tmp_path / "lines"
    lines.mkdir()
    (lines / "chat.jsonl").write_text("".join(json.dumps({"id": i, "messages": m}) + "\n" for i, m in enumerate(CHATS)))
    table = tmp_path / "table"
    table.mkdir()
    rows = [{"id": i, "messages": m} for i, m in enumerate(CHATS)]
    pq.write_table(pa.Table.from_pylist(rows), table / "chat.parquet")
    expected = sum(len(_chat_text(m)) for m in CHATS)
    for root in (lines, table):
        profile = _profile(root)
        assert int(profile["dbom:profile:characters"]) == expected, root.name
        assert int(profile["dbom:profile:words"]) == sum(len(_chat_text(m).split()) for m in CHATS)


def test_the_manifest_names_a_chat_field_of_its_own_shape(tmp_path: Path) -> None:
    root = tmp_path / "sharegpt"
    root.mkdir()
    turns = [[{"from": m["role"], "value": m["content"]} for m in chat] for chat in CHATS]
    (root / "part.jsonl").write_text("".join(json.dumps({"dialog_turns": t}) + "\n" for t in turns))
    manifest = _stating(tmp_path, "sharegpt", "dialog_turns[].value")
    assert int(_profile(root, manifest)["dbom:profile:characters"]) == sum(len(_chat_text(t, "value")) for t in turns)
