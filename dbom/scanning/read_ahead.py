"""Read the files that changed since a dataset's snapshot while the walk is still listing the others.

A rescan of 10^6 files spends about two seconds walking them, on one CPU; the files that changed were then read
after the walk (a 1% change: about a second). Here the walk tells, after each folder, what it found so far
(`dbom.sources.local.walk`'s `found_so_far`); each file whose stat differs from the snapshot's at the same place
in the walk order (the order the snapshot was stored in) is sent to a worker process, which reads it on the
other CPU as the walk goes on.

What is read here is a guess, checked afterwards: the scan, once it knows which files changed (by path and
stat, `dbom.scanning.cache`), takes a result read ahead only for the very file (same path, same stat) read with
the same settings (`same_settings`), and reads the rest itself. A file inserted early in a dataset shifts every
later one from its place in the snapshot: the guesses then all miss, so at most `most` files are sent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from dbom.errors import DbomError
from dbom.fingerprint.snapshot_file import SnapshotRead
from dbom.scanning.reading import Job, ReadResult, Settings, new_job, packed, read_packed
from dbom.scanning.scanner import PROCESS_BATCH_FILES, WORKER_BATCHES
from dbom.sources.local import STAT_BYTES, STAT_PACKING, FileStat, LocalFile

if TYPE_CHECKING:
    from dbom.fingerprint.batch_workers import BatchWorker

# The walk's files are compared with the snapshot's once at least this many more were found: a comparison
# after each folder of a thousand files cost a rescan of 10^6 unchanged files 0.2 s.
COMPARE_FILES = 16384


class ReadAhead:
    """The reads ahead of one dataset's walk: call it with the walk's lists as they grow (`found_so_far`), then
    take the results (`results`) once the walk is over.

    `wanted(relpath)`: whether a file is read at all (selected, and data rather than documentation);
    `settings()`: how the files are read (dbom.scanning.reading.Settings), None when that cannot be told before the
    walk is over (nothing is read ahead then); `workers()`: the worker processes to read on. Both are asked for
    when the first file to read ahead is found, never for a dataset that did not change.
    """

    def __init__(self, snapshot: SnapshotRead, head: str, wanted: Callable[[str], bool],
                 settings: Callable[[], Settings | None], workers: Callable[[], list[BatchWorker]], most: int) -> None:
        self._snapshot: SnapshotRead | None = snapshot
        self._known = snapshot.identities_bytes // STAT_BYTES  # files the snapshot holds
        self._head = head
        self._wanted = wanted
        self._settings_of = settings
        self.settings: Settings | None = None
        self._workers_of = workers
        self._workers: list[BatchWorker] = []
        self._most = most
        self._sent = 0  # files sent to a worker
        self._seen = 0  # files of the walk compared so far
        self._pending: list[tuple[Job, Settings]] = []  # found, not sent yet
        self._batches: list[list[Job]] = []  # each batch sent, by number
        self._in_flight: list[list[int]] = []  # the batches each worker has not replied to, in order
        self._read: dict[str, tuple[FileStat, ReadResult]] = {}  # by relative path
        self._stopped = False  # too many guesses, or a worker failed: nothing more is sent
        self._lists: tuple[list[str], bytearray] | None = None  # the walk's lists, as last told

    def __call__(self, relpaths: list[str], packed: bytearray) -> None:
        """The walk found the files `relpaths` so far (their stats `packed`): send those that changed to be read."""
        self._lists = (relpaths, packed)
        if self._stopped:
            return
        found = len(relpaths)
        if found - self._seen >= COMPARE_FILES:  # compared in steps: a rescan of a dataset unchanged pays little
            self._compare(relpaths, packed, found)
        try:
            self._collect()
            while len(self._pending) >= PROCESS_BATCH_FILES and self._send():
                pass
        except DbomError:
            self._stopped = True

    def _compare(self, relpaths: list[str], packed: bytearray, found: int) -> None:
        import numpy as np

        first, known = self._seen, min(found, self._known)
        differ: list[int] = []
        if known > first and self._snapshot is not None:
            same = self._snapshot.same_identities(memoryview(packed)[first * STAT_BYTES:known * STAT_BYTES],
                                                  STAT_BYTES, first)
            differ = (np.flatnonzero(~same) + first).tolist()
        differ += range(max(first, known), found)  # beyond the snapshot's files: new ones
        self._seen = found
        unpack = STAT_PACKING.unpack_from
        for index in differ:
            relpath = relpaths[index]
            if not self._wanted(relpath):
                continue
            if self.settings is None:
                self.settings = self._settings_of()
                if self.settings is None:
                    self._stopped = True
                    return
            stat = FileStat(*unpack(packed, index * STAT_BYTES))
            self._pending.append((new_job((LocalFile(relpath, self._head + relpath, stat), None)), self.settings))
        if self._sent + len(self._pending) > self._most:
            self._stopped = True
            self._pending.clear()

    def _send(self) -> bool:
        """Send a batch of the files pending to the worker with the fewest in flight; False when all are full."""
        if not self._workers:
            self._workers = self._workers_of()
            self._in_flight = [[] for _ in self._workers]
        at = min(range(len(self._workers)), key=lambda n: len(self._in_flight[n]))
        if len(self._in_flight[at]) >= WORKER_BATCHES:
            return False
        batch, self._pending = self._pending[:PROCESS_BATCH_FILES], self._pending[PROCESS_BATCH_FILES:]
        self._workers[at].send(read_packed, packed(batch))
        self._in_flight[at].append(len(self._batches))
        self._batches.append([job for job, _ in batch])
        self._sent += len(batch)
        return True

    def _collect(self) -> None:
        """Take the replies that came in (a batch that failed is left out: its files are read again)."""
        for worker, numbers in zip(self._workers, self._in_flight, strict=True):
            for ok, value in worker.replies():
                jobs = self._batches[numbers.pop(0)]
                if ok:
                    for job, result in zip(jobs, value, strict=True):
                        self._read[job.file.relpath] = (job.file.stat, result)

    def results(self) -> dict[str, tuple[FileStat, ReadResult]]:
        """Once the walk is over: every file read ahead, by relative path, with the stat it was read at (the
        files still pending are read too, when there are workers already). The workers are left idle."""
        from dbom.fingerprint.batch_workers import wait

        if self._lists is not None and not self._stopped and len(self._lists[0]) > self._seen:  # the last step
            self._compare(*self._lists, len(self._lists[0]))
        try:
            while self._pending and self._workers and not self._stopped:
                self._collect()
                while self._pending and self._send():
                    pass
                if self._pending:
                    wait(self._workers)
            while any(self._in_flight):
                wait(self._workers)
                self._collect()
        except DbomError:  # a worker that stopped: the scan's own read says so
            self._read.clear()
        self._pending.clear()
        self._stopped = True
        self._snapshot = None  # its mapping goes: the pages compared no longer count in the process's memory
        return self._read

    def same_settings(self, settings: Settings) -> bool:
        """Whether files read with `settings` come out as those read ahead (the sampling rate of the profile, set
        from the dataset's bytes, may have changed)."""
        return self.settings is not None and _settings_key(settings) == _settings_key(self.settings)


def _settings_key(settings: Settings) -> Any:
    algorithms, keep_going, records_digest, profiler = settings
    return algorithms, keep_going, records_digest, None if profiler is None else profiler.setting
