"""Arrow IPC shards (file format / Feather v2, and the stream format `datasets` writes)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from dbom.errors import FormatError
from dbom.formats.base import Detected, Inspection, shared_columns
from dbom.formats.detect import ARROW_FILE_MAGIC, ARROW_STREAM_CONTINUATION
from dbom.formats.records_digest import SCHEME_ARROW, arrow_batch_sum, format_digest

if TYPE_CHECKING:
    import pyarrow

FEATHER_V1_MAGIC = b"FEA1"


def inspect_arrow(path: Path, detected: Detected, records_digest: bool = False) -> Inspection:
    """Count the records of an Arrow IPC file or stream and read its schema.

    The file is memory-mapped and its record batches are iterated for their row counts, so
    the data is not copied (buffers compressed inside the IPC file are decompressed, though).
    Column types are pyarrow's type strings, as for Parquet. Bad magic bytes or a corrupt
    file raise FormatError. With `records_digest`, the `arrow` records digest of the rows is
    computed from the same batches.
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
            tally = _Tally(records_digest)
            schema = _count_stream(source, tally) if stream else _count_file(source, tally)
            # (a field name is decoded here: one that is not UTF-8 raises UnicodeDecodeError, a ValueError)
            columns = shared_columns(tuple((field.name, str(field.type)) for field in schema))
    except (pyarrow.ArrowException, OSError, ValueError) as exc:
        kind = "stream" if stream else "file"
        raise FormatError(name, f"corrupt Arrow IPC {kind}: {exc}") from None
    digest = format_digest(SCHEME_ARROW, tally.total) if records_digest else None
    return Inspection(tally.records, columns, records_digest=digest)


class _Tally:
    """Counts the rows of record batches and, when asked, sums their row hashes."""

    def __init__(self, digest: bool) -> None:
        self.digest = digest
        self.records = 0
        self.total = 0

    def add(self, batch: pyarrow.RecordBatch) -> None:
        self.records += batch.num_rows
        if self.digest:
            self.total += arrow_batch_sum(batch)


def _count_file(source: pyarrow.MemoryMappedFile, tally: _Tally) -> pyarrow.Schema:
    """Schema of an IPC file; its record batches (those the footer lists) go to `tally`."""
    import pyarrow.ipc

    reader = pyarrow.ipc.open_file(source)
    for i in range(reader.num_record_batches):
        tally.add(reader.get_batch(i))
    return reader.schema


def _count_stream(source: pyarrow.MemoryMappedFile, tally: _Tally) -> pyarrow.Schema:
    """Schema of an IPC stream, its record batches read in order into `tally`."""
    import pyarrow.ipc

    with pyarrow.ipc.open_stream(source) as reader:
        for batch in reader:
            tally.add(batch)
        return reader.schema
