"""Pause Python's cyclic garbage collector while millions of objects are made that form no cycle."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with the cyclic collector off, then restore it as it was.

    Writing or reading a DBOM makes millions of short-lived dicts and lists and keeps large
    containers (a set of 10^7 digests): each full collection walks them all again, which made
    writing 10^7 shards take 2.5 times as long per shard as 10^6 (bench/bench_read.py). Reference
    counting still frees everything; only cycles would wait, and these stages make none.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
