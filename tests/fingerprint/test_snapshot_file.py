"""A snapshot's file is read back only whole, and only as the snapshot its row names."""

from __future__ import annotations

from pathlib import Path

import xxhash

from dbom.fingerprint.snapshot_file import read_snapshot, remove_snapshot, snapshot_path, write_snapshot

LISTING = "a" * 32
RECORDS = '["shard", 1]\n["doc", "é"]'.encode()
DIGEST = xxhash.xxh3_128_hexdigest(RECORDS)


def _written(tmp_path: Path) -> Path:
    path = snapshot_path(tmp_path, "some/root/\0sha256\0[[], []]")
    write_snapshot(path, LISTING, DIGEST, RECORDS, b'["x.jsonl", "README.md"]', bytes(range(80)))
    return path


def test_a_snapshot_reads_back_as_written(tmp_path: Path) -> None:
    path = _written(tmp_path)
    assert path.parent == tmp_path / "snapshots" and not [p for p in path.parent.iterdir() if p != path]
    assert read_snapshot(path, LISTING, DIGEST) == (RECORDS.decode(), '["x.jsonl", "README.md"]', bytes(range(80)))


def test_another_listing_or_digest_finds_none(tmp_path: Path) -> None:
    path = _written(tmp_path)
    assert read_snapshot(path, "b" * 32, DIGEST) is None
    assert read_snapshot(path, LISTING, "0" * 32) is None
    assert read_snapshot(path, LISTING, DIGEST[:-1]) is None


def test_a_damaged_or_missing_file_finds_none(tmp_path: Path) -> None:
    path = _written(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[:-1])  # cut short
    assert read_snapshot(path, LISTING, DIGEST) is None
    path.write_bytes(data + b"\0")  # a byte too many
    assert read_snapshot(path, LISTING, DIGEST) is None
    at = data.index(RECORDS)
    path.write_bytes(data[:at] + b"{" + data[at + 1:])  # a record changed: its digest no longer matches
    assert read_snapshot(path, LISTING, DIGEST) is None
    remove_snapshot(path)
    assert read_snapshot(path, LISTING, DIGEST) is None
    remove_snapshot(path)  # nothing there: no error
