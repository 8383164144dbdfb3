"""CSV and TSV shards: data rows, and the header's names as columns."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from contextlib import closing
from pathlib import Path

from dbom.errors import FormatError
from dbom.formats.base import Detected, Inspection, shared_columns
from dbom.formats.compression import iter_blocks
from dbom.formats.limits import CSV_FIELD_BYTES
from dbom.formats.lines import ByteCounter, iter_line_batches
from dbom.formats.records_digest import CsvRecords


def inspect_csv(path: Path, detected: Detected, records_digest: bool = False) -> Inspection:
    """Count the data rows of a CSV or TSV shard (the first non-blank row is the header).

    Columns are the header's names, each of type "string" (CSV has no types). CSV follows
    RFC 4180 quoting, strictly: a quoted field may span lines, a stray quote is an error. TSV
    follows the IANA definition: no quoting, one row per line. Blank lines are skipped. A row
    whose field count differs from the header's, malformed quoting and invalid UTF-8 raise
    FormatError naming the line. The file is streamed; `uncompressed_bytes` is set when compressed.
    With `records_digest`, the `csv` records digest of the data rows is computed too.
    """
    name = str(path)
    kind = "TSV" if detected.format == "tsv" else "CSV"
    if csv.field_size_limit() < CSV_FIELD_BYTES:
        csv.field_size_limit(CSV_FIELD_BYTES)
    if kind == "TSV":
        dialect: dict[str, object] = {"delimiter": "\t", "quoting": csv.QUOTE_NONE}
    else:
        dialect = {"delimiter": ",", "quotechar": '"', "doublequote": True}
    counter = ByteCounter()
    header: list[str] | None = None
    digest: CsvRecords | None = None
    records = 0
    with closing(iter_blocks(path, detected.compression)) as blocks:
        reader = csv.reader(_lines(iter_line_batches(name, blocks, counter)), strict=True, **dialect)  # type: ignore[arg-type]
        try:
            for row in reader:
                if not row:
                    continue
                if header is None:
                    header = row
                    digest = CsvRecords(header) if records_digest else None
                    continue
                if len(row) != len(header):
                    cause = f"expected {len(header)} fields, found {len(row)}"
                    raise FormatError(name, f"ragged row on line {reader.line_num}: {cause}")
                records += 1
                if digest is not None:
                    digest.add(row)
        except csv.Error as exc:
            raise FormatError(name, f"malformed {kind} on line {reader.line_num}: {exc}") from None
    columns = shared_columns(tuple((field, "string") for field in header)) if header is not None else None
    if records_digest and digest is None:  # no header: no rows either
        digest = CsvRecords([])
    return Inspection(records, columns, counter.bytes if detected.compression else None,
                      digest.digest() if digest else None)


def _lines(batches: Iterable[tuple[int, list[str]]]) -> Iterator[str]:
    """Flatten line batches into single lines, so that `csv.reader.line_num` is the file's line."""
    for _, lines in batches:
        yield from lines
