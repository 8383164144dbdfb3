"""File names in a DBOM: any UTF-8 name is recorded as is; a name that is not UTF-8 is a one-line error."""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from helpers import datasets_by_name, load_json, run_dbom, shards_of


def _parquet(path: Path, rows: int = 3) -> None:
    pq.write_table(pa.table({"text": [f"row {i}" for i in range(rows)]}), path)


def _latin1_named_parquet(folder: Path) -> None:
    """A Parquet file named `bad-\\xff.parquet` in bytes: Latin-1, as an old tool may have left it."""
    _parquet(folder / "tmp.parquet")
    os.rename(os.fsencode(folder / "tmp.parquet"), os.fsencode(folder) + b"/bad-\xff.parquet")


def test_a_utf8_name_outside_ascii_is_recorded_as_is(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _parquet(corpus / "données-日本語.parquet")
    out = tmp_path / "out.json"
    result = run_dbom("scan", str(corpus), "-o", str(out), "--no-cache", "-q")
    assert result.returncode == 0, result.stderr
    shards = shards_of(datasets_by_name(load_json(out))["corpus"])
    assert list(shards) == ["données-日本語.parquet"]


def test_a_name_that_is_not_utf8_is_one_line_naming_the_file_and_nothing_is_written(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _parquet(corpus / "good.parquet")
    _latin1_named_parquet(corpus)
    out = tmp_path / "out.json"
    result = run_dbom("scan", str(corpus), "-o", str(out), "--no-cache", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("dbom: error: corpus/bad-\\xff.parquet: the name is not valid UTF-8")
    assert "Traceback" not in result.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == [corpus]


def test_a_name_that_is_not_utf8_can_be_left_out(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _parquet(corpus / "good.parquet")
    _latin1_named_parquet(corpus)
    (tmp_path / "dbom.yaml").write_text(
        "model: {name: m}\ndatasets:\n  - name: corpus\n    path: corpus/\n    exclude: ['bad-*']\n")
    out = tmp_path / "out.json"
    result = run_dbom("scan", "-c", str(tmp_path / "dbom.yaml"), "-o", str(out), "--no-cache", "-q")
    assert result.returncode == 0, result.stderr
    assert list(shards_of(datasets_by_name(load_json(out))["corpus"])) == ["good.parquet"]
