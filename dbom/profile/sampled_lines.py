"""A line-per-record shard's sampled records, read without parsing the others.

With `--profile sample`, most records of a JSON Lines (or text) shard are not profiled, and parsing them
would cost more than the rest of the profile: so the lines are found by their newlines (numpy, on each
block of the decompressed bytes), each non-empty line is numbered, the sample (`RecordSample.select` on
the shard's key and the line's number) picks some, and only those are parsed. What the profile needs of
the others is their count and their bytes: each line's bytes are the size a sampled record is weighed by
(the `x` of the ratio estimator, dbom.profile.sampling), and their sum is the total the sample's figures
are extrapolated to.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from dbom.formats.lines import UTF8_BOM
from dbom.profile.sampling import RecordSample

ROWS_PER_BATCH = 4096
_ZERO = np.zeros(1, dtype=np.int64)
_BOM = UTF8_BOM.encode()
LINE_FORMATS = frozenset({"jsonl", "text"})
_ASCII_SPACE = " \t\n\r\x0b\x0c"


@dataclass
class LineTotals:
    """Every non-empty line of the shard: how many, and their bytes (newlines and carriage returns left out)."""

    lines: int = 0
    bytes: int = 0


def sampled_lines(path: Path, compression: str | None, as_json: bool, sample: RecordSample, key: str,
                  totals: LineTotals) -> Iterator[tuple[list[Any], list[int]]]:
    """The sampled records of the line-per-record shard at `path`, in batches of (rows, their lines' bytes);
    `totals` counts every line as they go by. A text line is the row `{"text": line}`. A DbomError names the
    file when it cannot be read."""
    from dbom.formats.compression import iter_blocks

    sampler = LineSampler(as_json, sample, key, totals)
    try:
        for block in iter_blocks(path, compression):
            sampler.feed(block)
            if sampler.full:
                yield sampler.take()
        sampler.finish()
    except (OSError, ValueError) as exc:  # orjson's JSONDecodeError is a ValueError
        raise _unreadable(path, exc) from None
    if sampler.rows:
        yield sampler.take()


def _unreadable(path: Path | str, exc: BaseException) -> Exception:
    from dbom.errors import DbomError

    if isinstance(exc, DbomError):
        return exc
    return DbomError(str(path), f"cannot read its records for the profile: {' '.join(str(exc).split())}")


class LineSampler:
    """A line-per-record shard's decompressed blocks, fed in order (`feed`, then `finish`): every non-empty
    line counted into `totals`, the sampled ones parsed into `rows` (their bytes into `sizes`), to be taken
    in batches (`take` once `full`)."""

    def __init__(self, as_json: bool, sample: RecordSample, key: str, totals: LineTotals | None = None) -> None:
        self.as_json = as_json
        self.sample = sample
        self.key = key
        self.totals = totals if totals is not None else LineTotals()
        self.rows: list[Any] = []
        self.sizes: list[int] = []
        self._rest = b""  # the start of a line that goes on in the next block
        self._first = True

    @property
    def full(self) -> bool:
        """Whether a batch of rows is ready."""
        return len(self.rows) >= ROWS_PER_BATCH

    def take(self) -> tuple[list[Any], list[int]]:
        """The rows parsed so far and their lines' bytes (and forget them)."""
        taken = self.rows, self.sizes
        self.rows, self.sizes = [], []
        return taken

    def feed(self, block: bytes) -> None:
        """The next block of the shard's bytes."""
        if self._first:
            self._first = False
            if block.startswith(_BOM):  # a byte-order mark, which the scan drops too
                block = block[len(_BOM):]
        view = np.frombuffer(block, dtype=np.uint8)
        ends = np.flatnonzero(view == 10)
        if not len(ends):
            self._rest += block
            return
        first = int(ends[0])
        if self._rest:  # the line begun in an earlier block: joined alone, so that the block itself is never copied
            head = self._rest + block[:first]
            self._take(head, np.frombuffer(head, dtype=np.uint8), _ZERO, np.array([len(head)]))
        else:
            self._take(block, view, _ZERO, ends[:1])
        if len(ends) > 1:
            self._take(block, view, ends[:-1] + 1, ends[1:])
        self._rest = block[int(ends[-1]) + 1:]

    def feed_lines(self, lines: list[str]) -> None:
        """The next lines of the shard as the JSON Lines reader decoded them (dbom.formats.lines: without their
        newline, a CRLF ending's carriage return kept, the byte-order mark dropped), counted and sampled as
        `feed` counts and samples the same bytes. Their bytes are not added to `totals.bytes`: the reader
        counts them (its ByteCounter's `line_bytes`) without looking at each line."""
        blank = lines.count("") + lines.count("\r")  # empty lines are not records (rare: then each is looked at)
        present = [index for index, line in enumerate(lines) if line and line != "\r"] if blank else None
        count = len(lines) - blank
        if not count:
            return
        keep = self.sample.select(self.key, self.totals.lines, count)
        self.totals.lines += count
        for index in np.flatnonzero(keep).tolist():
            line = lines[present[index] if present is not None else index]
            if line.endswith("\r"):
                line = line[:-1]
            size = len(line) if line.isascii() else len(line.encode())
            if self.as_json:
                if not line.strip(_ASCII_SPACE):  # as bytes.strip() has it
                    continue
                try:
                    self.rows.append(orjson.loads(line))
                except orjson.JSONDecodeError:
                    self.rows.append(json.loads(line))
            else:
                self.rows.append({"text": line})
            self.sizes.append(size)

    def finish(self) -> None:
        """The end of the shard: its last line, if it has no newline."""
        rest, self._rest = self._rest, b""
        if rest:
            self._take(rest, np.frombuffer(rest, dtype=np.uint8), _ZERO, np.array([len(rest)]))

    def _take(self, data: bytes, view: Any, starts: Any, ends: Any) -> None:
        """Count the lines `data[starts[i]:ends[i]]` and parse the sampled ones into `rows` (their bytes to `sizes`)."""
        # a carriage return before the newline is not the record's
        cr = np.zeros(len(ends), dtype=bool)
        inside = ends > starts
        cr[inside] = view[ends[inside] - 1] == 13
        ends = ends - cr
        lengths = ends - starts
        present = np.flatnonzero(lengths > 0)
        if not len(present):
            return
        totals = self.totals
        keep = self.sample.select(self.key, totals.lines, len(present))
        totals.lines += len(present)
        totals.bytes += int(lengths[present].sum())
        rows, sizes = self.rows, self.sizes
        for index in present[keep].tolist():
            line = data[int(starts[index]):int(ends[index])]
            if self.as_json:
                if not line.strip():
                    continue
                try:
                    rows.append(orjson.loads(line))
                except orjson.JSONDecodeError:  # an integer beyond 64 bits is JSON too (the scan reads it so)
                    rows.append(json.loads(line))
            else:
                rows.append({"text": line.decode("utf-8", "replace")})
            sizes.append(len(line))
