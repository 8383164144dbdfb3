"""A rescan of a dataset where some files changed: its DBOM lines from the last write's, patched.

When a few of a dataset's 10^6 files changed since its last scan, the DBOM still lists the others
exactly as before. The last write kept the dataset's file components as lines (dbom.scanning.
snapshot_lines), sorted by path, with each shard's path and digest and the summary's index
(dbom.scanning.summary_index). From the shards gone or changed and those new or changed, this
plans the new lines: runs of old lines copied as they are, and the lines of the files read again
made in between, in path order. The summary and the dataset digest follow from the same runs
without the unchanged shards being decoded.

The plan is None (and the scan takes the whole path) when it could not be exact: a document (card,
license file) changed, a shard has an error or a per-record license column, or the first shard of
a format or schema was removed while others remain (the summary's index does not know the next).
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dbom.errors import DbomError
from dbom.model import DocFile, Shard, ShardSummary
from dbom.scanning.snapshot_lines import RunTables, StoredLines
from dbom.scanning.summary_index import NotExact, SummaryIndex

# Above this fraction of a dataset's files changed, the whole path is as fast and simpler.
MOST_CHANGED = 0.25

_CONTROL = re.compile(r"[\x00-\x0a]")  # characters that sort at or below the digest lines' tab

Segment = tuple[int, int] | Shard  # (first, last) old lines copied, or a shard whose line is made


@dataclass(frozen=True)
class LinesPatch:
    """How to write a dataset's file components from the lines of the last write (dbom.cyclonedx.writer)."""

    stored: StoredLines  # the last write's lines
    tables: RunTables  # their digests, offsets and digest lines
    line_starts: Any  # where each old line starts in its body (a numpy array)
    segments: tuple[Segment, ...]  # the new lines in order
    index: SummaryIndex  # the summary's index after the change, kept with the new lines


@dataclass(frozen=True)
class Plan:
    """The patch, and the dataset's summary and digest after the change."""

    patch: LinesPatch
    summary: ShardSummary
    digest: str


def patchable(result: Shard | DocFile) -> bool:
    """Whether a file's result can be patched in or out of the kept lines: a shard without an error, with an
    XXH3-128 and no control character in its path (documents, and the rest, take the whole path)."""
    return isinstance(result, Shard) and not result.error and bool(result.xxh3_128) and not _CONTROL.search(
        result.path)


@dataclass
class PatchStart:
    """What a patch needs that the files read again do not change (`start_patch`): made while they are read."""

    stored: StoredLines
    dropped: Sequence[Shard]
    index: SummaryIndex  # the summary's index as kept: `plan_patch` counts the changes in it
    tables: RunTables
    paths: _ShardPaths
    lines: list[int]  # the old line of each dropped shard


def start_patch(stored: StoredLines, dropped: Sequence[Shard | DocFile]) -> PatchStart | None:
    """The start of the plan that takes the files `dropped` (gone, or changed: as the snapshot had them) out of
    `stored` (the dataset's lines as last written): their lines found, the tables read; None when it cannot be
    exact."""
    if not all(map(patchable, dropped)):
        return None
    index = stored.index()
    if index is None:
        return None
    try:
        tables = RunTables.of(stored)
    except DbomError:  # damaged tables (the file is removed): the whole path
        return None
    # the kept digest lines are plain (`stored.index()` says so)
    paths = _ShardPaths(tables.digest_lines)
    lines = [paths.index_of(shard.path) for shard in dropped]
    if any(line is None for line in lines):
        return None
    return PatchStart(stored, dropped, index, tables, paths, lines)  # type: ignore[arg-type]


def plan_patch(start: PatchStart | None, added: Sequence[Shard | DocFile]) -> Plan | None:
    """The plan that turns the lines `start` began from into the lines of the dataset without its dropped files
    and with `added` (new, or changed: as just read); None when it cannot be exact.

    A shard read again that is the one dropped at its path, field for field (a file touched: the same content),
    has the same line: the pair is left out, and the old line stays in its run."""
    if start is None or not all(map(patchable, added)):
        return None
    stored, index = start.stored, start.index
    was = {shard.path: shard for shard in start.dropped}
    same = {shard.path for shard in added if was.get(shard.path) == shard}  # type: ignore[union-attr]
    dropped = [(shard, line) for shard, line in zip(start.dropped, start.lines, strict=True) if shard.path not in same]
    added = [shard for shard in added if shard.path not in same]  # type: ignore[union-attr]
    try:
        for shard, _ in dropped:
            index.remove(shard)
        for shard in added:
            index.add(shard)  # type: ignore[arg-type]
        summary = index.summary()
    except NotExact:
        return None
    if summary.errors or summary.license_column_bytes:
        return None
    import numpy as np

    tables = start.tables
    segments = _segments(stored.count, sorted(line for _, line in dropped), sorted(added, key=_path),  # type: ignore[arg-type]
                         start.paths)
    return Plan(LinesPatch(stored, tables, np.frombuffer(tables.offsets, dtype="<i8"), tuple(segments), index),
                summary, _digest(segments, tables, np.frombuffer(tables.digest_offsets, dtype="<i8"), stored.shards))


class _ShardPaths:
    """The old shard lines' paths, found in their sorted digest lines (`path<TAB>digest`) by bisection on
    bytes: UTF-8 keeps the order of the paths as text, and the tab sorts below every character that may
    follow it (`plan_patch` leaves paths with control characters to the whole path)."""

    def __init__(self, text: bytes) -> None:
        self._lines = text.split(b"\n")[:-1] if text else []

    def __len__(self) -> int:
        return len(self._lines)

    def bisect(self, path: str) -> int:
        """The first line whose path is not below `path`."""
        return bisect.bisect_left(self._lines, path.encode("utf-8", "surrogatepass") + b"\t")

    def index_of(self, path: str) -> int | None:
        """The line of the shard at `path`, None if there is none."""
        line = self.bisect(path)
        key = path.encode("utf-8", "surrogatepass") + b"\t"
        return line if line < len(self._lines) and self._lines[line].startswith(key) else None


def _segments(count: int, removed: list[int], added: list[Shard], paths: _ShardPaths) -> list[Segment]:
    """The new lines: the old lines `0..count` but `removed`, with the `added` shards' lines in path order."""
    segments: list[Segment] = []
    gone = iter(removed)
    next_gone = next(gone, count)

    def copy_to(end: int) -> None:
        nonlocal cursor, next_gone
        while cursor < end:
            stop = min(end, next_gone)
            if cursor < stop:
                segments.append((cursor, stop))
                cursor = stop
            if cursor == next_gone:
                cursor += 1
                next_gone = next(gone, count)

    cursor = 0
    for shard in added:
        copy_to(paths.bisect(shard.path))
        segments.append(shard)
    copy_to(count)
    return segments


def _digest(segments: list[Segment], tables: RunTables, text_starts: Any, shards: int) -> str:
    """The dataset digest (dbom.scanning.scanner.dataset_digest) of the new lines' shards."""
    digest = hashlib.sha256()
    text = memoryview(tables.digest_lines)
    for segment in segments:
        if isinstance(segment, Shard):
            digest.update(f"{segment.path}\t{segment.xxh3_128}\n".encode())
            continue
        first, last = segment[0], min(segment[1], shards)
        if first < last:
            digest.update(text[int(text_starts[first]):int(text_starts[last]) if last < shards else len(text)])
    return digest.hexdigest()


def _path(shard: Shard) -> str:
    return shard.path
