"""Format detection by extension and first bytes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from dbom.formats import Detected, detect

PAR1 = b"PAR1" + b"\0" * 60
GZIP = b"\x1f\x8b\x08\x00" + b"\0" * 20


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("train-00000-of-00004.parquet", PAR1, Detected("parquet")),
        ("part.PQ", PAR1, Detected("parquet")),
        ("table.feather", b"ARROW1\0\0", Detected("arrow")),
        ("table.arrow", b"ARROW1\0\0", Detected("arrow")),
        ("table.ipc", b"ARROW1\0\0", Detected("arrow")),
        ("data-00000-of-00001.arrow", b"\xff\xff\xff\xff\x10\x01\0\0", Detected("arrow-stream")),
        ("a.jsonl", b'{"a": 1}\n', Detected("jsonl")),
        ("a.ndjson", b'{"a": 1}\n', Detected("jsonl")),
        ("a.jsonl.gz", GZIP, Detected("jsonl", "gzip")),
        ("a.jsonl.zst", b"\x28\xb5\x2f\xfd", Detected("jsonl", "zstd")),
        ("a.jsonl.zstd", b"\x28\xb5\x2f\xfd", Detected("jsonl", "zstd")),
        ("a.json.bz2", b"BZh91AY", Detected("json", "bz2")),
        ("a.csv.xz", b"\xfd7zXZ\x00", Detected("csv", "xz")),
        ("a.json", b"[", Detected("json")),
        ("a.csv", b"x,y\n", Detected("csv")),
        ("a.tsv", b"x\ty\n", Detected("tsv")),
        ("a.txt", b"hello\n", Detected("text")),
        ("a.txt.gz", GZIP, Detected("text", "gzip")),
        ("shard-000001.tar", b"0001.jpg".ljust(257, b"\0") + b"ustar\x0000", Detected("webdataset")),
        # contradicting bytes: detected by extension, inspection reports the corruption
        ("fake.parquet", b"not parquet", Detected("parquet")),
        ("fake.jsonl.gz", b'{"a": 1}\n', Detected("jsonl", "gzip")),
        ("empty.arrow", b"", Detected("arrow")),
    ],
)
def test_detects_shards(name: str, head: bytes, expected: Detected) -> None:
    assert detect(Path("corpus") / name, head) == expected


@pytest.mark.parametrize(
    "name",
    [
        "README.md",
        "LICENSE",
        "prepare.py",
        "dataset_info.json",
        "state.json",
        "dataset_dict.json",
        "Dataset_Info.JSON",
        "image.png",
        "model.parquet.gz",  # only the text formats are read through a compression suffix
        "notes.gz",
        ".jsonl",
        "archive.tar.gz",
    ],
)
def test_non_shards_are_none(name: str) -> None:
    assert detect(Path(name), b"PAR1\x1f\x8b{}") is None


def test_import_does_not_load_heavy_libraries() -> None:
    code = (
        "import sys, dbom.formats\n"
        "heavy = [m for m in ('pyarrow', 'zstandard', 'datasets') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
