"""A snapshot's file is read back only whole, and only as the snapshot its row names; so is a delta of it."""

from __future__ import annotations

from pathlib import Path

import xxhash

from dbom.fingerprint.snapshot_file import (
    delta_path,
    read_snapshot,
    remove_snapshot,
    snapshot_path,
    write_delta,
    write_snapshot,
)

LISTING = "a" * 32
RECORDS = '["shard", 1]\n["doc", "é"]'.encode()
DIGEST = xxhash.xxh3_128_hexdigest(RECORDS + (0).to_bytes(8, "little") + (13).to_bytes(8, "little"))


def _written(tmp_path: Path) -> Path:
    path = snapshot_path(tmp_path, "some/root/\0sha256\0[[], []]")
    assert write_snapshot(path, LISTING, RECORDS, b'["x.jsonl", "README.md"]', bytes(range(80))) == DIGEST
    return path


def test_a_snapshot_reads_back_as_written(tmp_path: Path) -> None:
    path = _written(tmp_path)
    assert path.parent == tmp_path / "snapshots" and not [p for p in path.parent.iterdir() if p != path]
    found = read_snapshot(path, LISTING, DIGEST)
    assert found is not None
    assert (found.records, found.paths, found.identities) == (RECORDS.decode(), '["x.jsonl", "README.md"]',
                                                              bytes(range(80)))
    assert found.base == (LISTING, DIGEST) and found.changed == ()
    assert len(found) == 2 and [found.line(0), found.line(1)] == found.lines == ['["shard", 1]', '["doc", "é"]']


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


def test_a_delta_reads_back_as_its_base_with_its_changes(tmp_path: Path) -> None:
    path = _written(tmp_path)
    identity = bytes(range(100, 140))  # 40 bytes a file, as the base's 80 for two
    digest = write_delta(path, "c" * 32, (LISTING, DIGEST), [1], ['["doc", "new"]'], identity)
    assert delta_path(path).exists() and digest != DIGEST
    found = read_snapshot(path, "c" * 32, digest)
    assert found is not None
    assert found.records == '["shard", 1]\n["doc", "new"]' and found.paths == '["x.jsonl", "README.md"]'
    assert found.identities == bytes(range(40)) + identity
    assert found.base == (LISTING, DIGEST) and found.changed == (1,)
    assert [found.line(0), found.line(1)] == found.lines == ['["shard", 1]', '["doc", "new"]']
    assert read_snapshot(path, LISTING, DIGEST) is not None  # the base is still itself
    # a delta with no change is the base, under its own digest
    empty = write_delta(path, "d" * 32, (LISTING, DIGEST), [], [], b"")
    assert read_snapshot(path, "d" * 32, empty).records == RECORDS.decode()  # type: ignore[union-attr]


def test_a_damaged_delta_or_another_base_finds_none(tmp_path: Path) -> None:
    path = _written(tmp_path)
    digest = write_delta(path, "c" * 32, (LISTING, DIGEST), [0], ['["shard", 2]'], bytes(40))
    data = delta_path(path).read_bytes()
    at = data.index(b'["shard", 2]')
    delta_path(path).write_bytes(data[:at] + b"[" + data[at:-1])  # a changed byte: the delta's digest no longer matches
    assert read_snapshot(path, "c" * 32, digest) is None
    delta_path(path).write_bytes(data)
    assert read_snapshot(path, "c" * 32, digest) is not None
    other = RECORDS.replace(b"1", b"3")
    write_snapshot(path, LISTING, other, b'["x.jsonl", "README.md"]', bytes(80))
    assert not delta_path(path).exists()  # a whole snapshot written drops the delta of the one it replaced
    delta_path(path).write_bytes(data)  # and a delta of another base than the file's is none
    assert read_snapshot(path, "c" * 32, digest) is None
    bad = write_delta(path, "e" * 32, (LISTING, DIGEST), [5], ['["shard", 2]'], bytes(40))  # no file 5
    assert read_snapshot(path, "e" * 32, bad) is None
    remove_snapshot(path)
    assert not delta_path(path).exists() and not path.exists()
