"""What every format reader returns, and the names of formats and compressions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dbom.model import Column

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
