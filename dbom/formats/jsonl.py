"""JSON Lines and JSON shards: record counts, and columns typed with JSON type names.

A column's type is the JSON type of its values: "string", "integer", "number", "boolean",
"null", "array" or "object"; a key whose values have several types gets them joined with "|"
in that fixed order (e.g. "integer|null"). Columns are the union of the top-level keys of
every record that is an object, in first-seen order, computed from ALL records (each line is
parsed anyway to validate it, so the schema costs one dictionary lookup per key); at most
`MAX_JSON_COLUMNS` keys are reported. A shard none of whose records is an object (e.g. lines
of bare strings) has columns None.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable
from contextlib import closing
from pathlib import Path
from typing import Any

from dbom.errors import FormatError
from dbom.formats.base import Detected, Inspection, shared_columns
from dbom.formats.compression import iter_blocks
from dbom.formats.limits import JSON_MAX_BYTES, MAX_JSON_COLUMNS
from dbom.formats.lines import UTF8_BOM, ByteCounter, iter_line_batches
from dbom.formats.records_digest import JsonRecords
from dbom.model import Column

_TYPE_NAMES: dict[type, str] = {
    str: "string",
    int: "integer",
    float: "number",
    bool: "boolean",
    type(None): "null",
    list: "array",
    dict: "object",
}
_TYPE_ORDER = ("string", "integer", "number", "boolean", "null", "array", "object")

_skip_whitespace = re.compile(r"[ \t\n\r]*").match
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")  # `\ud800` to `\udfff` in JSON text, paired or not
_encode_json = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode


class _Schema:
    """The union of top-level keys of object records, with the set of JSON types seen per key."""

    def __init__(self) -> None:
        self.types: dict[str, set[str]] = {}
        self.saw_object = False

    def add(self, value: object) -> None:
        """Merge the keys of `value` if it is an object; other values have no columns."""
        if type(value) is not dict:
            return
        self.saw_object = True
        types = self.types
        for key, item in value.items():
            name = _TYPE_NAMES[type(item)]
            seen = types.get(key)
            if seen is None:
                if len(types) < MAX_JSON_COLUMNS:
                    types[key] = {name}
            elif name not in seen:
                seen.add(name)

    def columns(self) -> tuple[Column, ...] | None:
        """The columns in first-seen order, or None when no record was an object."""
        if not self.saw_object:
            return None
        return shared_columns(tuple((key, "|".join(name for name in _TYPE_ORDER if name in seen))
                                    for key, seen in self.types.items()))


def inspect_jsonl(path: Path, detected: Detected, records_digest: bool = False, profile: Any = None) -> Inspection:
    """Count the records of a JSON Lines shard (its non-blank lines), validating every line.

    The file is streamed in large blocks (decompressed on the way), so time is linear and
    memory bounded by the longest line. Invalid UTF-8 or JSON raises FormatError naming the
    line. `uncompressed_bytes` is set for compressed shards. With `records_digest`, the `json`
    records digest is computed from the parsed records. With `profile` (an InlineProfile), the blocks read
    are profiled too, and the profile is the Inspection's.
    """
    name = str(path)
    counter = ByteCounter(lines=profile is not None)
    digest = JsonRecords() if records_digest else None
    with closing(iter_blocks(path, detected.compression)) as blocks:
        batches = iter_line_batches(name, blocks, counter)
        if profile is not None:
            batches = profile.tap_lines(batches, counter)
        records, schema = _parse_lines(name, batches, digest)
    return Inspection(records, schema.columns(), counter.bytes if detected.compression else None,
                      digest.digest() if digest else None, profile=profile.result() if profile is not None else None)


def inspect_json(path: Path, detected: Detected, records_digest: bool = False) -> Inspection:
    """Count the records of a `.json` shard: the length of a top-level array, else 1.

    The document must be at most `JSON_MAX_BYTES` uncompressed; it is held in memory as text,
    but an array is decoded one element at a time, so the decoded objects never all coexist.
    A `.json` file that is really JSON Lines (the first line is a whole JSON value and more
    follows, as Hugging Face `datasets` accepts) is counted as JSON Lines, whatever its size.
    A larger document that is not JSON Lines raises FormatError. With `records_digest`, the
    `json` records digest of the array's elements (or of the one value) is computed too.
    """
    name = str(path)
    data = _read_at_most(path, detected.compression, JSON_MAX_BYTES)
    if data is None:
        if _starts_like_json_lines(path, detected):
            return inspect_jsonl(path, detected, records_digest)
        limit = f"{JSON_MAX_BYTES >> 20} MiB"
        raise FormatError(name, f"JSON document larger than {limit}; store a corpus this large as JSON Lines")
    uncompressed = len(data) if detected.compression else None
    digest = JsonRecords() if records_digest else None
    parsed = _parse_document(name, _decode_document(name, data), digest)
    if parsed is None:  # JSON Lines in a .json file
        digest = JsonRecords() if records_digest else None
        parsed = _parse_lines(name, iter_line_batches(name, [data]), digest)
    records, schema = parsed
    return Inspection(records, schema.columns(), uncompressed, digest.digest() if digest else None)


def _adder(schema: _Schema, digest: JsonRecords | None) -> Callable[[object], None]:
    """What to do with each parsed record: merge it into the schema and, when asked, the digest."""
    if digest is None:
        return schema.add
    merge, hash_record = schema.add, digest.add

    def add(value: object) -> None:
        merge(value)
        hash_record(value)

    return add


def _parse_lines(name: str, batches: Iterable[tuple[int, list[str]]],
                 digest: JsonRecords | None = None) -> tuple[int, _Schema]:
    """Parse every non-blank line as JSON; return the record count and the schema."""
    schema = _Schema()
    add = _adder(schema, digest)
    loads = json.loads
    records = 0
    for first, lines in batches:
        surrogates = _SURROGATE_ESCAPE.search("".join(lines)) is not None  # rare: then each line is looked at
        for offset, line in enumerate(lines):
            if not line or line.isspace():
                continue
            try:
                value = loads(line)
            except (ValueError, RecursionError) as exc:
                raise FormatError(name, f"invalid JSON on line {first + offset}: {_reason(exc)}") from None
            if surrogates and _SURROGATE_ESCAPE.search(line):
                _refuse_unpaired_surrogate(name, first + offset, value)
            records += 1
            add(value)
    return records, schema


def _parse_document(name: str, text: str, digest: JsonRecords | None = None) -> tuple[int, _Schema] | None:
    """Parse one JSON document; None when it is JSON Lines (a one-line value followed by more)."""
    decode = json.JSONDecoder().raw_decode
    schema = _Schema()
    add = _adder(schema, digest)
    surrogates = _SURROGATE_ESCAPE.search(text) is not None  # rare: only then are the records' strings checked
    pos = _skip_whitespace(text, 0).end()
    if pos == len(text):
        raise FormatError(name, f"invalid JSON on line {_line_of(text, pos)}: empty document")
    try:
        if text[pos] == "[":
            records = 0
            pos = _skip_whitespace(text, pos + 1).end()
            if text.startswith("]", pos):
                pos += 1
            else:
                while True:
                    value, pos = decode(text, pos)
                    if surrogates:
                        _refuse_unpaired_surrogate(name, _line_of(text, pos), value)
                    records += 1
                    add(value)
                    pos = _skip_whitespace(text, pos).end()
                    separator = text[pos : pos + 1]
                    if separator == "]":
                        pos += 1
                        break
                    if separator != ",":
                        cause = "unterminated array" if not separator else "expecting ',' delimiter"
                        raise FormatError(name, f"invalid JSON on line {_line_of(text, pos)}: {cause}")
                    pos = _skip_whitespace(text, pos + 1).end()
        else:
            value, pos = decode(text, pos)
            if surrogates:
                _refuse_unpaired_surrogate(name, _line_of(text, pos), value)
            records = 1
            add(value)
    except (ValueError, RecursionError) as exc:
        line = exc.lineno if isinstance(exc, json.JSONDecodeError) else _line_of(text, pos)
        raise FormatError(name, f"invalid JSON on line {line}: {_reason(exc)}") from None
    end = _skip_whitespace(text, pos).end()
    if end < len(text):
        if text.find("\n", 0, pos) < 0:
            return None
        raise FormatError(name, f"invalid JSON on line {_line_of(text, end)}: extra data after the top-level value")
    return records, schema


def _read_at_most(path: Path, compression: str | None, limit: int) -> bytes | None:
    """The whole uncompressed content of `path`, or None when it is larger than `limit` bytes."""
    if compression is None and os.path.getsize(path) > limit:
        return None
    parts: list[bytes] = []
    size = 0
    with closing(iter_blocks(path, compression)) as blocks:
        for block in blocks:
            size += len(block)
            if size > limit:
                return None
            parts.append(block)
    return b"".join(parts)


def _starts_like_json_lines(path: Path, detected: Detected) -> bool:
    """True when the first non-blank line of the file is, by itself, a complete JSON value."""
    name = str(path)
    try:
        with closing(iter_blocks(path, detected.compression)) as blocks:
            for _, lines in iter_line_batches(name, blocks):
                for line in lines:
                    if line and not line.isspace():
                        json.loads(line)
                        return True
    except (FormatError, ValueError, RecursionError):
        return False
    return False


def _decode_document(name: str, data: bytes) -> str:
    """Decode a whole document as UTF-8 (dropping a byte-order mark), naming the bad line."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise FormatError(name, f"invalid UTF-8 on line {line}") from None
    return text[1:] if text.startswith(UTF8_BOM) else text


def _refuse_unpaired_surrogate(name: str, line: int, value: object) -> None:
    """FormatError when a string of `value` holds an unpaired UTF-16 surrogate: JSON's grammar allows
    `"\\ud800"` and json.loads returns it, but it is not Unicode text (no UTF-8 can hold it, nor the DBOM)."""
    try:
        _encode_json(value).encode("utf-8")
    except UnicodeEncodeError as exc:
        lone = f"\\u{ord(exc.object[exc.start]):04x}"
        raise FormatError(name, f"invalid JSON on line {line}: unpaired surrogate {lone}, not Unicode text") from None
    except RecursionError:
        pass  # as deep as json.loads allows: its strings are checked no further


def _line_of(text: str, pos: int) -> int:
    """The 1-based line number of character `pos`."""
    return text.count("\n", 0, pos) + 1


def _reason(exc: BaseException) -> str:
    """A short cause for a JSON parse failure."""
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} (column {exc.colno})"
    if isinstance(exc, RecursionError):
        return "nesting too deep"
    return str(exc)
