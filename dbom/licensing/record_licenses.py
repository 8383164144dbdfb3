"""Licenses stated per record: the distribution of a license column's values by records and bytes.

Mixed corpora often carry a license per document (a `license` column or field). When a
shard's schema has such a column, its values are counted: records per license, and bytes
per license, where a record's bytes are its line's length in JSON Lines and CSV (uncompressed),
and the summed lengths of its string and binary values in Parquet and Arrow (the payload,
since columnar files have no per-row size). Values are normalised to SPDX ids where they
name one (Hugging Face identifiers included); anything else is kept as written.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from pathlib import Path

from dbom.errors import FormatError
from dbom.model import NOASSERTION, Column, LicenseShare

LICENSE_COLUMNS = ("license", "licence", "license_id", "license_spdx", "spdx_license", "spdx_id", "licenses")
BATCH_ROWS = 65536
MISSING = "(none)"  # records whose license field is null or empty


def license_column(columns: Sequence[Column] | None) -> str | None:
    """The name of the per-record license column in `columns`, or None."""
    if not columns:
        return None
    names = {c.name.lower(): c.name for c in columns}
    return next((names[n] for n in LICENSE_COLUMNS if n in names), None)


def normalise_value(value: object) -> str:
    """An SPDX id for a per-record license value when it names one, else the value as written."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return MISSING
    text = str(value).strip()
    from dbom.licensing.hf_licenses import hf_license

    found = hf_license(text)
    return found.expression if found.expression != NOASSERTION else text


def count_shard(path: Path, fmt: str, compression: str | None, column: str) -> dict[str, tuple[int, int]]:
    """{license value as written: (records, bytes)} for one shard; raises FormatError on unreadable data."""
    if fmt == "parquet":
        return _count_columnar(path, column, parquet=True)
    if fmt in ("arrow", "arrow-stream"):
        return _count_columnar(path, column, parquet=False)
    if fmt in ("jsonl", "csv", "tsv"):
        from dbom.formats.compression import iter_blocks
        from dbom.formats.lines import iter_line_batches

        lines = (line for _, batch in iter_line_batches(str(path), iter_blocks(path, compression)) for line in batch)
        return _count_json_lines(path, lines, column) if fmt == "jsonl" else \
            _count_delimited(path, lines, column, "\t" if fmt == "tsv" else ",")
    return {}


def merge(counts: Iterable[dict[str, tuple[int, int]]]) -> tuple[LicenseShare, ...]:
    """Shard counts added up and normalised, sorted by records (most first), then by license."""
    total: dict[str, list[int]] = {}
    for shard_counts in counts:
        for raw, (records, nbytes) in shard_counts.items():
            entry = total.setdefault(normalise_value(None if raw == MISSING else raw), [0, 0])
            entry[0] += records
            entry[1] += nbytes
    shares = [LicenseShare(name, r, b) for name, (r, b) in total.items()]
    return tuple(sorted(shares, key=lambda s: (-s.records, s.license)))


def _add(counts: dict[str, tuple[int, int]], key: str, nbytes: int) -> None:
    records, total = counts.get(key, (0, 0))
    counts[key] = (records + 1, total + nbytes)


def _count_json_lines(path: Path, lines: Iterable[str], column: str) -> dict[str, tuple[int, int]]:
    counts: dict[str, tuple[int, int]] = {}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            raise FormatError(str(path), f"invalid JSON on line {number}") from None
        value = record.get(column) if isinstance(record, dict) else None
        _add(counts, MISSING if value in (None, "") else str(value), len(line.encode("utf-8")) + 1)
    return counts


def _count_delimited(path: Path, lines: Iterable[str], column: str, delimiter: str) -> dict[str, tuple[int, int]]:
    counts: dict[str, tuple[int, int]] = {}
    header: list[str] | None = None
    index = -1
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = next(csv.reader(io.StringIO(line), delimiter=delimiter))
        except (csv.Error, StopIteration):
            raise FormatError(str(path), f"malformed row on line {number}") from None
        if header is None:
            header, index = row, row.index(column) if column in row else -1
            continue
        value = row[index] if 0 <= index < len(row) else ""
        _add(counts, value or MISSING, len(line.encode("utf-8")) + 1)
    return counts


def _count_columnar(path: Path, column: str, parquet: bool) -> dict[str, tuple[int, int]]:
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        batches, schema = _batches(path, parquet)
    except (pa.ArrowInvalid, OSError) as exc:
        raise FormatError(str(path), f"cannot read the license column: {exc}") from None
    payload = [f.name for f in schema if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)
               or pa.types.is_binary(f.type) or pa.types.is_large_binary(f.type)]
    counts: dict[str, tuple[int, int]] = {}
    for batch in batches(columns=[column, *[p for p in payload if p != column]]):
        sizes = pa.array([0] * batch.num_rows, pa.int64())
        for name in payload:
            sizes = pc.add(sizes, pc.fill_null(pc.cast(pc.binary_length(batch.column(name)), pa.int64()), 0))
        values = pc.fill_null(pc.cast(batch.column(column), pa.string()), MISSING)
        grouped = pa.table({"license": values, "size": sizes}).group_by("license").aggregate(
            [("size", "sum"), ("size", "count")])
        for value, total, records in zip(grouped["license"].to_pylist(), grouped["size_sum"].to_pylist(),
                                         grouped["size_count"].to_pylist(), strict=True):
            old_records, old_bytes = counts.get(value or MISSING, (0, 0))
            counts[value or MISSING] = (old_records + records, old_bytes + (total or 0))
    return counts


def _batches(path: Path, parquet: bool):  # type: ignore[no-untyped-def]
    """A function giving record batches of chosen columns, and the file's schema."""
    import pyarrow as pa
    import pyarrow.ipc as ipc
    import pyarrow.parquet as pq

    if parquet:
        pf = pq.ParquetFile(path)
        return (lambda columns: pf.iter_batches(batch_size=BATCH_ROWS, columns=columns)), pf.schema_arrow
    source = pa.memory_map(str(path))
    try:
        reader = ipc.open_file(source)
        batches = [reader.get_batch(i) for i in range(reader.num_record_batches)]
    except pa.ArrowInvalid:
        source.seek(0)
        batches = list(ipc.open_stream(source))
    schema = batches[0].schema if batches else pa.schema([])
    return (lambda columns: (b.select(columns) for b in batches)), schema
