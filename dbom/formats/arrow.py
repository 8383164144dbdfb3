"""Arrow IPC shards (file format / Feather v2, and the stream format `datasets` writes)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from dbom.errors import FormatError
from dbom.formats.base import Detected, Inspection
from dbom.formats.detect import ARROW_FILE_MAGIC, ARROW_STREAM_CONTINUATION
from dbom.model import Column

if TYPE_CHECKING:
    import pyarrow

FEATHER_V1_MAGIC = b"FEA1"


def inspect_arrow(path: Path, detected: Detected) -> Inspection:
    """Count the records of an Arrow IPC file or stream and read its schema.

    The file is memory-mapped and its record batches are iterated for their row counts, so
    the data is not copied (buffers compressed inside the IPC file are decompressed, though).
    Column types are pyarrow's type strings, as for Parquet. Bad magic bytes or a corrupt
    file raise FormatError.
    """
    name = str(path)
    stream = detected.format == "arrow-stream"
    with open(path, "rb") as file:
        magic = file.read(len(ARROW_FILE_MAGIC))
    if stream and not magic.startswith(ARROW_STREAM_CONTINUATION):
        raise FormatError(name, "not an Arrow IPC stream (bad magic bytes)")
    if not stream and magic != ARROW_FILE_MAGIC:
        if magic.startswith(FEATHER_V1_MAGIC):
            raise FormatError(name, "Feather v1 file (not supported; rewrite it as Feather v2 / Arrow IPC)")
        raise FormatError(name, "not an Arrow IPC file (bad magic bytes)")

    import pyarrow
    import pyarrow.ipc

    try:
        with pyarrow.memory_map(name, "r") as source:
            records, schema = _count_stream(source) if stream else _count_file(source)
    except (pyarrow.ArrowException, OSError, ValueError) as exc:
        kind = "stream" if stream else "file"
        raise FormatError(name, f"corrupt Arrow IPC {kind}: {exc}") from None
    return Inspection(records, tuple(Column(field.name, str(field.type)) for field in schema))


def _count_file(source: pyarrow.MemoryMappedFile) -> tuple[int, pyarrow.Schema]:
    """Rows and schema of an IPC file, from each record batch the footer lists."""
    import pyarrow.ipc

    reader = pyarrow.ipc.open_file(source)
    records = sum(reader.get_batch(i).num_rows for i in range(reader.num_record_batches))
    return records, reader.schema


def _count_stream(source: pyarrow.MemoryMappedFile) -> tuple[int, pyarrow.Schema]:
    """Rows and schema of an IPC stream, reading its record batches in order."""
    import pyarrow.ipc

    with pyarrow.ipc.open_stream(source) as reader:
        records = sum(batch.num_rows for batch in reader)
        return records, reader.schema
