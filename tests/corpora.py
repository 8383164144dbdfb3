"""Builders of real test corpora, shared by the tests (imported as `corpora`)."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "sample_datasets"


def write_parquet(path: Path, rows: int, start: int = 0, row_group_size: int = 50) -> None:
    """A real Parquet file with `rows` rows in several row groups."""
    path.parent.mkdir(parents=True, exist_ok=True)
    ids = list(range(start, start + rows))
    table = pa.table({"id": ids, "text": [f"doc {i}" for i in ids]})
    pq.write_table(table, path, row_group_size=row_group_size)


def write_jsonl_gz(path: Path, rows: int) -> None:
    """A gzip-compressed JSON Lines file with `rows` records."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        for i in range(rows):
            fh.write(json.dumps({"q": f"question {i}", "a": f"answer {i}", "score": i}) + "\n")


def make_corpus(root: Path) -> Path:
    """Two small datasets under `root`: `alpha` (Parquet, with a card and LICENSE) and `beta` (JSONL.gz)."""
    alpha = root / "alpha"
    write_parquet(alpha / "data" / "part-0.parquet", 120)
    write_parquet(alpha / "data" / "part-1.parquet", 80, start=120)
    (alpha / "README.md").write_text(
        "---\nlicense: cc-by-4.0\nlanguage: [en]\npretty_name: Alpha\n---\n# Alpha\n\nA small test corpus.\n"
    )
    (alpha / "LICENSE").write_text("Creative Commons Attribution 4.0 International Public License\n")
    beta = root / "beta"
    write_jsonl_gz(beta / "beta-0.jsonl.gz", 30)
    write_jsonl_gz(beta / "beta-1.jsonl.gz", 45)
    return root


def copy_samples(dest: Path) -> Path:
    """A private copy of sample_datasets/ (tests may change it)."""
    shutil.copytree(SAMPLES, dest, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


