"""The incremental cache: an unchanged corpus is only stat'ed, and gives the same DBOM."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from corpora import copy_samples, write_parquet

import dbom
from dbom.fingerprint.cache import FingerprintCache
from dbom.fingerprint.snapshot_file import snapshot_path, write_snapshot
from dbom.manifest import DatasetEntry, Manifest
from dbom.scanning.scanner import ScanOptions, ScanStats
from dbom.sources.local import STAT_BYTES


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


def _cache() -> FingerprintCache:
    return FingerprintCache(Path(os.environ["DBOM_CACHE_DIR"]))


def _keys_of(cache: FingerprintCache, path: Path) -> list[str]:
    return sorted(cache.under(f"{path}\0"))


def test_a_sibling_folder_sharing_the_name_prefix_is_not_taken_from_the_cache(corpus: Path) -> None:
    alpha2 = corpus / "alpha2"  # "alpha2/..." sorts right after "alpha/..." in the keys
    shutil.copytree(corpus / "alpha", alpha2)
    _scan(corpus)
    cache = _cache()
    try:
        under_alpha = cache.under(f"{corpus / 'alpha'}{os.sep}")
    finally:
        cache.close()
    assert len(under_alpha) == 4 and not any(k.startswith(str(alpha2)) for k in under_alpha)
    stats = ScanStats()
    copy = dbom.scan([alpha2], stats=stats)
    assert stats.files_read == 4 and stats.cache_hits == 0
    _, again = _scan(corpus)
    assert again.files_read == 0 and again.cache_hits == 6
    original = next(d for d in _scan(corpus)[0].datasets if d.name == "alpha")
    assert copy.datasets[0].shards == original.shards


def test_a_file_read_again_replaces_its_old_entry_and_keeps_other_digest_sets(corpus: Path) -> None:
    target = corpus / "alpha" / "data" / "part-1.parquet"
    _scan(corpus, hashes=())
    _scan(corpus)
    write_parquet(target, 81, start=120)
    _, stats = _scan(corpus)
    assert stats.files_read == 1 and stats.cache_hits == 5
    cache = _cache()
    try:
        keys = _keys_of(cache, target)
    finally:
        cache.close()
    # one entry for the file as it is now (sha256), one for the `--hash none` scan of its former self
    assert [k.rsplit("\0", 1)[-1] for k in keys] == ["", "sha256"]
    assert keys[1].split("\0")[1] == str(target.stat().st_size)


def test_a_one_file_dataset_is_cached_too(corpus: Path) -> None:
    one = corpus / "beta" / "beta-0.jsonl.gz"
    first_stats, second_stats = ScanStats(), ScanStats()
    first = dbom.scan([one], stats=first_stats)
    second = dbom.scan([one], stats=second_stats)
    assert first_stats.files_read == 1 and second_stats.files_read == 0 and second_stats.cache_hits == 1
    assert second.datasets == first.datasets


def test_records_come_back_identical_for_every_kind_of_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    root = copy_samples(tmp_path / "samples")
    manifest = root / "dbom.yaml"
    for hashes in ((), ("sha256", "blake3")):
        options = ScanOptions(hashes=hashes)
        stats = ScanStats()
        first = dbom.scan(manifest=manifest, options=options)
        second = dbom.scan(manifest=manifest, options=options, stats=stats)
        assert stats.files_read == 0 and stats.cache_hits > 0
        assert second == first
        assert any(d.docs for d in second.datasets) and any(s.columns for d in second.datasets for s in d.shards)


def test_per_record_licenses_are_counted_the_same_from_the_cache(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    data = tmp_path / "mixed"
    data.mkdir()
    for index, licenses in enumerate((["mit", "cc-by-4.0"], ["mit", None, "mit"])):  # one schema, shared
        pq.write_table(pa.table({"text": ["x" * (index + 3)] * len(licenses), "license": licenses}),
                       data / f"part-{index}.parquet")
    pq.write_table(pa.table({"text": ["no license column"]}), data / "other.parquet")
    first_stats, second_stats = ScanStats(), ScanStats()
    first = dbom.scan([data], stats=first_stats)
    second = dbom.scan([data], stats=second_stats)
    assert first_stats.files_read == 3 and second_stats.cache_hits == 3 and second_stats.files_read == 0
    counted = {share.license: share.records for share in second.datasets[0].record_licenses}
    assert counted == {"MIT": 3, "CC-BY-4.0": 1, "(none)": 1}
    assert second.datasets == first.datasets


def test_a_damaged_or_unforeseen_entry_is_a_miss_not_a_crash(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An entry written by a development build (an object, not an array) or cut short is read again."""
    import sqlite3

    from dbom.fingerprint.cache import CACHE_FORMAT

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    first, _ = _scan(corpus)
    folder = Path(os.environ["DBOM_CACHE_DIR"])
    db = sqlite3.connect(folder / f"fingerprints-v{CACHE_FORMAT}.sqlite")
    with db:
        keys = sorted(key for (key,) in db.execute("SELECT key FROM entries"))
        damaged = {keys[0]: '{"format": "parquet", "bytes": 1}', keys[1]: '["shard", "parq', keys[2]: '["shard"]'}
        db.executemany("UPDATE entries SET value = ? WHERE key = ?", [(v, k) for k, v in damaged.items()])
        snapshots = sorted(db.execute("SELECT key, listing FROM snapshots"))
        # and the datasets' snapshots: one cut short, one holding records of another shape (whole, its digest
        # the row's)
        assert len(snapshots) == 2
        short = snapshot_path(folder, snapshots[0][0])
        short.write_bytes(short.read_bytes()[:-7])
        records = b'["blob", 1]\n["doc"]'
        digest = write_snapshot(snapshot_path(folder, snapshots[1][0]), snapshots[1][1], records, b'["a", "b"]',
                                bytes(2 * STAT_BYTES))
        db.execute("UPDATE snapshots SET digest = ? WHERE key = ?", (digest, snapshots[1][0]))
    db.close()
    second, stats = _scan(corpus)
    assert stats.files_read == 3 and stats.cache_hits == 3
    assert second == first
    third, stats = _scan(corpus)  # the entries were rewritten
    assert stats.files_read == 0 and third == first


def _drop_file_entries() -> None:
    import sqlite3

    from dbom.fingerprint.cache import CACHE_FORMAT

    db = sqlite3.connect(Path(os.environ["DBOM_CACHE_DIR"]) / f"fingerprints-v{CACHE_FORMAT}.sqlite")
    with db:
        db.execute("DELETE FROM entries")
    db.close()


def test_an_unchanged_dataset_comes_whole_from_its_snapshot(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    first, _ = _scan(corpus)
    _drop_file_entries()  # only the snapshots are left
    second, stats = _scan(corpus)
    assert stats.files_read == 0 and stats.cache_hits == 6
    assert second == first


@pytest.mark.parametrize("change", ["touch", "rename", "new file", "removed file", "include"])
def test_a_changed_listing_reads_only_what_changed(corpus: Path, monkeypatch: pytest.MonkeyPatch, change: str) -> None:
    """A change to a file's name or stat, or to which files are listed, reads that file alone: the snapshot
    still gives the others (the per-file entries are gone: only the snapshot can have answered)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    alpha = corpus / "alpha"
    _scan(corpus)
    _drop_file_entries()
    target = alpha / "data" / "part-1.parquet"
    if change == "touch":  # same bytes, new mtime: the file's key changes
        os.utime(target, ns=(target.stat().st_atime_ns, target.stat().st_mtime_ns + 1_000_000_000))
    elif change == "rename":
        target.rename(alpha / "data" / "part-9.parquet")
    elif change == "new file":
        write_parquet(alpha / "data" / "part-7.parquet", 5)
    elif change == "removed file":
        target.unlink()
    expected = dbom.scan([alpha, corpus / "beta"], options=ScanOptions(use_cache=False))
    if change == "include":
        entry = DatasetEntry(name="alpha", path=alpha, include=("data/**",))
        stats = ScanStats()
        scanned = dbom.scan([corpus / "beta"], manifest=Manifest(datasets=(entry,)), stats=stats)
        assert stats.files_read > 0 and stats.cache_hits == 2  # beta: its snapshot; alpha: listed otherwise
        assert [s.path for s in scanned.datasets[0].shards] == [s.path for s in expected.datasets[0].shards
                                                                   if s.path.startswith("data/")]
        return
    scanned, stats = _scan(corpus)
    files = sum(len(d.shards) + len(d.docs) for d in expected.datasets)
    changed = 0 if change == "removed file" else 1  # the touched, renamed or new file
    assert stats.files_read == changed and stats.cache_hits == files - changed
    assert scanned.datasets == expected.datasets


def test_a_dataset_too_large_for_a_snapshot_is_cached_file_by_file(
        corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    from dbom.fingerprint import cache as cache_module

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    monkeypatch.setattr(cache_module, "SNAPSHOT_MAX_CHARS", 600)  # alpha's records are longer, beta's shorter
    first, _ = _scan(corpus)
    second, stats = _scan(corpus)
    assert stats.files_read == 0 and stats.cache_hits == 6 and second == first
    db = sqlite3.connect(Path(os.environ["DBOM_CACHE_DIR"]) / f"fingerprints-v{cache_module.CACHE_FORMAT}.sqlite")
    try:
        keys = [key for (key,) in db.execute("SELECT key FROM snapshots")]
    finally:
        db.close()
    folder = Path(os.environ["DBOM_CACHE_DIR"])
    assert len(keys) == 1  # beta's: alpha's records are too long, and its file is not there either
    assert sorted((folder / "snapshots").iterdir()) == [snapshot_path(folder, keys[0])]


def _entry_paths() -> set[str]:
    cache = _cache()
    try:
        return {key.partition("\0")[0] for key in cache.under("")}
    finally:
        cache.close()


def test_entries_of_files_gone_are_dropped_and_those_of_files_left_out_are_kept(corpus: Path) -> None:
    alpha = corpus / "alpha"
    gone, kept = alpha / "data" / "part-1.parquet", alpha / "data" / "part-0.parquet"
    _scan(corpus)
    assert {str(gone), str(kept)} <= _entry_paths()
    gone.unlink()
    _, stats = _scan(corpus)
    assert stats.files_read == 0  # nothing changed but a file less: no file is read again
    paths = _entry_paths()
    assert str(gone) not in paths and str(kept) in paths
    # a dataset of the same root whose include leaves part-0 out does not drop its entry
    entry = DatasetEntry(name="alpha", path=alpha, include=("README.md",))
    write_parquet(alpha / "data" / "part-5.parquet", 3)  # a change, so the per-file entries are looked up
    dbom.scan(manifest=Manifest(datasets=(entry,)))
    assert str(kept) in _entry_paths()


def _entry_path_list() -> list[str]:
    """The file path of every per-file entry in the cache, sorted."""
    import sqlite3

    from dbom.fingerprint.cache import CACHE_FORMAT

    db = sqlite3.connect(Path(os.environ["DBOM_CACHE_DIR"]) / f"fingerprints-v{CACHE_FORMAT}.sqlite")
    paths = sorted(key.partition("\0")[0] for (key,) in db.execute("SELECT key FROM entries"))
    db.close()
    return paths


def test_a_partly_changed_dataset_drops_the_entries_of_changed_and_removed_files(
        corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    _scan(corpus)
    before = _entry_path_list()
    touched, removed = corpus / "alpha" / "data" / "part-1.parquet", corpus / "alpha" / "data" / "part-0.parquet"
    assert str(touched) in before and str(removed) in before
    os.utime(touched, ns=(touched.stat().st_atime_ns, touched.stat().st_mtime_ns + 1_000_000_000))
    removed.unlink()
    _, stats = _scan(corpus)
    assert stats.files_read == 1
    after = _entry_path_list()
    # the touched file has one entry (its new one), the removed file none, the others theirs as before
    assert after == sorted(p for p in before if p != str(removed))
    assert after.count(str(touched)) == 1


def test_a_file_read_by_a_run_that_did_not_finish_is_not_read_again(
        corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The snapshot misses a file changed since; the per-file entry a later, unfinished run stored answers."""
    from dbom.fingerprint.cache import FingerprintCache

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    _scan(corpus)
    touched = corpus / "alpha" / "data" / "part-1.parquet"
    os.utime(touched, ns=(touched.stat().st_atime_ns, touched.stat().st_mtime_ns + 1_000_000_000))
    expected = dbom.scan([corpus / "alpha", corpus / "beta"], options=ScanOptions(use_cache=False))
    # what a run killed after reading the touched file leaves: its entry, and the old snapshot
    real_snapshot = FingerprintCache.put_snapshot
    with monkeypatch.context() as patched:
        patched.setattr(FingerprintCache, "put_snapshot", lambda *args, **kwargs: None)
        _, stats = _scan(corpus)
    assert stats.files_read == 1
    assert FingerprintCache.put_snapshot is real_snapshot
    scanned, stats = _scan(corpus)
    assert stats.files_read == 0
    assert scanned.datasets == expected.datasets


def test_the_databases_of_older_cache_formats_are_removed(tmp_path: Path) -> None:
    from dbom.fingerprint.cache import CACHE_FORMAT

    older = [tmp_path / f"fingerprints-v{CACHE_FORMAT - 1}.sqlite{suffix}" for suffix in ("", "-wal", "-shm")]
    newer = tmp_path / f"fingerprints-v{CACHE_FORMAT + 1}.sqlite"  # a later dbom's: not this one's to remove
    for path in (*older, newer):
        path.write_bytes(b"an old cache")
    cache = FingerprintCache(tmp_path)
    cache.close()
    assert not any(path.exists() for path in older)
    assert newer.exists() and cache.path.exists()
