"""Split a stream of byte blocks into numbered, UTF-8-decoded lines, in linear time and bounded memory."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from dbom.errors import FormatError
from dbom.formats.limits import MAX_LINE_BYTES

UTF8_BOM = "\ufeff"
_BOM_BYTES = UTF8_BOM.encode()


@dataclass
class ByteCounter:
    """How many bytes `iter_line_batches` consumed: the uncompressed size of the file; with `lines`, also the
    bytes of the lines themselves (without their newlines, the carriage return of a CRLF ending, or a
    byte-order mark)."""

    bytes: int = 0
    lines: bool = False
    line_bytes: int = 0


def iter_line_batches(
    path: str, blocks: Iterable[bytes], counter: ByteCounter | None = None
) -> Iterator[tuple[int, list[str]]]:
    """Yield `(number of the first line, lines)` batches covering every line of `blocks`.

    Lines are decoded as UTF-8 and returned without their "\\n" (a "\\r" of a CRLF ending is
    kept); a UTF-8 byte-order mark at the start of the file is dropped; a last line without a
    newline is included. Each batch holds the complete lines of about one block, so the work
    per line is one C-level decode and split, not a Python read. Raises FormatError naming the
    line on invalid UTF-8, and on a line longer than `MAX_LINE_BYTES`.
    """
    next_line = 1
    pending: list[bytes] = []  # blocks of a line that has not ended yet
    pending_bytes = 0
    first = True
    for block in blocks:
        if counter is not None:
            counter.bytes += len(block)
        cut = block.rfind(b"\n")
        if cut < 0:
            pending.append(block)
            pending_bytes += len(block)
            if pending_bytes > MAX_LINE_BYTES:
                raise FormatError(path, f"line {next_line} is longer than {MAX_LINE_BYTES} bytes")
            continue
        data = b"".join((*pending, block[:cut])) if pending else block[:cut]
        rest = block[cut + 1 :]
        pending = [rest] if rest else []
        pending_bytes = len(rest)
        lines = _decode(path, data, next_line, first).split("\n")
        if counter is not None and counter.lines:
            _count_line_bytes(counter, data, len(lines) - 1, first)
        first = False
        yield next_line, lines
        next_line += len(lines)
    if pending:
        data = b"".join(pending)
        if counter is not None and counter.lines:
            _count_line_bytes(counter, data, 0, first)
        yield next_line, [_decode(path, data, next_line, first)]


def _count_line_bytes(counter: ByteCounter, data: bytes, newlines: int, at_start: bool) -> None:
    """Add the bytes of the lines of `data` (whole lines, its last one's newline already cut off; `newlines`
    between them)."""
    size = len(data) - newlines
    if b"\r" in data:  # a search at memory speed; counting the CRLF pairs is slower, and rarely needed
        size -= data.count(b"\r\n") + data.endswith(b"\r")
    if at_start and data.startswith(_BOM_BYTES):
        size -= len(_BOM_BYTES)
    counter.line_bytes += size


def _decode(path: str, data: bytes, first_line: int, at_start: bool) -> str:
    """Decode complete lines as UTF-8, naming the line of the first invalid byte on failure."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = first_line + data.count(b"\n", 0, exc.start)
        raise FormatError(path, f"invalid UTF-8 on line {line}") from None
    if at_start and text.startswith(UTF8_BOM):
        text = text[1:]
    return text
