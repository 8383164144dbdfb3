"""A file written or replaced while it is read never gets a digest of no version of it.

The writer strikes during the inspection of the shard (after its bytes were hashed), which is the
window the issue found: the digests of one version and the records of another. The test reaches that
window by wrapping the real inspector; the files, the hashing and the scan are the real ones.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import xxhash

import dbom
from dbom.errors import DbomError
from dbom.fingerprint import inspect_pool


def _jsonl(path: Path, rows: int, tag: str) -> bytes:
    data = "".join(f'{{"id": {i}, "tag": "{tag}"}}\n' for i in range(rows)).encode()
    path.write_bytes(data)
    return data


def _write_during_inspection(monkeypatch: pytest.MonkeyPatch, target: Path, times: int,
                             write: Callable[[int], None]) -> list[int]:
    """Make the real inspector call `write(n)` before its n-th inspection of `target` (n < times)."""
    calls: list[int] = []
    real = inspect_pool.Inspector.inspect

    def inspect(self: Any, path: Path, *args: Any, **kwargs: Any) -> Any:
        if Path(path) == target and len(calls) < times:
            calls.append(len(calls))
            write(len(calls))
        return real(self, path, *args, **kwargs)

    monkeypatch.setattr(inspect_pool.Inspector, "inspect", inspect)
    return calls


def _rewrite_in_place(path: Path, rows: int) -> Callable[[int], None]:
    def write(n: int) -> None:
        before = path.stat()
        _jsonl(path, rows, f"v{n}")  # same size: only the tag's last digit differs
        # the kernel stamps mtime at a coarse tick: set one that differs, as a later tick would
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000 * n))
    return write


def _replace(path: Path, rows: int) -> Callable[[int], None]:
    def write(n: int) -> None:
        fresh = path.with_name(f".{path.name}.new")
        _jsonl(fresh, rows + n, "new")
        os.replace(fresh, path)
    return write


def _two_shards(tmp_path: Path, how: str) -> tuple[Path, Path, Callable[[int], None]]:
    """A dataset of two JSON Lines shards; the second is the one written to, `how` (in place or replaced)."""
    data = tmp_path / "data"
    data.mkdir()
    target = data / "part-1.jsonl"
    _jsonl(data / "part-0.jsonl", 50, "v0")
    _jsonl(target, 50, "v0")
    return data, target, _rewrite_in_place(target, 50) if how == "in-place" else _replace(target, 50)


@pytest.mark.parametrize("how", ["in-place", "replaced"])
def test_a_file_changed_once_is_read_again_and_described_as_it_now_is(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    data, target, write = _two_shards(tmp_path, how)
    calls = _write_during_inspection(monkeypatch, target, 1, write)
    model = dbom.scan([data], options=dbom.ScanOptions(jobs=1))
    assert calls == [0]
    shard = next(s for s in model.datasets[0].shards if s.path == "part-1.jsonl")
    final = target.read_bytes()
    assert shard.sha256 == hashlib.sha256(final).hexdigest()
    assert shard.xxh3_128 == xxhash.xxh3_128_hexdigest(final)
    assert shard.records == final.count(b"\n") and shard.bytes == len(final)


@pytest.mark.parametrize("how", ["in-place", "replaced"])
def test_a_file_that_keeps_changing_is_an_error_or_recorded_and_never_cached(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    data, target, write = _two_shards(tmp_path, how)
    with monkeypatch.context() as writing:  # the writer stops when the block ends (the test's cache stays)
        _write_during_inspection(writing, target, 100, write)
        with pytest.raises(DbomError, match=r"part-1\.jsonl: changed while it was read"):
            dbom.scan([data], options=dbom.ScanOptions(jobs=1))
        model = dbom.scan([data], options=dbom.ScanOptions(jobs=1, keep_going=True))
        shard = next(s for s in model.datasets[0].shards if s.path == "part-1.jsonl")
        assert shard.error == "changed while it was read" and shard.records is None
    # the next scan must read the file, not trust a cache entry
    stats = dbom.ScanStats()
    again = dbom.scan([data], options=dbom.ScanOptions(jobs=1), stats=stats)
    shard = next(s for s in again.datasets[0].shards if s.path == "part-1.jsonl")
    assert shard.error is None and shard.sha256 == hashlib.sha256(target.read_bytes()).hexdigest()
    assert stats.files_read >= 1
