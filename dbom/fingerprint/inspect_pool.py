"""Inspect shards, sending large row-oriented ones to worker processes.

Counting JSON Lines or CSV records means parsing them in Python, which holds the GIL; on a
thread alone that would use one core however many threads ask. Large shards of those formats
are therefore parsed in a small process pool, started on first need; Parquet and Arrow
(metadata only) and small files stay in the calling thread, where a process hop would cost
more than it saves.
"""

from __future__ import annotations

import multiprocessing
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.context import SpawnProcess
from pathlib import Path
from typing import Any

from dbom.formats import inspect_shard
from dbom.formats.base import Detected, Inspection

ROW_FORMATS = frozenset({"jsonl", "json", "csv", "tsv", "text", "webdataset", "warc"})
# Below this size a file is parsed in the calling thread: spawning and messaging cost more.
PROCESS_MIN_BYTES = 16 << 20


class Inspector:
    """Thread-safe shard inspection, using up to `jobs` worker processes for large row-oriented shards.

    With `processes=False` everything runs in the calling threads. Worker processes are
    started with `spawn`, which re-imports the program's `__main__` module: only a program
    whose entry point is guarded by `if __name__ == "__main__":` (the CLI is) may turn them on.
    """

    def __init__(self, jobs: int, processes: bool) -> None:
        self._jobs = jobs if processes else 1
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def inspect(self, path: str | Path, detected: Detected, size: int, records_digest: bool = False,
                content: bytes | memoryview | None = None, profile: Any = None) -> Inspection:
        """Inspect one shard (raises FormatError like `inspect_shard`), with its records digest if asked;
        `content`: the whole file as it was hashed, when small (parsed instead of the file, where a reader can);
        `profile`: an InlineProfile, made from the blocks read (in the worker process, when there)."""
        if self._jobs > 1 and size >= PROCESS_MIN_BYTES and detected.format in ROW_FORMATS:
            return self._processes().submit(inspect_shard, path, detected, records_digest, None, profile).result()
        return inspect_shard(path, detected, records_digest, content, profile)

    def _processes(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                _quiet_resource_tracker()
                # spawn, not fork: the parent runs threads, and forking a threaded process can deadlock
                self._pool = ProcessPoolExecutor(self._jobs, mp_context=multiprocessing.get_context("spawn"))
            return self._pool

    def close(self, abort: bool = False) -> None:
        """Stop the worker processes, if any were started; with `abort` (an error is on its way), kill them.

        After an error a worker may still be parsing a large shard, or blocked writing its result to a
        pipe no one reads any more; waiting for it hung the program at exit. So an abort terminates the
        workers and reaps them, and only then lets the pool go.
        """
        pool, self._pool = self._pool, None
        if pool is None:
            return
        if not abort:
            pool.shutdown(cancel_futures=True)
            return
        pool.shutdown(wait=False, cancel_futures=True)
        manager = getattr(pool, "_executor_manager_thread", None)
        # The pool may start a worker while it winds down, one its own list did not hold yet: every spawned
        # child of this process is one of its workers (the scan kills its batch workers, dbom.fingerprint.batch_workers,
        # first), killed until none is left.
        for _ in range(50):
            workers = [p for p in multiprocessing.active_children() if isinstance(p, SpawnProcess)]
            if not workers and (manager is None or not manager.is_alive()):
                break
            for process in workers:
                process.kill()
            for process in workers:
                process.join(timeout=1)
            if manager is not None:
                manager.join(timeout=0.1)


# After an error the workers are killed (see Inspector.close) and the program exits at once: the pool's
# semaphores are then freed by multiprocessing's resource tracker, a process of its own, which says so on
# the shared stderr ("leaked semaphore objects"), after dbom's one-line error. The tracker takes its
# warning filters from this interpreter's -W options when it starts (with the pool): it is told to keep
# those to itself.
_TRACKER_QUIET = "ignore::UserWarning:multiprocessing.resource_tracker"


def _quiet_resource_tracker() -> None:
    if _TRACKER_QUIET not in sys.warnoptions:
        sys.warnoptions.append(_TRACKER_QUIET)
