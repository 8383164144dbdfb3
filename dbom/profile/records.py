"""The text, URL and date values of a batch of records, as Arrow arrays, whatever the records came as.

Records come as a pyarrow RecordBatch or Table (Parquet, Arrow) or as plain dict rows (JSON Lines); either
way the profile works on three Arrow arrays of one length, so both paths count alike. A value that is
missing, null or not a string (a text field holding a number in one JSON record) is null; a lone surrogate in
a JSON string (`"\ud800"`, not UTF-8) is read as U+FFFD.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dbom.profile.fields import Fields

_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Columns:
    """One batch of records: its length and its text, URL and date values (None: no such field)."""

    length: int
    text: Any = None  # pyarrow string array
    url: Any = None  # pyarrow string array
    date: Any = None  # pyarrow string, date or timestamp array


def batches_of(records: Any) -> Iterator[Any]:
    """The RecordBatches of a RecordBatch or Table (a Table's chunks, one after the other)."""
    import pyarrow as pa

    if isinstance(records, pa.Table):
        yield from records.to_batches()
    elif isinstance(records, pa.RecordBatch):
        yield records
    else:
        raise TypeError(f"expected a pyarrow RecordBatch or Table, got {type(records).__name__}")


def arrow_columns(batch: Any, fields: Fields) -> Columns:
    """The profiled columns of one RecordBatch (nested fields read out of their struct columns)."""
    return Columns(batch.num_rows, _column(batch, fields.text, True), _column(batch, fields.url, True),
                   _column(batch, fields.date, False))


def _column(batch: Any, path: str | None, as_string: bool) -> Any:
    import pyarrow as pa
    import pyarrow.compute as pc

    from dbom.profile.fields import ITEMS, JOIN

    if path is None:
        return None
    if ITEMS in path and JOIN not in path:  # a chat: each row's messages' texts joined by a newline
        name, _, key = path.partition(ITEMS)
        if name not in batch.schema.names:
            return None
        values = batch.column(batch.schema.names.index(name)).to_pylist()
        return pa.array([_items_text(value, key) for value in values], type=pa.large_string())
    if JOIN in path:  # a text of several fields: each row's present ones joined by a newline
        columns = [c.to_pylist() for c in (_column(batch, part, True) for part in path.split(JOIN)) if c is not None]
        if not columns:
            return None
        return pa.array([_joined(values) for values in zip(*columns, strict=True)], type=pa.large_string())
    names = batch.schema.names
    if path in names:
        array = batch.column(names.index(path))
    else:
        head, *rest = path.split(".")
        if head not in names:
            return None
        array = batch.column(names.index(head))
        for part in rest:
            if not pa.types.is_struct(array.type) or array.type.get_field_index(part) < 0:
                return None
            array = pc.struct_field(array, [array.type.get_field_index(part)])
    if pa.types.is_dictionary(array.type):
        array = array.dictionary_decode()
    if as_string and not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
        if not _is_string_like(array.type):
            return None
        array = array.cast(pa.large_string())
    return array


def _is_string_like(arrow_type: Any) -> bool:
    from dbom.profile.fields import STRING, arrow_kind

    return arrow_kind(arrow_type) == STRING


def row_columns(rows: Sequence[Any], fields: Fields) -> Columns:
    """The profiled columns of dict rows (JSON records); a row that is not an object has no fields."""
    import pyarrow as pa

    from dbom.profile.fields import ITEMS, JOIN

    def strings(path: str | None) -> Any:
        if path is None:
            return None
        if ITEMS in path and JOIN not in path:  # a chat: each row's messages' texts joined by a newline
            name, _, key = path.partition(ITEMS)
            values = [_items_text(row.get(name) if isinstance(row, Mapping) else None, key) for row in rows]
        elif JOIN in path:  # a text of several fields: each row's present ones joined by a newline
            fields = [(part, part.split(".")) for part in path.split(JOIN)]
            values = [_joined([_string_at(row, part, parts) for part, parts in fields]) for row in rows]
        else:
            parts = path.split(".")
            values = [_string_at(row, path, parts) for row in rows]
        try:
            return pa.array(values, type=pa.large_string())
        except UnicodeEncodeError:  # a lone surrogate (`"\ud800"` in JSON) is not UTF-8: it becomes U+FFFD
            return pa.array([_SURROGATE.sub("\ufffd", v) if v is not None else None for v in values],
                            type=pa.large_string())

    return Columns(len(rows), strings(fields.text), strings(fields.url), strings(fields.date))


def _items_text(items: Any, key: str) -> str | None:
    """The string `key` of each object of the list `items`, joined by a newline; None when there is none."""
    if not isinstance(items, list):
        return None
    return _joined([item.get(key) if isinstance(item, Mapping) and isinstance(item.get(key), str) else None
                    for item in items])


def _joined(values: Sequence[str | None]) -> str | None:
    """The strings of `values` joined by a newline; None when there is none."""
    present = [v for v in values if v is not None]
    return "\n".join(present) if present else None


def _string_at(row: Any, path: str, parts: list[str]) -> str | None:
    if not isinstance(row, Mapping):
        return None
    value = row.get(path)
    if value is None and len(parts) > 1:
        value = row
        for part in parts:
            value = value.get(part) if isinstance(value, Mapping) else None
    return value if isinstance(value, str) else None
