"""A rescan where some files changed patches the last write's lines instead of making every line again.

Each test scans a corpus (filling the cache and the kept lines), changes it, rescans it through the
API (to see which path was taken: `Dataset.snapshot.patch`) and writes the DBOM, which must be the
same bytes as a scan without the cache; then the next rescan must copy the new lines unchanged.
"""

from __future__ import annotations

import json
import os
import random
import time
from pathlib import Path

import pytest
from corpora import write_jsonl_changed, write_parquet

import dbom
from dbom.fingerprint.cache import default_cache_dir
from dbom.model import Column, Shard, ShardSummary
from dbom.scanning.cache import SnapshotShards
from dbom.scanning.summary_index import NotExact, SummaryIndex

EPOCH = "1700000000"


@pytest.fixture(autouse=True)
def _epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def _corpus(root: Path) -> Path:
    data = root / "corpus"
    for i in range(30):
        write_jsonl_changed(data / "text" / f"part-{i:03d}.jsonl", [{"text": f"row {i} {j}"} for j in range(i % 4 + 1)])
    for i in range(4):
        write_parquet(data / "tables" / f"t-{i}.parquet", 10 + i)
    (data / "README.md").write_text("---\nlicense: cc-by-4.0\n---\n# corpus\n", encoding="utf-8")
    return data


def _rescan(data: Path, out: Path, *flags: str) -> tuple[bool, bytes]:
    """(whether the lines were patched, the DBOM written) of a cached rescan through the API."""
    options = dbom.ScanOptions(records_digest="--records-digest" in flags, keep_going="--keep-going" in flags)
    scanned = dbom.scan([data], options=options)
    patched = scanned.datasets[0].snapshot is not None and scanned.datasets[0].snapshot.patch is not None
    dbom.write(scanned, out, memo_dir=default_cache_dir())  # as `dbom scan` writes: lines kept
    return patched, out.read_bytes()


def _fresh(data: Path, out: Path, *flags: str) -> bytes:
    options = dbom.ScanOptions(use_cache=False, records_digest="--records-digest" in flags,
                               keep_going="--keep-going" in flags)
    dbom.write(dbom.scan([data], options=options), out)
    return out.read_bytes()


@pytest.mark.parametrize("flags", [(), ("--records-digest",)])
def test_changed_new_and_deleted_files_are_patched_in_and_equal_a_full_scan(tmp_path: Path,
                                                                            flags: tuple[str, ...]) -> None:
    data = _corpus(tmp_path)
    assert _rescan(data, tmp_path / "first.json", *flags)[0] is False
    write_jsonl_changed(data / "text" / "part-007.jsonl", [{"text": "changed", "extra": 1}])  # a new schema, too
    write_jsonl_changed(data / "text" / "part-015b.jsonl", [{"text": "new"}])
    write_jsonl_changed(data / "text" / "zz" / "last.jsonl", [{"text": "new, last"}])
    (data / "text" / "part-020.jsonl").unlink()
    patched, written = _rescan(data, tmp_path / "second.json", *flags)
    assert patched
    assert written == _fresh(data, tmp_path / "fresh.json", *flags)
    component = json.loads(written)["components"][0]
    names = [c["name"] for c in component["components"]]
    assert names == [*sorted(n for n in names if n != "README.md"), "README.md"]
    assert "text/part-020.jsonl" not in names and "text/part-015b.jsonl" in names
    # the next rescan copies the patched lines: the same bytes again
    assert _rescan(data, tmp_path / "third.json", *flags) == (False, written)


def test_a_touched_file_is_read_again_and_the_dbom_unchanged(tmp_path: Path) -> None:
    data = _corpus(tmp_path)
    _, before = _rescan(data, tmp_path / "first.json")
    path = data / "tables" / "t-2.parquet"
    stamp = path.stat().st_mtime_ns + 5_000_000_000
    os.utime(path, ns=(stamp, stamp))
    patched, after = _rescan(data, tmp_path / "second.json")
    assert patched and after == before
    # its shard is the one dropped, field for field: its old line stays, the lines are one run copied
    os.utime(path, ns=(stamp + 1_000_000_000, stamp + 1_000_000_000))
    scanned = dbom.scan([data])
    patch = scanned.datasets[0].snapshot.patch  # type: ignore[union-attr]
    assert patch is not None and patch.segments == ((0, patch.stored.count),)


def test_files_changed_in_place_write_a_delta_of_the_snapshot_until_too_many_did(tmp_path: Path) -> None:
    from dbom.fingerprint.snapshot_file import DELTA_MOST

    data = _corpus(tmp_path)  # 35 files: up to 3 changed since the snapshot file, a delta
    assert int(DELTA_MOST * 35) == 3
    _rescan(data, tmp_path / "first.json")
    folder = default_cache_dir() / "snapshots"
    (whole,) = folder.glob("*.bin")
    stamp = whole.stat().st_mtime_ns
    for step, (name, wanted_delta) in enumerate([("part-003", True), ("part-011", True), ("part-003", True),
                                                 ("part-017", True), ("part-025", False), ("part-004", True)]):
        write_jsonl_changed(data / "text" / f"{name}.jsonl", [{"text": f"step {step}"}])
        patched, written = _rescan(data, tmp_path / f"step-{step}.json")
        assert patched and written == _fresh(data, tmp_path / "fresh.json")
        assert (whole.with_suffix(".delta").exists(), whole.stat().st_mtime_ns == stamp) == (wanted_delta,
                                                                                             wanted_delta), step
        stamp = whole.stat().st_mtime_ns
        # the shards the API reads back from the snapshot (with its delta) are those of a scan without the cache
        cached = dbom.scan([data])
        assert isinstance(cached.datasets[0].shards, SnapshotShards)
        assert list(cached.datasets[0].shards) == list(
            dbom.scan([data], options=dbom.ScanOptions(use_cache=False)).datasets[0].shards)
    assert _rescan(data, tmp_path / "again.json") == (False, written)


@pytest.mark.parametrize("table", ["bom-refs", "offsets"])
def test_a_damaged_table_of_the_kept_lines_is_never_used(tmp_path: Path, table: str) -> None:
    """The kept lines' tables (bom-ref and line digests; offsets and digest lines) are checked against their
    digests: a damaged one is dropped, and the rescan takes the whole path, unchanged or partial."""
    from dbom.scanning.snapshot_lines import _read_header

    data = _corpus(tmp_path)
    _rescan(data, tmp_path / "first.json")
    (kept,) = (default_cache_dir() / "lines").glob("*.bin")
    header = _read_header(kept)
    assert header is not None and header.get("body_file")  # linked: the tables start the file
    data_bytes = bytearray(kept.read_bytes())
    if table == "bom-refs":  # line 1's bom-ref digest made line 0's: used, it would be a duplicate bom-ref
        data_bytes[16:32] = data_bytes[0:16]
    else:
        data_bytes[32 * int(header["count"]) + 3] ^= 0x01
    kept.write_bytes(bytes(data_bytes))
    if table == "offsets":  # read by a partial rescan only
        write_jsonl_changed(data / "text" / "part-004.jsonl", [{"text": "changed"}])
    patched, written = _rescan(data, tmp_path / "second.json")
    assert not patched and written == _fresh(data, tmp_path / "fresh.json")
    assert _rescan(data, tmp_path / "third.json") == (False, written)  # kept again, intact


def test_removing_the_first_shard_of_a_format_takes_the_whole_path(tmp_path: Path) -> None:
    data = _corpus(tmp_path)
    _rescan(data, tmp_path / "first.json")
    (data / "tables" / "t-0.parquet").unlink()  # the first Parquet shard: the next one is not known
    patched, written = _rescan(data, tmp_path / "second.json")
    assert not patched
    assert written == _fresh(data, tmp_path / "fresh.json")


def test_a_changed_document_takes_the_whole_path(tmp_path: Path) -> None:
    data = _corpus(tmp_path)
    _rescan(data, tmp_path / "first.json")
    (data / "README.md").write_text("---\nlicense: mit\n---\n# corpus, now MIT\n", encoding="utf-8")
    patched, written = _rescan(data, tmp_path / "second.json")
    assert not patched
    assert written == _fresh(data, tmp_path / "fresh.json")
    assert '"MIT"' in written.decode()


def test_a_shard_that_became_unreadable_takes_the_whole_path_and_is_recorded(tmp_path: Path) -> None:
    data = _corpus(tmp_path)
    _rescan(data, tmp_path / "first.json", "--keep-going")
    broken = data / "text" / "part-011.jsonl"
    broken.write_text('{"text": "fine"}\n{not json\n', encoding="utf-8")
    stamp = time.time_ns() + 3_000_000_000
    os.utime(broken, ns=(stamp, stamp))
    patched, written = _rescan(data, tmp_path / "second.json", "--keep-going")
    assert not patched
    assert written == _fresh(data, tmp_path / "fresh.json", "--keep-going")
    assert "dbom:error" in written.decode()


def test_a_dataset_that_changed_mostly_takes_the_whole_path(tmp_path: Path) -> None:
    data = _corpus(tmp_path)
    _rescan(data, tmp_path / "first.json")
    for i in range(0, 30, 2):
        write_jsonl_changed(data / "text" / f"part-{i:03d}.jsonl", [{"text": f"rewritten {i}"}])
    patched, written = _rescan(data, tmp_path / "second.json")
    assert not patched
    assert written == _fresh(data, tmp_path / "fresh.json")


# --- the summary's index against the summary made from every shard --------------------------------------

SCHEMAS = [(Column("text", "string"),), (Column("text", "string"), Column("id", "int64")),
           (Column("id", "string"),), (Column("license", "string"), Column("text", "string"))]


def _shard(rng: random.Random, path: str) -> Shard:
    fmt, compression = rng.choice([("jsonl", None), ("jsonl", "gzip"), ("parquet", None)])
    columns = rng.choice([*SCHEMAS, None])
    records = rng.choice([None, rng.randrange(100)])
    digest = rng.choice([None, f"sum64:{rng.getrandbits(64):016x}", f"sum64:{rng.getrandbits(64):016x}"])
    return Shard(path=path, bytes=rng.randrange(1, 10_000), format=fmt, xxh3_128="0" * 32,
                 compression=compression, records=records, uncompressed_bytes=rng.choice([None, 5]),
                 columns=columns, error=rng.choice([None] * 9 + ["broken"]), records_digest=digest)


def test_the_index_gives_the_summary_of_the_shards_through_any_change() -> None:
    rng = random.Random(7)
    exact = inexact = 0
    for _trial in range(300):
        shards = {f"p{rng.randrange(10_000):05d}": None for _ in range(rng.randrange(0, 12))}
        now = {path: _shard(rng, path) for path in shards}
        index = SummaryIndex.from_json(json.loads(json.dumps(SummaryIndex.of(sorted(
            now.values(), key=lambda s: s.path)).to_json())))
        removed = rng.sample(sorted(now), rng.randrange(0, len(now) + 1))
        added = [_shard(rng, f"p{rng.randrange(10_000):05d}x") for _ in range(rng.randrange(0, 4))]
        added += [_shard(rng, path) for path in removed if rng.random() < 0.5]  # changed files: read again
        try:
            for path in removed:
                index.remove(now.pop(path))
            for shard in added:
                index.add(shard)
                now[shard.path] = shard
            summary = index.summary()
        except NotExact:
            inexact += 1
            continue
        exact += 1
        assert summary == ShardSummary.of(sorted(now.values(), key=lambda s: s.path))
    assert exact > 150 and inexact > 10  # both kinds of change were met


def test_a_partial_rescan_keeps_the_files_read_in_the_snapshot_not_in_per_file_entries(tmp_path: Path) -> None:
    """The files a partial rescan reads go to its snapshot's delta; the per-file entries are neither written nor
    dropped. Should the snapshot be lost, the entries still give the unchanged files and the changed one is read."""
    import sqlite3

    from dbom.fingerprint.cache import CACHE_FORMAT
    from dbom.scanning.scanner import ScanStats

    data = _corpus(tmp_path)
    _rescan(data, tmp_path / "first.json")
    database = default_cache_dir() / f"fingerprints-v{CACHE_FORMAT}.sqlite"

    def entries() -> list[tuple[str, str]]:
        db = sqlite3.connect(database)
        try:
            return sorted(db.execute("SELECT key, value FROM entries"))
        finally:
            db.close()

    before = entries()
    assert len(before) == 35
    write_jsonl_changed(data / "text" / "part-009.jsonl", [{"text": "changed"}])
    patched, written = _rescan(data, tmp_path / "second.json")
    assert patched and written == _fresh(data, tmp_path / "fresh.json")
    assert entries() == before
    stats = ScanStats()
    assert dbom.scan([data], stats=stats) == dbom.scan([data], options=dbom.ScanOptions(use_cache=False))
    assert stats.files_read == 0  # the snapshot's delta holds the changed file
    for kept in (default_cache_dir() / "snapshots").iterdir():
        kept.unlink()
    db = sqlite3.connect(database)
    with db:
        db.execute("DELETE FROM snapshots")
    db.close()
    stats = ScanStats()
    assert dbom.scan([data], stats=stats) == dbom.scan([data], options=dbom.ScanOptions(use_cache=False))
    assert stats.files_read == 1 and stats.cache_hits == 34


def test_a_path_with_a_tab_or_a_newline_is_never_patched_in(tmp_path: Path) -> None:
    """The kept digest lines are `path<TAB>digest<LF>`, bisected by path: a path holding a tab or a line end (or
    another control character) would break them. A change that brings one takes the whole path, and so does
    every later change while such a file is there; once it is gone, patches come back."""
    from dbom.scanning.snapshot_lines import _read_header

    data = _corpus(tmp_path)
    _rescan(data, tmp_path / "first.json")
    odd = data / "text" / "part-005\tand\nmore.jsonl"
    write_jsonl_changed(odd, [{"text": "odd name"}])
    patched, written = _rescan(data, tmp_path / "second.json")
    assert not patched and written == _fresh(data, tmp_path / "fresh.json")
    (kept,) = (default_cache_dir() / "lines").glob("*.bin")
    assert _read_header(kept)["digest_lines"] is False  # type: ignore[index]
    write_jsonl_changed(data / "text" / "part-009.jsonl", [{"text": "changed"}])
    patched, written = _rescan(data, tmp_path / "third.json")
    assert not patched and written == _fresh(data, tmp_path / "fresh.json")
    odd.unlink()
    _rescan(data, tmp_path / "fourth.json")
    write_jsonl_changed(data / "text" / "part-010.jsonl", [{"text": "changed too"}])
    patched, written = _rescan(data, tmp_path / "fifth.json")
    assert patched and written == _fresh(data, tmp_path / "fresh.json")
    assert _read_header(kept)["digest_lines"] is True  # type: ignore[index]


@pytest.mark.parametrize("how", ["missing", "refused"])
def test_runs_are_written_where_the_kernel_cannot_copy_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            how: str) -> None:
    """A patched write copies its runs with copy_file_range; without it (another platform, or a filesystem that
    refuses it) the runs are written from the mapped lines: the same DBOM."""
    import errno

    data = _corpus(tmp_path)
    _rescan(data, tmp_path / "first.json")
    write_jsonl_changed(data / "text" / "part-012.jsonl", [{"text": "changed"}])

    def refuse(*args: object) -> int:
        raise OSError(errno.EXDEV, "cross-device")

    with monkeypatch.context() as patch:  # (not `undo`: it would take back the fixtures' settings too)
        if how == "missing":
            patch.delattr(os, "copy_file_range", raising=False)
        else:
            patch.setattr(os, "copy_file_range", refuse)
        patched, written = _rescan(data, tmp_path / "second.json")
    assert patched and written == _fresh(data, tmp_path / "fresh.json")
    assert _rescan(data, tmp_path / "third.json") == (False, written)
