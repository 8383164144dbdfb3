"""Which fields of a record hold its text, its URL and its date: found by name, or stated in the manifest.

A field is a dotted path: `text`, or `metadata.url` for the `url` field of a struct column (Arrow) or of
a nested object (JSON). A name is matched case-insensitively, `-` and `_` alike (`WARC-Target-URI` matches
`warc_target_uri`). Top-level fields win over nested ones, then the order of the name lists below, then the
order of the schema. The text and URL fields must hold strings; the date field dates, timestamps or ISO 8601
strings. A field stated in the manifest (`text_field`, `url_field`, `date_field`) is used as stated; against
an Arrow schema it must exist and have a usable type, or the error names it and the fields there are.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from dbom.errors import DbomError

TEXT_NAMES = ("text", "content", "raw_content", "contents", "body", "document", "article", "passage", "clean_text")
URL_NAMES = ("url", "uri", "warc_target_uri", "target_uri", "source_url", "page_url", "link", "href")
DATE_NAMES = ("date", "created", "created_at", "creation_date", "timestamp", "crawl_date", "crawl_timestamp",
              "warc_date", "published", "published_at", "publication_date", "date_published", "datetime",
              "last_modified", "time")

# Records whose text is in several fields (question and answer, instruction and output...): when no field
# above is found, the first group of which at least two fields are there; their texts joined by a newline.
TEXT_GROUPS = (("instruction", "input", "output"), ("prompt", "response"), ("prompt", "completion"),
               ("prompt", "chosen"), ("question", "context", "answer"), ("query", "response"),
               ("problem", "solution"), ("title", "body"))
JOIN = "+"  # a text field of several: their paths joined by it (`question+answer`)
# Chat records: a list of messages whose texts are joined by a newline, written `messages[].content`.
CHAT_NAMES = ("messages", "conversations", "conversation", "dialog", "dialogue", "turns", "chat")
CHAT_KEYS = ("content", "value", "text")
ITEMS = "[]."  # `list[].key`: the `key` of each item of the list field `list`

# What a field holds, as far as the profile cares.
STRING, DATE, OTHER = "string", "date", "other"
_USABLE = {"text": (STRING,), "url": (STRING,), "date": (DATE, STRING)}
_NAMES = {"text": TEXT_NAMES, "url": URL_NAMES, "date": DATE_NAMES}


@dataclass(frozen=True)
class FieldSpec:
    """The fields stated in the manifest (`text_field`, `url_field`, `date_field`); None: found by name."""

    text: str | None = None
    url: str | None = None
    date: str | None = None


@dataclass(frozen=True)
class Fields:
    """The fields the profile reads; None when a record has no such field."""

    text: str | None = None
    url: str | None = None
    date: str | None = None


def find_fields(source: Any, spec: FieldSpec | None = None, name: str | None = None) -> Fields:
    """The text, URL and date fields of a pyarrow Schema (or of one JSON record, a dict), by name or as stated.

    `name` (a file) is what an error names. Raises DbomError for a stated field that the schema lacks or
    whose type cannot be read as asked.
    """
    spec = spec or FieldSpec()
    typed = source is not None and not isinstance(source, Mapping)
    paths = list(schema_paths(source) if typed else record_paths(source or {}))
    kinds = dict(paths)
    found: dict[str, str | None] = {}
    for role in ("text", "url", "date"):
        stated = getattr(spec, role)
        if stated is None:
            found[role] = _by_name(paths, role) or (_text_group(paths) or _chat_field(source)
                                                    if role == "text" else None)
        elif role == "text" and ITEMS in stated:  # the items of a list: checked as they are read
            found[role] = stated
        elif typed:
            for part in stated.split(JOIN) if role == "text" else (stated,):
                kind = kinds.get(part)
                if kind is None:
                    available = ", ".join(path for path, _ in paths) or "none"
                    raise DbomError(name, f"{role}_field {part!r} is not a field of the records (fields: {available})")
                if kind not in _USABLE[role]:
                    wanted = "strings" if role != "date" else "dates, timestamps or ISO 8601 strings"
                    raise DbomError(name, f"{role}_field {part!r} does not hold {wanted}")
            found[role] = stated
        else:
            found[role] = stated  # a JSON record may lack an optional key: the others may have it
    return Fields(found["text"], found["url"], found["date"])


def _normal(name: str) -> str:
    return name.lower().replace("-", "_")


def _by_name(paths: list[tuple[str, str]], role: str) -> str | None:
    """The first usable field named as `role` is named: shallowest first, then name order, then schema order."""
    rank = {name: i for i, name in enumerate(_NAMES[role])}
    best: tuple[int, int, int] | None = None
    chosen = None
    for order, (path, kind) in enumerate(paths):
        leaf = _normal(path.rsplit(".", 1)[-1])
        if kind not in _USABLE[role] or (leaf not in rank and _normal(path) not in rank):
            continue
        key = (path.count("."), rank.get(_normal(path), rank.get(leaf, len(rank))), order)
        if best is None or key < best:
            best, chosen = key, path
    return chosen


def _text_group(paths: list[tuple[str, str]]) -> str | None:
    """The top-level string fields of the first TEXT_GROUPS group present in at least two fields, joined."""
    strings = {_normal(path): path for path, kind in paths if kind == STRING and "." not in path}
    for group in TEXT_GROUPS:
        present = [strings[name] for name in group if name in strings]
        if len(present) >= 2:
            return JOIN.join(present)
    return None


def _chat_field(source: Any) -> str | None:
    """`name[].key` for a top-level list named as chat messages (CHAT_NAMES) whose items hold a string
    `key` (CHAT_KEYS), in a pyarrow Schema (list of structs) or a JSON record (list of objects)."""
    if source is None:
        return None
    if isinstance(source, Mapping):
        for name in CHAT_NAMES:
            items = next((v for k, v in source.items() if _normal(str(k)) == name), None)
            if isinstance(items, list):
                first = next((item for item in items if isinstance(item, Mapping)), None)
                key = next((k for k in CHAT_KEYS if first is not None and isinstance(first.get(k), str)), None)
                if key is not None:
                    return f"{next(k for k in source if _normal(str(k)) == name)}{ITEMS}{key}"
        return None
    import pyarrow as pa

    fields = {_normal(field.name): field for field in source}
    for name in CHAT_NAMES:
        field = fields.get(name)
        if field is None or not (pa.types.is_list(field.type) or pa.types.is_large_list(field.type)):
            continue
        item = field.type.value_type
        if pa.types.is_struct(item):
            children = {child.name: child for child in item}
            key = next((k for k in CHAT_KEYS if k in children and arrow_kind(children[k].type) == STRING), None)
            if key is not None:
                return f"{field.name}{ITEMS}{key}"
    return None


def schema_paths(schema: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    """Each field of a pyarrow Schema (or struct type) as (dotted path, kind), struct fields expanded."""
    import pyarrow as pa

    for field in schema:
        path = prefix + field.name
        kind = arrow_kind(field.type)
        if pa.types.is_struct(field.type):
            yield path, OTHER
            yield from schema_paths(list(field.type), path + ".")
        else:
            yield path, kind


def arrow_kind(arrow_type: Any) -> str:
    """STRING, DATE or OTHER for a pyarrow type (a dictionary of strings is STRING)."""
    import pyarrow as pa

    if pa.types.is_dictionary(arrow_type):
        arrow_type = arrow_type.value_type
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type) or _is_string_view(arrow_type):
        return STRING
    if pa.types.is_date(arrow_type) or pa.types.is_timestamp(arrow_type):
        return DATE
    return OTHER


def _is_string_view(arrow_type: Any) -> bool:
    import pyarrow as pa

    check = getattr(pa.types, "is_string_view", None)  # pyarrow >= 16
    return bool(check and check(arrow_type))


def record_paths(record: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    """Each key of a JSON record as (dotted path, kind), nested objects expanded."""
    for key, value in record.items():
        path = prefix + str(key)
        if isinstance(value, Mapping):
            yield path, OTHER
            yield from record_paths(value, path + ".")
        else:
            yield path, STRING if isinstance(value, str) else OTHER
