"""Read a CycloneDX JSON file in one streaming pass: the bulk component by component, the rest as one value.

The bulk of a DBOM is the file components nested under its datasets (`components[i].components[j]`):
up to 10^7 of them. `stream_document` hands each of those to a callback as it reads it, with its
location and where its text lies in the file, and returns the rest of the document (the skeleton)
with those arrays left empty. Memory holds one component at a time and the skeleton, never the
whole document.

Two ways through a file, with the same result:
- **lines**: a document as dbom writes it (its first lines are the writer's) has each file component
  on a line of its own. Such a line is parsed alone with orjson (about five times json.load's speed);
  the lines between them are the skeleton, parsed at the end. A tracker of the skeleton's brackets
  says where each component sits, and that a line really is an array item. Anything else (a line that
  is not a whole item, an array that mixes the two) sends the file to the second way.
- **events**: any other document goes through ijson's streaming parser (C backend), which builds each
  nested file component and the skeleton from parse events, and copies each component's JSON text to
  a spool file so that it can be read again later (`ItemSpans`).

Both refuse what `document.read_document` refuses: not JSON, NaN or Infinity, nesting too deep,
unpaired surrogates, and (the events way, for a file over document.SMALL_BYTES) a file that is not a
CycloneDX object, before any component is handed out.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, BinaryIO, Protocol

import orjson

from dbom.cyclonedx.document import (
    MISSING,
    NOT_UNICODE,
    SMALL_BYTES,
    NotCycloneDX,
    _lone_surrogate,
    _reject_constant,
    _require_cyclonedx,
    read_document,
)

# A document up to this size is parsed whole (json.loads, then split): the streaming ways are for big ones.
WHOLE_BYTES = SMALL_BYTES
SPOOL_MEMORY = 8 << 20


class ItemSink(Protocol):
    """Receives the streamed components of a document."""

    # whether the sink reads components again later (`SpanFile.lines`): their text is then spooled when it
    # is not where a line of the file is; else `offset` is -1
    spans: bool

    def begin(self, spec_version: Any) -> None:
        """Called before the first component: the document's top-level `specVersion` (MISSING when absent)."""

    def reset(self) -> None:
        """Forget every component received: the file is read again from its start, another way."""

    def item(self, component: dict[str, Any], loc: Any, text: bytes, source: SpanFile, offset: int) -> None:
        """One component at `loc` (a `(parent, key)` chain), its JSON text, and where that text lies:
        a line starting at `offset` in `source`."""

_WRITER_HEAD = re.compile(rb'\{\n  "\$schema": "http://cyclonedx\.org/schema/bom-1\.[0-9]+\.schema\.json",\n'
                          rb'  "bomFormat": "CycloneDX",\n  "specVersion": "(1\.[0-9]+)",\n')
_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|[{}\[\]:,]|[^\s"{}\[\]:,]+')
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_TOP_COMPONENTS = (None, "components")
MAX_DEPTH = 512  # deeper skeletons are refused as json.loads would refuse them (RecursionError)


@dataclass(frozen=True)
class FileIdentity:
    """A file as it was when read: a later reader checks it is still that file, unchanged."""

    device: int
    inode: int
    size: int
    mtime_ns: int

    @staticmethod
    def of(stat: os.stat_result) -> FileIdentity:
        """The identity in `stat`."""
        return FileIdentity(stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)


class SpanFile:
    """The file that holds the streamed components' text, a line each: the DBOM itself (the lines way),
    or a spool (in memory up to SPOOL_MEMORY bytes, then a temporary file)."""

    def __init__(self, path: Path, identity: FileIdentity | None, spooled: bool = False) -> None:
        self.path = path
        self.identity = identity
        self._spool: IO[bytes] | None = (
            tempfile.SpooledTemporaryFile(SPOOL_MEMORY, prefix="dbom-stream-") if spooled else None)  # noqa: SIM115

    def lines(self, offset: int, count: int) -> Iterator[bytes]:
        """The `count` lines from `offset`; OSError when the file is no longer the one that was read."""
        if self._spool is None:
            with open(self.path, "rb") as file:
                if self.identity is not None and FileIdentity.of(os.fstat(file.fileno())) != self.identity:
                    raise OSError(0, "changed since it was read")
                file.seek(offset)
                for _ in range(count):
                    yield file.readline()
            return
        spool = self._spool
        for _ in range(count):  # the spool is shared: each line is read from where this reader stands
            spool.seek(offset)
            line = spool.readline()
            offset += len(line)
            yield line

    def spool(self, text: bytes) -> int:
        """Append `text` as a line of the spool; its offset."""
        assert self._spool is not None
        spool = self._spool
        offset = spool.seek(0, os.SEEK_END)
        spool.write(text + b"\n")
        return offset


def stream_document(path: Path, sink: ItemSink) -> Any:
    """Read `path`, handing each nested file component to `sink`; return the rest (the skeleton).

    Raises OSError when the file cannot be read and NotCycloneDX as `document.read_document` does.
    Components are handed out in document order; `sink.reset()` is called before the file is read
    again another way.
    """
    with open(path, "rb") as file:
        stat = os.fstat(file.fileno())
        if stat.st_size <= WHOLE_BYTES:
            doc = read_document(path)
            sink.begin(doc.get("specVersion", MISSING) if isinstance(doc, dict) else MISSING)
            return _split(doc, path, sink)
        head = _WRITER_HEAD.match(file.read(512))
        if head:
            file.seek(0)
            sink.begin(head.group(1).decode("ascii"))
            try:
                return _by_lines(file, SpanFile(path, FileIdentity.of(stat)), sink)
            except _NotLineShaped:
                sink.reset()
        file.seek(0)
        spec_version = _require_cyclonedx(file)  # refused before anything is handed out, in bounded memory
        file.seek(0)
        sink.begin(spec_version)
        return _by_events(file, path, sink)


def declared_spec_version(path: Path) -> Any:
    """The top-level `specVersion` of the CycloneDX file at `path` (MISSING when absent), read in bounded
    memory: from the first lines of a file dbom wrote, else by streaming over the top level."""
    from dbom.cyclonedx.document import _top_level_bom_format

    with open(path, "rb") as file:
        head = _WRITER_HEAD.match(file.read(512))
        if head:
            return head.group(1).decode("ascii")
        file.seek(0)
        return _top_level_bom_format(file)[1]


def _split(doc: Any, path: Path, sink: ItemSink) -> Any:
    """A whole small document: its nested file components handed out (and spooled), the rest returned."""
    components = doc.get("components") if isinstance(doc, dict) else None
    if not isinstance(components, list):
        return doc
    source: SpanFile | None = None
    for i, component in enumerate(components):
        nested = component.get("components") if isinstance(component, dict) else None
        if not isinstance(nested, list) or not nested:
            continue
        if source is None:
            source = SpanFile(path, None, spooled=sink.spans)
        array_loc = (((None, "components"), i), "components")
        for j, item in enumerate(nested):
            if item.__class__ is not dict:
                continue  # left in the skeleton, where validation reports it
            text = orjson.dumps(item)
            sink.item(item, (array_loc, j), text, source, source.spool(text) if sink.spans else -1)
        component["components"] = [item for item in nested if item.__class__ is not dict]
    return doc


class _NotLineShaped(Exception):
    """The document does not have the writer's one-component-per-line shape after all."""


class _Frame:
    """An open object or array of the skeleton: where it sits, and where its next value goes."""

    __slots__ = ("index", "is_array", "kept", "key", "loc", "open_value", "streamed")

    def __init__(self, is_array: bool, loc: Any) -> None:
        self.is_array = is_array
        self.loc = loc
        self.key: str | None = None  # an object's current key
        self.index = 0  # an array's next item
        self.open_value = is_array  # an array right after `[` or `,`: a value may start here
        self.streamed = False  # an array some of whose items were streamed
        self.kept = False  # an array some of whose items stayed in the skeleton


def _by_lines(file: BinaryIO, source: SpanFile, sink: ItemSink) -> Any:
    skeleton: list[bytes] = []
    stack: list[_Frame] = []
    offset = 0
    loads, emit = orjson.loads, sink.item
    for line in file:
        start = offset
        offset += len(line)
        stripped = line.strip()
        if stripped[:2] == b'{"' and stack:
            top = stack[-1]
            if top.is_array and top.open_value and _nested_components(top.loc):
                comma = stripped[-1:] == b","
                text = stripped[:-1] if comma else stripped
                try:
                    item = loads(text)
                except orjson.JSONDecodeError:
                    item = None
                if item.__class__ is not dict or top.kept:
                    raise _NotLineShaped  # an item split over lines, or several on one line: the events way
                top.streamed = True
                emit(item, (top.loc, top.index), text, source, start)
                if comma:
                    top.index += 1
                else:
                    top.open_value = False
                continue
        skeleton.append(line)
        _track(stripped, stack)
    return _parse_skeleton(b"".join(skeleton))


def _nested_components(loc: Any) -> bool:
    """Whether `loc` is that of a `components[i].components` array."""
    return (loc is not None and loc[1] == "components" and loc[0] is not None and loc[0][0] == _TOP_COMPONENTS
            and isinstance(loc[0][1], int))


def _track(text: bytes, stack: list[_Frame]) -> None:
    """Follow the skeleton's brackets, keys and commas through one line's tokens."""
    for token in _TOKEN.findall(text):
        first = token[:1]
        top = stack[-1] if stack else None
        if first == b'"' and top is not None and not top.is_array and top.key is None:
            try:
                top.key = json.loads(token)
            except ValueError:
                raise _NotLineShaped from None
            continue
        if first == b":" or first == b",":
            if top is not None and first == b",":
                if top.is_array:
                    top.index += 1
                    top.open_value = True
                else:
                    top.key = None
            continue
        if first in b"]}":
            if top is None:
                raise _NotLineShaped
            if top.streamed and top.open_value:
                raise _NotLineShaped  # a comma after the last streamed item: not JSON, said the events way
            stack.pop()
            continue
        # a value begins: an object, an array or a scalar
        if top is None:
            loc = None
        elif top.is_array:
            if top.streamed:
                raise _NotLineShaped  # an item in the skeleton after streamed ones: keep the order exact
            top.kept = True
            top.open_value = False
            loc = (top.loc, top.index)
        else:
            loc = (top.loc, top.key)
        if first == b"{" or first == b"[":
            if len(stack) >= MAX_DEPTH:
                raise _NotLineShaped
            stack.append(_Frame(first == b"[", loc))


def _parse_skeleton(raw: bytes) -> Any:
    try:
        doc = json.loads(raw, parse_constant=_reject_constant)
    except RecursionError:
        raise NotCycloneDX("(file)", "not readable as JSON: nested too deeply") from None
    except ValueError as exc:
        raise NotCycloneDX("(file)", f"not JSON: {' '.join(str(exc).split())}") from None
    if _SURROGATE_ESCAPE.search(raw):
        lone = _lone_surrogate(doc)
        if lone is not None:
            raise NotCycloneDX("(file)", f"not Unicode text: a string holds an unpaired surrogate (\\u{lone:04x})")
    return doc


def _by_events(file: BinaryIO, path: Path, sink: ItemSink) -> Any:
    """The events way: ijson's parse events, a value built at a time."""
    import ijson

    source = SpanFile(path, None, spooled=sink.spans)
    # containers being built: [value, key-or-None, location]
    stack: list[list[Any]] = []
    root: list[Any] = []
    item_depth = -1  # len(stack) at which the streamed item being built began, -1: none
    index_of: list[int] = []  # per open array: the index of its next item
    try:
        for _, event, value in ijson.parse(file, use_float=True):
            if event == "map_key":
                stack[-1][1] = value
                continue
            if event in ("end_map", "end_array"):
                built, _, loc = stack.pop()
                if event == "end_array":
                    index_of.pop()
                if len(stack) == item_depth:  # a streamed item is complete
                    item_depth = -1
                    text = orjson.dumps(built)
                    sink.item(built, loc, text, source, source.spool(text) if sink.spans else -1)
                    index_of[-1] += 1
                    continue
                _store(stack, root, built, index_of)
                continue
            if event in ("start_map", "start_array"):
                if len(stack) >= MAX_DEPTH:
                    raise NotCycloneDX("(file)", "not readable as JSON: nested too deeply")
                loc = _location(stack, index_of)
                if item_depth < 0 and event == "start_map" and _at_nested_components(stack):
                    item_depth = len(stack)
                stack.append([{} if event == "start_map" else [], None, loc])
                if event == "start_array":
                    index_of.append(0)
                continue
            _store(stack, root, value, index_of)
    except ijson.JSONError as exc:
        reason = (str(exc).strip().splitlines() or ["invalid JSON"])[0]
        raise NotCycloneDX("(file)", f"not JSON: {reason[:200]}") from None
    except UnicodeDecodeError:
        raise NotCycloneDX("(file)", NOT_UNICODE) from None
    if not root:
        raise NotCycloneDX("(file)", "not JSON: the file is empty")
    doc = root[0]
    lone = _lone_surrogate(doc)
    if lone is not None:
        raise NotCycloneDX("(file)", f"not Unicode text: a string holds an unpaired surrogate (\\u{lone:04x})")
    return doc


def _at_nested_components(stack: list[list[Any]]) -> bool:
    """Whether the next value is an item of `components[i].components` (root, array, object, array open)."""
    return (len(stack) == 4 and stack[3][0].__class__ is list and stack[2][1] == "components"
            and stack[1][0].__class__ is list and stack[0][1] == "components" and stack[0][0].__class__ is dict)


def _location(stack: list[list[Any]], index_of: list[int]) -> Any:
    if not stack:
        return None
    parent, key, loc = stack[-1]
    return (loc, index_of[-1]) if parent.__class__ is list else (loc, key)


def _store(stack: list[list[Any]], root: list[Any], value: Any, index_of: list[int]) -> None:
    if not stack:
        root.append(value)
        return
    parent = stack[-1]
    if parent[0].__class__ is list:
        parent[0].append(value)
        index_of[-1] += 1
    else:
        parent[0][parent[1]] = value
