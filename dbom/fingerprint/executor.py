"""Run a function over many items on a thread pool, in order, with a bounded number in flight.

Hashing releases the GIL, so threads use every core for the fingerprint pass. Keeping at
most a few items per worker in flight keeps memory flat for a million shards.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def default_jobs() -> int:
    """Worker threads to use: the number of CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return os.cpu_count() or 1


def ordered_map(fn: Callable[[T], R], items: Iterable[T], jobs: int, window_per_job: int = 8) -> Iterator[R]:
    """Yield `fn(item)` for each item in input order, computing up to `jobs` at once.

    An exception raised by `fn` propagates when its result is reached; items queued behind
    it are cancelled.
    """
    if jobs <= 1:
        for item in items:
            yield fn(item)
        return
    window = max(jobs * window_per_job, 1)
    pending: deque[Future[R]] = deque()
    with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="dbom-fp") as pool:
        try:
            for item in items:
                pending.append(pool.submit(fn, item))
                if len(pending) >= window:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()
