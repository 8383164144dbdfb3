"""The incremental cache: an unchanged corpus is only stat'ed, and gives the same DBOM."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from corpora import write_parquet

import dbom
from dbom.scanner import ScanOptions, ScanStats


def _scan(corpus: Path, **options: object) -> tuple[dbom.Dbom, ScanStats]:
    stats = ScanStats()
    result = dbom.scan([corpus / "alpha", corpus / "beta"], options=ScanOptions(**options), stats=stats)  # type: ignore[arg-type]
    return result, stats


def test_second_scan_reads_no_file_and_gives_the_same_model(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    first, stats1 = _scan(corpus)
    assert stats1.files_read == 6 and stats1.cache_hits == 0
    second, stats2 = _scan(corpus)
    assert stats2.files_read == 0 and stats2.cache_hits == 6
    assert second == first


def test_a_changed_file_is_read_again(corpus: Path) -> None:
    first, _ = _scan(corpus)
    target = corpus / "alpha" / "data" / "part-1.parquet"
    write_parquet(target, 81, start=120)
    second, stats = _scan(corpus)
    assert stats.files_read == 1 and stats.cache_hits == 5
    shard = next(s for d in second.datasets for s in d.shards if s.path == "data/part-1.parquet")
    assert shard.records == 81
    assert second.datasets[0].digest != first.datasets[0].digest


def test_cache_is_keyed_on_the_digests_asked_for(corpus: Path) -> None:
    _scan(corpus, hashes=())
    with_sha, stats = _scan(corpus, hashes=("sha256",))
    assert stats.cache_hits == 0
    assert all(s.sha256 for d in with_sha.datasets for s in d.shards)


def test_no_cache_reads_everything_and_writes_nothing(corpus: Path, tmp_path: Path) -> None:
    cache_dir = Path(os.environ["DBOM_CACHE_DIR"])
    _, stats = _scan(corpus, use_cache=False)
    assert stats.files_read == 6
    assert not any(cache_dir.iterdir())
