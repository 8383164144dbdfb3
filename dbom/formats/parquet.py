"""Parquet shards: records and schema from the footer, never reading data pages (but for a records digest)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from dbom.errors import FormatError
from dbom.formats.base import Detected, Inspection, shared_columns
from dbom.formats.records_digest import SCHEME_ARROW, arrow_batch_sum, format_digest

if TYPE_CHECKING:
    import pyarrow
    import pyarrow.parquet

PARQUET_MAGIC = b"PAR1"
ENCRYPTED_PARQUET_MAGIC = b"PARE"


# Rows per record batch when reading data pages for a records digest: bounds memory per shard.
DIGEST_BATCH_ROWS = 16384


def inspect_parquet(path: str | Path, detected: Detected, records_digest: bool = False,
                    content: bytes | memoryview | None = None, profile: Any = None) -> Inspection:
    """Read the row count and Arrow schema of a Parquet file from its footer metadata.

    With `records_digest`, every row is also read, in batches, for the `arrow` records digest;
    data that cannot be decoded then raises FormatError "corrupt Parquet data".

    Column types are pyarrow's type strings (`str(field.type)`: "int64", "string",
    "list<item: string>", "timestamp[us]"). A file not starting with `PAR1` raises FormatError
    "not a Parquet file (bad magic bytes)"; an unreadable footer raises "corrupt Parquet footer".
    `content`: the whole file already in memory, parsed instead of opening `path` again. `profile` (an
    InlineProfile of dbom.profile.dataset_profile) is shown the schema and row count (`table`): a shard with no
    field the content profile reads is profiled from them, and its data pages are never read for it.
    """
    name = str(path)
    if content is not None:
        magic = content[:4]
    else:
        with open(path, "rb") as file:
            magic = file.read(4)
    if magic == ENCRYPTED_PARQUET_MAGIC:
        raise FormatError(name, "encrypted Parquet file (footer encryption is not supported)")
    if magic != PARQUET_MAGIC:
        raise FormatError(name, "not a Parquet file (bad magic bytes)")

    import pyarrow
    import pyarrow.parquet

    digest = None
    try:
        if content is not None and not records_digest:
            records, schema = _footer(content)
            if profile is not None:
                profile.table(schema, records)
        else:
            with pyarrow.parquet.ParquetFile(name if content is None else pyarrow.BufferReader(content)) as parquet:
                records = parquet.metadata.num_rows
                schema = parquet.schema_arrow
                if profile is not None:
                    profile.table(schema, records)
                if records_digest:
                    try:
                        digest = _digest(parquet, records)
                    except (pyarrow.ArrowException, OSError, ValueError) as exc:
                        raise FormatError(name, f"corrupt Parquet data: {exc}") from None
    except (pyarrow.ArrowException, OSError, ValueError) as exc:
        raise FormatError(name, f"corrupt Parquet footer: {exc}") from None
    return Inspection(records, shared_columns(tuple((field.name, str(field.type)) for field in schema)),
                      records_digest=digest,
                      profile=profile.result() if profile is not None else None)


# ParquetReader.open's options as ParquetFile passes them by default (pyarrow's Arrow extension types among
# them, where this pyarrow has them): filled on first use
_READER_OPTIONS: dict[str, Any] = {}


def _footer(content: bytes | memoryview) -> tuple[int, pyarrow.Schema]:
    """(row count, Arrow schema) of the Parquet file whose bytes are `content`, from its footer.

    pyarrow's ParquetReader, opened as ParquetFile opens it, without ParquetFile's own work (a filesystem
    resolved, every column's nested paths indexed): a third of a small file's inspection.
    """
    import pyarrow
    import pyarrow.parquet

    if not _READER_OPTIONS:
        defaults = pyarrow.parquet.ParquetFile.__init__.__kwdefaults__ or {}
        _READER_OPTIONS["pre_buffer"] = defaults.get("pre_buffer", True)
        if "arrow_extensions_enabled" in defaults:
            _READER_OPTIONS["arrow_extensions_enabled"] = defaults["arrow_extensions_enabled"]
    reader = pyarrow.parquet.ParquetReader()
    reader.open(pyarrow.BufferReader(content), **_READER_OPTIONS)
    return reader.metadata.num_rows, reader.schema_arrow


def _digest(parquet: pyarrow.parquet.ParquetFile, records: int) -> str:
    """The `arrow` records digest of every row; ValueError when the rows do not add up to the footer's count."""
    total = 0
    rows = 0
    for batch in parquet.iter_batches(batch_size=DIGEST_BATCH_ROWS):
        total += arrow_batch_sum(batch)
        rows += batch.num_rows
    if rows != records:
        raise ValueError(f"the footer says {records} rows, the data holds {rows}")
    return format_digest(SCHEME_ARROW, total)


def inspect_parquet_source(source: BinaryIO, name: str) -> Inspection:
    """Row count and schema of a Parquet file open as `source` (seekable), reading its footer only.

    For an object in a remote store: pyarrow seeks to the end and reads the footer, so an fsspec
    file fetches a few kilobytes by range requests, never the data pages. `name` is how errors
    name the file.
    """
    if source.read(4) != PARQUET_MAGIC:
        raise FormatError(name, "not a Parquet file (bad magic bytes)")
    import pyarrow
    import pyarrow.parquet

    try:
        with pyarrow.parquet.ParquetFile(source) as parquet:
            records = parquet.metadata.num_rows
            schema = parquet.schema_arrow
    except (pyarrow.ArrowException, OSError, ValueError) as exc:
        raise FormatError(name, f"corrupt Parquet footer: {exc}") from None
    return Inspection(records, shared_columns(tuple((field.name, str(field.type)) for field in schema)))
