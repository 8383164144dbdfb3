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

from dbom.formats.lines import UTF8_BOM
from dbom.profile.sampling import RecordSample

ROWS_PER_BATCH = 4096
_ZERO = np.zeros(1, dtype=np.int64)
_BOM = UTF8_BOM.encode()
LINE_FORMATS = frozenset({"jsonl", "text"})


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
    from dbom.errors import DbomError

    try:
        yield from _sampled_lines(path, compression, as_json, sample, key, totals)
    except DbomError:
        raise
    except (OSError, ValueError) as exc:  # orjson's JSONDecodeError is a ValueError
        raise DbomError(str(path), f"cannot read its records for the profile: {' '.join(str(exc).split())}") from None


def _sampled_lines(path: Path, compression: str | None, as_json: bool, sample: RecordSample, key: str,
                   totals: LineTotals) -> Iterator[tuple[list[Any], list[int]]]:
    from dbom.formats.compression import iter_blocks

    rows: list[Any] = []
    sizes: list[int] = []
    rest = b""  # the start of a line that goes on in the next block
    for number, block in enumerate(iter_blocks(path, compression)):
        if number == 0 and block.startswith(_BOM):  # a byte-order mark, which the scan drops too
            block = block[len(_BOM):]
        view = np.frombuffer(block, dtype=np.uint8)
        ends = np.flatnonzero(view == 10)
        if not len(ends):
            rest += block
            continue
        first = int(ends[0])
        if rest:  # the line begun in an earlier block: joined alone, so that the block itself is never copied
            head = rest + block[:first]
            _take(head, np.frombuffer(head, dtype=np.uint8), _ZERO, np.array([len(head)]), as_json, sample, key,
                  totals, rows, sizes)
        else:
            _take(block, view, _ZERO, ends[:1], as_json, sample, key, totals, rows, sizes)
        if len(ends) > 1:
            _take(block, view, ends[:-1] + 1, ends[1:], as_json, sample, key, totals, rows, sizes)
        rest = block[int(ends[-1]) + 1:]
        if len(rows) >= ROWS_PER_BATCH:
            yield rows, sizes
            rows, sizes = [], []
    if rest:
        _take(rest, np.frombuffer(rest, dtype=np.uint8), _ZERO, np.array([len(rest)]), as_json, sample, key, totals,
              rows, sizes)
    if rows:
        yield rows, sizes


def _take(data: bytes, view: Any, starts: Any, ends: Any, as_json: bool, sample: RecordSample, key: str,
          totals: LineTotals, rows: list[Any], sizes: list[int]) -> None:
    """Count the lines `data[starts[i]:ends[i]]` and parse the sampled ones into `rows` (their bytes to `sizes`)."""
    import orjson

    # a carriage return before the newline is not the record's
    cr = np.zeros(len(ends), dtype=bool)
    inside = ends > starts
    cr[inside] = view[ends[inside] - 1] == 13
    ends = ends - cr
    lengths = ends - starts
    present = np.flatnonzero(lengths > 0)
    if not len(present):
        return
    keep = sample.select(key, totals.lines, len(present))
    totals.lines += len(present)
    totals.bytes += int(lengths[present].sum())
    for index in present[keep].tolist():
        line = data[int(starts[index]):int(ends[index])]
        if as_json:
            if not line.strip():
                continue
            try:
                rows.append(orjson.loads(line))
            except orjson.JSONDecodeError:  # an integer beyond 64 bits is JSON too (the scan reads it so)
                rows.append(json.loads(line))
        else:
            rows.append({"text": line.decode("utf-8", "replace")})
        sizes.append(len(line))
