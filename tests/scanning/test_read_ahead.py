"""A rescan reads the files that changed since the snapshot while the walk lists the rest (dbom.scanning.read_ahead).

What is read ahead is a guess from each file's place in the snapshot; the rescan takes a guess only for the very
file read the very way, so the DBOM is the bytes a scan without the cache writes, whether the guesses hit (files
rewritten in place), all miss (a file inserted first shifts every other one) or are read at a sampling rate the
change then moved.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from corpora import write_jsonl_changed

import dbom
from dbom.fingerprint.batch_workers import available, workers_beside
from dbom.fingerprint.cache import default_cache_dir
from dbom.fingerprint.snapshot_file import read_snapshot, write_delta, write_snapshot
from dbom.scanning import read_ahead
from dbom.scanning.scanner import ScanStats
from dbom.sources.local import FOUND_CHUNK, walk

FOLDERS, PER_FOLDER = 6, 200
CHANGED = range(0, FOLDERS * PER_FOLDER, 5)  # 240 files (20%), in every folder: more than a batch
READ_AHEAD = available() and workers_beside() > 0  # a worker beside this process: two CPUs or more


@pytest.fixture(autouse=True)
def _epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.setattr(read_ahead, "COMPARE_FILES", 64)  # compared as the walk goes on, though it is short


def _path(data: Path, i: int) -> Path:
    return data / f"part-{i // PER_FOLDER}" / f"{i % PER_FOLDER:04d}.jsonl"


def _corpus(root: Path) -> Path:
    data = root / "corpus"
    for i in range(FOLDERS * PER_FOLDER):
        _path(data, i).parent.mkdir(parents=True, exist_ok=True)
        _path(data, i).write_text(json.dumps({"text": f"record {i}, the weather is fine"}) + "\n")
    return data


def _rescan(data: Path, out: Path, mode: str = "sample") -> tuple[bool, int, bytes]:
    """(whether the lines were patched, the files read ahead, the DBOM) of a cached rescan, as `dbom scan` makes it."""
    stats = ScanStats()
    scanned = dbom.scan([data], options=dbom.ScanOptions(profile=mode, worker_processes=True), stats=stats)
    snapshot = scanned.datasets[0].snapshot
    dbom.write(scanned, out, memo_dir=default_cache_dir())
    return snapshot is not None and snapshot.patch is not None, stats.read_ahead, out.read_bytes()


def _fresh(data: Path, out: Path, mode: str = "sample") -> bytes:
    dbom.write(dbom.scan([data], options=dbom.ScanOptions(profile=mode, use_cache=False)), out)
    return out.read_bytes()


def _rewrite(data: Path, indices: range, text: str = "RECORD {i}, the weather is fine") -> None:
    for i in indices:
        write_jsonl_changed(_path(data, i), [{"text": text.format(i=i)}])


@pytest.mark.parametrize("mode", ["off", "sample"])
def test_files_rewritten_in_place_are_read_during_the_walk_and_the_dbom_is_a_full_scans(tmp_path: Path,
                                                                                     mode: str) -> None:
    data = _corpus(tmp_path)
    assert _rescan(data, tmp_path / "first.json", mode)[1] == 0  # nothing cached: no snapshot to guess from
    _rewrite(data, CHANGED)
    patched, ahead, written = _rescan(data, tmp_path / "second.json", mode)
    assert patched
    assert ahead == (len(CHANGED) if READ_AHEAD else 0)
    assert written == _fresh(data, tmp_path / "fresh.json", mode)
    assert written != (tmp_path / "first.json").read_bytes()  # the files' digests, and the profile, changed
    # and back: the snapshot now holds a delta, whose identities the guesses are taken from
    _rewrite(data, CHANGED, "record {i}, the weather is fine")
    patched, ahead, written = _rescan(data, tmp_path / "third.json", mode)
    assert patched and ahead == (len(CHANGED) if READ_AHEAD else 0)
    assert written == (tmp_path / "first.json").read_bytes()


def test_the_profiles_taken_out_are_summed_by_a_worker_while_the_new_ones_are_put_in(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dbom.profile import dataset_profile
    from dbom.profile.dataset_total import DatasetTotal

    monkeypatch.setattr(dataset_profile, "SUMMED_BESIDE", 10)
    if READ_AHEAD:  # with a worker, this process takes out no profile one by one
        def one_by_one(*args: Any) -> None:
            raise AssertionError("a profile taken out by the scan's own process")

        monkeypatch.setattr(DatasetTotal, "remove", one_by_one)
    data = _corpus(tmp_path)
    _rescan(data, tmp_path / "first.json")
    _rewrite(data, CHANGED)
    patched, _, written = _rescan(data, tmp_path / "second.json")
    assert patched and written == _fresh(data, tmp_path / "fresh.json")
    _rewrite(data, CHANGED, "record {i}, the weather is fine")
    patched, _, written = _rescan(data, tmp_path / "third.json")
    assert patched and written == (tmp_path / "first.json").read_bytes()


def test_a_file_inserted_first_shifts_every_guess_and_none_is_taken(tmp_path: Path) -> None:
    data = _corpus(tmp_path)
    _rescan(data, tmp_path / "first.json")
    write_jsonl_changed(data / "a-first" / "new.jsonl", [{"text": "a new file, walked first"}])
    patched, ahead, written = _rescan(data, tmp_path / "second.json")
    assert patched
    # the new file is the first guess, and the only one that is right: the others are the files unchanged
    assert ahead == (1 if READ_AHEAD else 0)
    assert written == _fresh(data, tmp_path / "fresh.json")


def test_past_the_most_guesses_the_changed_files_are_read_after_the_walk_beside_those_read_ahead(
        tmp_path: Path) -> None:
    data = _corpus(tmp_path)
    _rescan(data, tmp_path / "first.json")
    write_jsonl_changed(data / "a-first" / "new.jsonl", [{"text": "a new file, walked first"}])  # every guess misses
    early, late = range(0, 200, 5), range(1000, 1200, 5)  # guessed before the most guesses are made, and after
    _rewrite(data, early)
    _rewrite(data, late)
    patched, ahead, written = _rescan(data, tmp_path / "second.json")
    assert patched
    if READ_AHEAD:  # the new file and some early ones were read ahead; the late ones after the walk
        assert 1 < ahead <= 1 + len(early)
    else:
        assert ahead == 0
    assert written == _fresh(data, tmp_path / "fresh.json")


def test_files_read_at_a_sampling_rate_the_change_moved_are_read_again(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from dbom.profile import sampling

    data = _corpus(tmp_path)
    corpus_bytes = sum(p.stat().st_size for p in data.rglob("*.jsonl"))
    monkeypatch.setattr(sampling, "SAMPLE_BYTES", corpus_bytes + 200)  # every record sampled, for now
    _rescan(data, tmp_path / "first.json")
    _rewrite(data, CHANGED, "RECORD {i}, the weather is fine, and the wind is light: a longer line")  # rate 1/2
    patched, ahead, written = _rescan(data, tmp_path / "second.json")
    assert not patched and ahead == 0
    assert written == _fresh(data, tmp_path / "fresh.json")


def test_the_walk_tells_what_it_found_after_each_folder_and_each_chunk_of_a_large_one(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "big").mkdir(parents=True)
    for i in range(FOUND_CHUNK + 10):
        (root / "big" / f"{i:05d}").write_bytes(b"x")
    (root / "small").mkdir()
    (root / "small" / "one").write_bytes(b"y")
    told: list[tuple[int, list[str]]] = []
    listing = walk(root, lambda message: None,
                   found_so_far=lambda relpaths, packed: told.append((len(packed), relpaths[:])))
    counts = [count for count, _ in told]
    # big's two chunks, small, then the root's own entries (those two folders)
    assert counts == [FOUND_CHUNK * 40, (FOUND_CHUNK + 10) * 40, (FOUND_CHUNK + 11) * 40, (FOUND_CHUNK + 11) * 40]
    for count, relpaths in told:  # what was told is final: the start of the listing
        assert relpaths == listing.relpaths[:count // 40]


def test_a_snapshots_identities_compare_from_any_file_on_with_its_delta(tmp_path: Path) -> None:
    width = 40
    identities = b"".join(bytes([i]) * width for i in range(10))
    path = tmp_path / "snapshot.bin"
    records = "\n".join(f"[{i}]" for i in range(10)).encode()
    digest = write_snapshot(path, "listing", records, json.dumps([str(i) for i in range(10)]).encode(), identities)
    delta = write_delta(path, "listing2", ("listing", digest), [3, 7], ["[30]", "[70]"],
                        b"\x33" * width + b"\x77" * width)
    for verify in (True, False):
        found = read_snapshot(path, "listing2", delta, verify=verify)
        assert found is not None
        now = bytearray(identities)
        now[3 * width:4 * width] = b"\x33" * width  # as the delta has them
        now[7 * width:8 * width] = b"\x77" * width
        now[5 * width:6 * width] = b"\x55" * width  # changed since
        assert found.same_identities(now, width).tolist() == [i != 5 for i in range(10)]
        assert found.same_identities(now[2 * width:8 * width], width, 2).tolist() == [True, True, True, False, True,
                                                                                      True]
        assert found.same_identities(now[6 * width:9 * width], width, 6).tolist() == [True] * 3
        assert found.same_identities(bytes(now[7 * width:8 * width]), width, 7).tolist() == [True]


def test_a_snapshot_read_unverified_still_refuses_another_listing(tmp_path: Path) -> None:
    path = tmp_path / "snapshot.bin"
    digest = write_snapshot(path, "listing", b"[1]", b'["a"]', bytes(40))
    assert read_snapshot(path, "another", digest, verify=False) is None
    with open(path, "r+b") as fh:  # records damaged: found only when they are hashed
        fh.seek(-len(b'["a"]') - 40 - 8 - 3, os.SEEK_END)
        fh.write(b"[2]")
    assert read_snapshot(path, "listing", digest) is None
    assert read_snapshot(path, "listing", digest, verify=False) is not None



def test_a_changed_file_that_cannot_be_read_is_the_same_one_line_error(tmp_path: Path) -> None:
    data = _corpus(tmp_path)
    _rescan(data, tmp_path / "first.json")
    _rewrite(data, CHANGED)
    _path(data, 600).write_bytes(b'{"text": "cut sh')  # among the changed files, in a batch read ahead
    with pytest.raises(dbom.DbomError) as raised:
        _rescan(data, tmp_path / "second.json")
    assert "part-3/0000.jsonl" in str(raised.value)
    assert "\n" not in str(raised.value)
    with pytest.raises(dbom.DbomError) as alone:  # as a scan without the cache says it
        _fresh(data, tmp_path / "fresh.json")
    assert str(alone.value) == str(raised.value)


def _guessing(tmp_path: Path, files: int) -> tuple[read_ahead.ReadAhead, list[str], bytearray, list[Any]]:
    """A ReadAhead over a snapshot of `files` files whose stats all differ now (every file a guess), its workers
    (real ones, started when first asked for) kept in the list returned."""
    from dbom.fingerprint.batch_workers import BatchWorker

    path = tmp_path / "snapshot.bin"
    relpaths = [f"f{i:04d}.jsonl" for i in range(files)]
    digest = write_snapshot(path, "listing", "\n".join(["[]"] * files).encode(), json.dumps(relpaths).encode(),
                            bytes(40 * files))
    snapshot = read_snapshot(path, "listing", digest, verify=False)
    assert snapshot is not None
    workers: list[Any] = []

    def start() -> list[Any]:
        workers.append(BatchWorker())
        return workers

    ahead = read_ahead.ReadAhead(snapshot, str(tmp_path / "data") + os.sep, lambda relpath: True,
                                 lambda: (("sha256",), False, False, None), start, 10 * files)
    packed = bytearray(b"\x01" * 40 * files)
    return ahead, relpaths, packed, workers


@pytest.mark.skipif(not available(), reason="batch workers are POSIX only")
def test_guesses_whose_files_cannot_be_read_are_left_to_the_scan(tmp_path: Path) -> None:
    ahead, relpaths, packed, workers = _guessing(tmp_path, 450)  # no such files: each batch fails in the worker
    try:
        ahead(relpaths, packed)
        assert workers and workers[0].used
        assert ahead.results() == {}
    finally:
        for worker in workers:
            worker.kill()


@pytest.mark.skipif(not available(), reason="batch workers are POSIX only")
def test_a_worker_that_stops_while_reading_ahead_leaves_the_scan_to_say_so(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    ahead, relpaths, packed, workers = _guessing(tmp_path, 450)
    for relpath in relpaths:
        (data / relpath).write_text('{"text": "x"}\n')
    try:
        ahead(relpaths, packed)
        workers[0].process.kill()  # gone with batches sent: no reply will come
        assert ahead.results() == {}  # at once, not a wait for replies that never come
    finally:
        for worker in workers:
            worker.kill()
