"""Read a small CycloneDX JSON file whole, and refuse a large one that is not CycloneDX before reading it.

Every command reads through dbom.cyclonedx.stream, which parses a file up to a mebibyte whole here
(`read_document`) and streams larger ones. A large file is looked at first: one that does not open
with `{`, or whose top-level object has no `"bomFormat": "CycloneDX"`, is refused in memory bounded
independently of its size (ijson's streaming parser over the top level, values skipped as they
stream by). Standard JSON only: NaN and Infinity are refused, and so is nesting too deep to parse.
"""

from __future__ import annotations

import json
import os
import pathlib
import re
from typing import Any, BinaryIO

_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")  # `\ud800` to `\udfff`, paired or not
# A file larger than this is looked at, streaming, before it is parsed whole: its top-level `bomFormat`
# (dbom writes it first; a foreign document may put it after its components: the look goes on to the end).
SMALL_BYTES = 1 << 20
_PEEK_BYTES = 4096


class NotCycloneDX(ValueError):
    """A file that is not a CycloneDX JSON document: `where` in it ("(file)", "(root)", "bomFormat"), and why."""

    def __init__(self, where: str, cause: str) -> None:
        super().__init__(f"{where}: {cause}")
        self.where = where
        self.cause = cause


def read_document(path: pathlib.Path) -> Any:
    """The JSON value in `path`; a file over SMALL_BYTES only once it is known to be a CycloneDX object.

    Raises OSError when the file cannot be read, NotCycloneDX when it is not JSON, is nested too
    deeply or holds NaN or Infinity, or (a large file) is not a CycloneDX object. A small file that is
    JSON but not CycloneDX is returned: `validate_document` says what is wrong with it.
    """
    with open(path, "rb") as file:
        if os.fstat(file.fileno()).st_size > SMALL_BYTES:
            _require_cyclonedx(file)  # before parsing: memory bounded whatever the file's size
            file.seek(0)
        raw = file.read()
    try:
        doc = json.loads(raw, parse_constant=_reject_constant)
    except RecursionError:
        raise NotCycloneDX("(file)", "not readable as JSON: nested too deeply") from None
    except ValueError as exc:  # json.JSONDecodeError and UnicodeDecodeError
        raise NotCycloneDX("(file)", f"not JSON: {' '.join(str(exc).split())}") from None
    if _SURROGATE_ESCAPE.search(raw):  # rare: only then are the strings looked at, one by one
        lone = _lone_surrogate(doc)
        if lone is not None:  # json.loads lets it through; nothing can encode it (the schema engine, a terminal)
            raise NotCycloneDX("(file)", f"not Unicode text: a string holds an unpaired surrogate (\\u{lone:04x})")
    return doc


def _lone_surrogate(doc: Any) -> int | None:
    """The first unpaired UTF-16 surrogate in a key or string of `doc` (an explicit stack: any depth), else None."""
    stack = [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(node)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, str) and not node.isascii():
            try:
                node.encode("utf-8")
            except UnicodeEncodeError as exc:
                return ord(node[exc.start])
    return None


MISSING = object()  # a top-level key the document does not have
NOT_UNICODE = "not Unicode text: bytes that are not UTF-8, or an unpaired surrogate escape"


def _require_cyclonedx(file: BinaryIO) -> Any:
    """Refuse, in bounded memory, a file that is not a CycloneDX object; return its `specVersion` (or MISSING)."""
    first = file.read(_PEEK_BYTES).lstrip()[:1]
    file.seek(0)
    if first != b"{":
        kind = {b"[": "an array", b'"': "a string"}.get(first)
        if kind is None:
            _top_level_bom_format(file)  # says what is wrong with it as JSON, streaming
            kind = "another JSON value"
        raise NotCycloneDX("(root)", f"not a CycloneDX document: expected a JSON object, found {kind}")
    found, spec_version = _top_level_bom_format(file)
    if found != "CycloneDX":
        what = "missing" if found is None else json.dumps(found)
        raise NotCycloneDX("bomFormat", f'not a CycloneDX document (bomFormat is {what}, expected "CycloneDX")')
    return spec_version


def _top_level_bom_format(file: BinaryIO) -> tuple[Any, Any]:
    """The values of the top-level `bomFormat` (None when absent) and `specVersion` (MISSING when absent)
    keys, streaming over the rest."""
    import ijson

    depth = 0
    expecting: str | None = None
    found: dict[str, Any] = {}
    try:
        for prefix, event, value in ijson.parse(file, use_float=True):
            if expecting is not None and prefix == expecting:
                found[expecting] = value if event in ("string", "number", "boolean", "null") else f"a JSON {event}"
                if len(found) == 2 or found.get("bomFormat", "CycloneDX") != "CycloneDX":
                    break  # both known, or not CycloneDX: refused without reading on
            expecting = None
            if event in ("start_map", "start_array"):
                depth += 1
            elif event in ("end_map", "end_array"):
                depth -= 1
            elif event == "map_key" and depth == 1 and value in ("bomFormat", "specVersion"):
                expecting = value
    except ijson.JSONError as exc:
        reason = (str(exc).strip().splitlines() or ["invalid JSON"])[0]  # yajl's next lines draw a caret
        raise NotCycloneDX("(file)", f"not JSON: {reason[:200]}") from None
    except RecursionError:
        raise NotCycloneDX("(file)", "not readable as JSON: nested too deeply") from None
    except UnicodeDecodeError:  # bytes that are not UTF-8, or ijson decoding an unpaired surrogate escape
        raise NotCycloneDX("(file)", NOT_UNICODE) from None
    return found.get("bomFormat"), found.get("specVersion", MISSING)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")  # Python's json accepts NaN and Infinity; JSON does not
