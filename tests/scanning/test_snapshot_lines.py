"""A rescan copies an unchanged dataset's file components from the lines the last write kept.

Every test compares with what a scan without the cache writes: the copied DBOM must be the same
bytes, and any change (a file, the dataset's name, the spec version, a damaged cache file) must be
seen.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from corpora import write_parquet
from helpers import datasets_by_name, load_json, run_dbom, shards_of

import dbom
from dbom.cyclonedx.validate import StreamingValidator
from dbom.scanning.cache import SnapshotShards
from dbom.scanning.snapshot_lines import MAGIC

EPOCH = {"SOURCE_DATE_EPOCH": "1700000000"}


def _scan(corpus: Path, out: Path, *extra: str) -> bytes:
    done = run_dbom("scan", str(corpus / "alpha"), str(corpus / "beta"), "-o", str(out), "-q", *extra, env=EPOCH)
    assert done.returncode == 0, done.stderr
    return out.read_bytes()


def _kept() -> list[Path]:
    folder = Path(os.environ["DBOM_CACHE_DIR"]) / "lines"
    return sorted(folder.glob("*.bin")) if folder.is_dir() else []


def test_a_rescan_copies_the_kept_lines_and_writes_the_same_bytes(corpus: Path, tmp_path: Path) -> None:
    fresh = _scan(corpus, tmp_path / "fresh.json", "--no-cache")
    assert not _kept()
    first = _scan(corpus, tmp_path / "first.json")
    kept = _kept()
    assert len(kept) == 2 and all(path.read_bytes().endswith(MAGIC) for path in kept)  # one per dataset
    stamps = [path.stat().st_mtime_ns for path in kept]
    second = _scan(corpus, tmp_path / "second.json")
    assert first == second == fresh
    # copied, not made again: the kept files were read, not replaced
    assert [path.stat().st_mtime_ns for path in _kept()] == stamps


def test_a_changed_file_is_not_copied_from_the_kept_lines(corpus: Path, tmp_path: Path) -> None:
    _scan(corpus, tmp_path / "first.json")
    time.sleep(0.01)
    write_parquet(corpus / "alpha" / "data" / "part-1.parquet", 81, start=120)
    changed = _scan(corpus, tmp_path / "changed.json")
    fresh = _scan(corpus, tmp_path / "fresh.json", "--no-cache")
    assert changed == fresh
    shard = shards_of(datasets_by_name(load_json(tmp_path / "changed.json"))["alpha"])["data/part-1.parquet"]
    assert {p["name"]: p["value"] for p in shard["properties"]}["dbom:records"] == "81"
    # and the rescan after it copies the new lines
    assert _scan(corpus, tmp_path / "again.json") == fresh


def test_a_new_file_outside_the_selection_changes_nothing_but_is_seen(corpus: Path, tmp_path: Path) -> None:
    first = _scan(corpus, tmp_path / "first.json")
    (corpus / "beta" / "notes.tmp").write_text("scratch\n")
    second = _scan(corpus, tmp_path / "second.json")
    fresh = _scan(corpus, tmp_path / "fresh.json", "--no-cache")
    assert second == fresh
    assert first != second  # the new file is a shard of beta: the listing changed, so nothing stale was copied


def test_lines_kept_for_one_name_or_version_are_not_copied_into_another(corpus: Path, tmp_path: Path) -> None:
    _scan(corpus, tmp_path / "first.json")
    renamed = corpus / "gamma"
    (corpus / "alpha").rename(renamed)
    done = run_dbom("scan", str(renamed), "-o", str(tmp_path / "gamma.json"), "-q", env=EPOCH)
    assert done.returncode == 0, done.stderr
    refs = [c["bom-ref"] for c in datasets_by_name(load_json(tmp_path / "gamma.json"))["gamma"]["components"]]
    assert refs and all(ref.startswith("file:gamma/") for ref in refs)
    (renamed).rename(corpus / "alpha")
    v17 = _scan(corpus, tmp_path / "v17.json", "--spec-version", "1.7")
    assert v17 == _scan(corpus, tmp_path / "v17-fresh.json", "--spec-version", "1.7", "--no-cache")
    assert run_dbom("validate", str(tmp_path / "v17.json")).returncode == 0


def _flip_in_place(path: Path, at: int) -> None:
    """Change one byte of `path` without replacing the file (its inode, so its hard links, stay)."""
    with open(path, "r+b") as fh:
        fh.seek(at)
        byte = fh.read(1)
        fh.seek(at)
        fh.write(bytes([byte[0] ^ 0x20]))


@pytest.fixture
def other_disk() -> Iterator[Path]:
    """A folder on a tmpfs: not the disk the cache is on, so a DBOM written there cannot be linked."""
    shm = Path("/dev/shm")
    assert shm.stat().st_dev != Path(os.environ["DBOM_CACHE_DIR"]).parent.stat().st_dev
    folder = Path(tempfile.mkdtemp(dir=shm))
    yield folder
    shutil.rmtree(folder)


def test_a_damaged_kept_file_is_dropped_and_the_dataset_scanned_again(corpus: Path, tmp_path: Path,
                                                                      other_disk: Path) -> None:
    fresh = _scan(corpus, tmp_path / "fresh.json", "--no-cache")
    _scan(corpus, other_disk / "first.json")  # the lines copied into the kept files
    for path in _kept():
        _flip_in_place(path, 5)  # a byte of the lines themselves (kept in the file): the header still reads
    assert _scan(corpus, tmp_path / "second.json") == fresh
    assert len(_kept()) == 2  # kept again, intact
    assert _scan(corpus, tmp_path / "third.json") == fresh


def test_the_kept_lines_are_the_dbom_itself_linked_and_checked(corpus: Path, tmp_path: Path) -> None:
    fresh = _scan(corpus, tmp_path / "fresh.json", "--no-cache")
    first = tmp_path / "first.json"
    _scan(corpus, first)
    bodies = [path.with_suffix(".body") for path in _kept()]
    assert len(bodies) == 2 and all(body.stat().st_ino == first.stat().st_ino for body in bodies)
    # the DBOM edited in place (a byte of a file component): its kept lines no longer match, never copied
    text = first.read_bytes()
    _flip_in_place(first, text.index(b'"file:alpha/') + 7)
    assert _scan(corpus, tmp_path / "second.json") == fresh
    stamps = [path.stat().st_mtime_ns for path in _kept()]
    # the DBOM removed: its kept lines are still there, and copied
    (tmp_path / "second.json").unlink()
    assert _scan(corpus, tmp_path / "third.json") == fresh
    assert [path.stat().st_mtime_ns for path in _kept()] == stamps


def test_a_dbom_on_another_filesystem_has_its_lines_copied_into_the_cache(corpus: Path, tmp_path: Path,
                                                                         other_disk: Path) -> None:
    fresh = _scan(corpus, tmp_path / "fresh.json", "--no-cache")
    _scan(corpus, tmp_path / "linked.json")
    assert len([path for path in _kept() if path.with_suffix(".body").exists()]) == 2
    assert _scan(corpus, other_disk / "first.json", "--spec-version", "1.7") != fresh  # lines made again, copied
    kept = _kept()
    assert len(kept) == 2 and not any(path.with_suffix(".body").exists() for path in kept)  # the old links gone
    assert all(b'"file:alpha/' in path.read_bytes() or b'"file:beta/' in path.read_bytes() for path in kept)
    stamps = [path.stat().st_mtime_ns for path in kept]
    again = _scan(corpus, other_disk / "second.json", "--spec-version", "1.7")
    assert again == _scan(corpus, tmp_path / "fresh-1.7.json", "--spec-version", "1.7", "--no-cache")
    assert [path.stat().st_mtime_ns for path in _kept()] == stamps  # copied from, not replaced


def test_the_api_reads_the_shards_of_a_copied_dataset_from_the_snapshot(corpus: Path, tmp_path: Path) -> None:
    _scan(corpus, tmp_path / "first.json", "--profile", "off")  # as the API's default: lines kept alike
    cached = dbom.scan([corpus / "alpha", corpus / "beta"])
    fresh = dbom.scan([corpus / "alpha", corpus / "beta"], options=dbom.ScanOptions(use_cache=False))
    assert any(isinstance(d.shards, SnapshotShards) for d in cached.datasets)
    for mine, theirs in zip(cached.datasets, fresh.datasets, strict=True):
        assert list(mine.shards) == list(theirs.shards) and mine.summary == theirs.summary
        assert mine.digest == theirs.digest and mine.docs == theirs.docs
    assert cached.datasets == fresh.datasets


def test_a_bom_ref_copied_twice_is_a_problem_naming_it() -> None:
    import xxhash

    ref = "file:a/b.jsonl"
    digest = xxhash.xxh3_128_digest(ref.encode())
    checker = StreamingValidator(None)
    parent = (None, "components")
    checker.known_items((parent, 0), digest + digest, lambda i: ref)
    problems = checker.finish({"bomFormat": "CycloneDX", "specVersion": "1.6", "components": []}, header=[])
    assert any("duplicate bom-ref" in p and ref in p for p in problems), problems


@pytest.mark.parametrize("cut", [1, 40])
def test_a_truncated_kept_file_is_not_used(corpus: Path, tmp_path: Path, cut: int) -> None:
    fresh = _scan(corpus, tmp_path / "fresh.json", "--no-cache")
    _scan(corpus, tmp_path / "first.json")
    for path in _kept():
        path.write_bytes(path.read_bytes()[:-cut])
    assert _scan(corpus, tmp_path / "second.json") == fresh
