"""Parquet shards: records and schema from the footer, never reading data pages."""

from __future__ import annotations

from pathlib import Path

from dbom.errors import FormatError
from dbom.formats.base import Detected, Inspection
from dbom.model import Column

PARQUET_MAGIC = b"PAR1"
ENCRYPTED_PARQUET_MAGIC = b"PARE"


def inspect_parquet(path: Path, detected: Detected) -> Inspection:
    """Read the row count and Arrow schema of a Parquet file from its footer metadata.

    Column types are pyarrow's type strings (`str(field.type)`: "int64", "string",
    "list<item: string>", "timestamp[us]"). A file not starting with `PAR1` raises FormatError
    "not a Parquet file (bad magic bytes)"; an unreadable footer raises "corrupt Parquet footer".
    """
    name = str(path)
    with open(path, "rb") as file:
        magic = file.read(4)
    if magic == ENCRYPTED_PARQUET_MAGIC:
        raise FormatError(name, "encrypted Parquet file (footer encryption is not supported)")
    if magic != PARQUET_MAGIC:
        raise FormatError(name, "not a Parquet file (bad magic bytes)")

    import pyarrow
    import pyarrow.parquet

    try:
        with pyarrow.parquet.ParquetFile(name) as parquet:
            records = parquet.metadata.num_rows
            schema = parquet.schema_arrow
    except (pyarrow.ArrowException, OSError, ValueError) as exc:
        raise FormatError(name, f"corrupt Parquet footer: {exc}") from None
    return Inspection(records, tuple(Column(field.name, str(field.type)) for field in schema))
