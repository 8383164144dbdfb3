"""What every format reader returns, and the names of formats and compressions."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from dbom.model import Column

# The columns tuples made so far, by their (name, type) pairs, so that equal schemas share one tuple: the shards
# of a dataset mostly have one schema, and the writer and ShardTally do their per-schema work once per tuple
# (memoised by its id), as pickling does once per batch of a worker's results. Cleared when this many are kept.
_COLUMNS: dict[tuple[tuple[str, str], ...], tuple[Column, ...]] = {}
COLUMNS_KEPT = 1024


def shared_columns(pairs: tuple[tuple[str, str], ...]) -> tuple[Column, ...]:
    """The Columns of `pairs` ((name, type) each) as one tuple, the same object for the same pairs."""
    columns = _COLUMNS.get(pairs)
    if columns is None:
        if len(_COLUMNS) >= COLUMNS_KEPT:
            _COLUMNS.clear()
        columns = _COLUMNS[pairs] = tuple(Column(name, kind) for name, kind in pairs)
    return columns


# The compact JSON text of each columns tuple met, by its id (the tuple kept with it: its id is not reused while
# it is here): made once a schema, since the shards of one schema share their tuple (`shared_columns`, and
# pickling a worker's batch keeps that). Cleared when COLUMNS_KEPT are kept.
_TEXTS: dict[int, tuple[tuple[Column, ...], str]] = {}


def schema_text(columns: tuple[Column, ...]) -> str:
    """`columns` as compact JSON, `[[name, type], ...]`: how the cache's records and a dataset's summary keep it."""
    known = _TEXTS.get(id(columns))
    if known is None:
        if len(_TEXTS) >= COLUMNS_KEPT:
            _TEXTS.clear()
        known = _TEXTS[id(columns)] = (columns, json.dumps([[c.name, c.type] for c in columns], separators=(",", ":")))
    return known[1]


FORMATS = ("parquet", "arrow", "arrow-stream", "jsonl", "json", "csv", "tsv", "text", "webdataset", "warc")
COMPRESSIONS = ("gzip", "zstd", "bz2", "xz")


@dataclass(frozen=True)
class Detected:
    """A file recognised as a shard: its format and, for compressed text formats, the codec."""

    format: str
    compression: str | None = None


@dataclass(frozen=True)
class Inspection:
    """What a data file says about itself."""

    records: int | None = None
    columns: tuple[Column, ...] | None = None
    uncompressed_bytes: int | None = None
    records_digest: str | None = None  # asked for with `records_digest=True` (formats.records_digest)
    # WARC: how many records of each WARC-Type, as (type, count) sorted by type (`records` counts some of them)
    record_types: tuple[tuple[str, int], ...] | None = None
    # asked for with `profile=` (a dbom.profile InlineProfile): the content profile made from the blocks read
    profile: Any = None
