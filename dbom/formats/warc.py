"""WARC and WET shards (ISO 28500), the format web crawls come in, read record by record with FastWARC.

A WARC file is a sequence of records, each a block of WARC headers (`WARC-Type`, `WARC-Target-URI`,
`Content-Length`...) and a payload. A `.warc.gz` gzips each record as a gzip member of its own (as
Common Crawl writes them, so that one record can be read alone); a whole-file gzip is read too. A
crawl's `response` records hold the HTTP responses it fetched; a WET file (`.warc.wet.gz`) holds one
`conversion` record of plain text per page.

- `inspect_warc` (what `dbom scan` records): `records` is the number of content records, the
  `response` records of a WARC plus the `conversion` records of a WET (a file holding both counts
  both, as `iter_warc_texts` reads both); `record_types` counts every WARC-Type; the columns say
  what a content record holds: its `WARC-Target-URI`, its `WARC-Date` and its `payload`, typed with
  the payloads' media types (`text/html|application/pdf`).
- `iter_warc_contents` (what the content profile reads): per content record its `WARC-Target-URI`,
  its `WARC-Date`, its payload's media type and its payload as text (None when it is not text);
  `iter_warc_texts`: `(target URI, text)` per content record whose payload is text.

Both stream: one record's headers, and for the texts its payload up to `WARC_MAX_TEXT_BYTES`, are
in memory at a time. FastWARC (Rust, of the Resiliparse toolkit) parses and un-gzips; it is the
`warc` extra, imported when a WARC shard is first met, and holds the GIL (the inspection pool
sends large WARC shards to its processes).

FastWARC is lenient with damaged files: a record cut short is returned with what there is of it.
So each record's payload is checked to be whole, and, at the end, the file: gzip, that its last
member ends (a cut member has no trailer); uncompressed, that its last record's headers end and
its payload is all there. A cut exactly between two records cannot be told from a shorter file
(WARC has no end marker), as for JSON Lines.
"""

from __future__ import annotations

import codecs
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

from dbom.errors import DbomError, FormatError
from dbom.formats.base import Detected, Inspection, shared_columns
from dbom.formats.compression import MAGIC, iter_blocks
from dbom.formats.limits import (
    MAX_WARC_MEDIA_TYPES,
    READ_BLOCK_BYTES,
    WARC_HEADER_PROBE_BYTES,
    WARC_MAX_TEXT_BYTES,
)

INSTALL_HINT = "pip install 'dbom[warc]'"
CONTENT_RECORD_TYPES = ("response", "conversion")

_GZIP_MAGIC = MAGIC["gzip"][0]
_HEADERS_END = re.compile(rb"\r?\n\r?\n")
_CONTENT_LENGTH = re.compile(rb"^content-length[ \t]*:[ \t]*([0-9]{1,19})[ \t]*\r?$", re.IGNORECASE | re.MULTILINE)
_MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}")
_CHARSET_PARAM = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.IGNORECASE)
# Media types whose payload is text for the content profile: text/*, and these, and any `+xml` or `+json`.
_TEXT_APPLICATION_TYPES = frozenset({"application/xhtml+xml", "application/xml", "application/json",
                                     "application/javascript", "application/x-javascript", "application/rss+xml"})
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# Charset labels decoded with the superset browsers use for them (the WHATWG Encoding Standard), by the
# codec name Python gives the label: pages labelled iso-8859-1 are in practice windows-1252, and so on.
_BROWSER_CODECS = {"iso8859-1": "cp1252", "ascii": "cp1252", "iso8859-9": "cp1254", "tis-620": "cp874",
                   "gb2312": "gb18030", "gbk": "gb18030", "shift_jis": "cp932", "euc_kr": "cp949",
                   "big5": "big5hkscs"}


class WarcText(NamedTuple):
    """One content record's text: its `WARC-Target-URI` (None when it has none) and its payload as text."""

    uri: str | None
    text: str


class WarcContent(NamedTuple):
    """One content record: its `WARC-Target-URI` and `WARC-Date` as written (None when absent), its payload's
    media type (lower case, None when not stated or malformed) and its payload as text (None when not text)."""

    uri: str | None
    date: str | None
    media: str | None
    text: str | None


def inspect_warc(path: Path, detected: Detected) -> Inspection:
    """Count the records of a WARC or WET shard by WARC-Type and say what its content records hold.

    `records` is the number of `response` plus `conversion` records; `record_types` is every
    WARC-Type with its count, sorted by type; `uncompressed_bytes` is set for a gzipped file.
    Columns (None when there is no content record): `WARC-Target-URI` (string), `WARC-Date`
    (timestamp) and `payload`, whose type is the distinct media types of the content records'
    payloads (an HTTP response's `Content-Type`, else its `WARC-Identified-Payload-Type`; a
    conversion record's `Content-Type`), sorted and joined with "|", at most `MAX_WARC_MEDIA_TYPES`
    (`bytes` when none is stated). Payloads are skipped, not read. A file that is not WARC, is
    corrupt or truncated raises FormatError; a missing fastwarc package raises DbomError naming
    the extra to install.
    """
    walk = _Walk(path, detected.compression)
    content_kinds = walk.content_kinds
    counts: dict[int, int] = {}
    media: set[str] = set()
    parsed: dict[str | None, str | None] = {}  # Content-Type as written -> media type: few distinct values
    for kind, record in walk:
        counts[kind] = counts.get(kind, 0) + 1
        if kind in content_kinds and len(media) < MAX_WARC_MEDIA_TYPES:
            value = _payload_content_type(record)
            found = parsed.get(value, "")
            if found == "":
                found = _media_type(value)[0]
                if len(parsed) < MAX_WARC_MEDIA_TYPES * 32:
                    parsed[value] = found
            if found is not None:
                media.add(found)
    records = sum(count for kind, count in counts.items() if kind in content_kinds)
    by_name: dict[str, int] = {}
    for kind, count in counts.items():
        name = walk.type_name(kind)
        by_name[name] = by_name.get(name, 0) + count
    columns = None
    if records:
        columns = shared_columns((("WARC-Target-URI", "string"), ("WARC-Date", "timestamp"),
                                  ("payload", "|".join(sorted(media)) or "bytes")))
    return Inspection(records, columns, walk.uncompressed_bytes, record_types=tuple(sorted(by_name.items())))


def iter_warc_texts(path: Path, compression: str | None = None,
                    max_bytes: int = WARC_MAX_TEXT_BYTES) -> Iterator[WarcText]:
    """Yield `(target URI, text)` for each content record of a WARC or WET file whose payload is text, in file
    order: the records of `iter_warc_contents` that have a text. Errors as `iter_warc_contents`."""
    for content in iter_warc_contents(path, compression, max_bytes):
        if content.text is not None:
            yield WarcText(content.uri, content.text)


def iter_warc_contents(path: Path, compression: str | None = None,
                       max_bytes: int = WARC_MAX_TEXT_BYTES) -> Iterator[WarcContent]:
    """Yield each content record of a WARC or WET file, in file order, with its text when it has one.

    `compression` is the shard's (`None` or `"gzip"`, as `detect` says). What is yielded:
    - a `response` record holding an HTTP response whose media type is text (`text/*`, HTML, XML,
      JSON and their `+xml`/`+json` kinds): the HTTP body, un-chunked and un-gzipped (`gzip`,
      `deflate`, `br`) when its headers say so (left as it is when that fails: servers mislabel),
      then decoded by its charset: the `Content-Type` charset, else an HTML `<meta>` charset in
      its first 1 KiB, else UTF-8 when valid, else windows-1252; labels are read as browsers read
      them (iso-8859-1 as windows-1252...), and undecodable bytes become U+FFFD. The text of an
      HTML page is its markup (the content profile extracts its text: `dbom.profile.html_text`); a
      WET file holds the extracted text of the same pages. The payloads of other responses (other
      media types, none stated, images, PDF; non-HTTP ones such as `dns:`) are not read: their text
      is None.
    - a `conversion` record (WET): its payload, decoded by its `Content-Type` charset, else UTF-8.
    The URI is the `WARC-Target-URI` header, the date the `WARC-Date` header as written, None when
    absent; the media type is the payload's, as `inspect_warc` reads it. Records are streamed: memory
    holds one payload, of which at most `max_bytes` are read (after HTTP decoding); the rest of a
    longer one is skipped. A file that is not WARC, corrupt or truncated raises FormatError, possibly
    after the texts of the records before the damage were yielded; a missing fastwarc raises
    DbomError naming the extra to install.
    """
    walk = _Walk(path, compression)
    response, conversion = walk.content_kinds
    for kind, record in walk:
        text: str | None = None
        if kind == response:
            media, charset = _media_type(_payload_content_type(record))
            if record.is_http and _is_text(media):
                body = _read_at_most(record.reader, max_bytes)
                walk.ensure_whole(record)
                text = _decode_page(_http_decoded(body, record.http_headers, max_bytes), charset,
                                    media in _HTML_TYPES)
        elif kind == conversion:
            media, charset = _media_type(record.headers.get("Content-Type"))
            body = _read_at_most(record.reader, max_bytes)
            walk.ensure_whole(record)
            text = _decode_declared(body, charset) or body.decode("utf-8", "replace")
        else:
            continue
        yield WarcContent(_target_uri(record), _warc_date(record), media, text)


class _Walk:
    """One pass over the records of a WARC file, with the checks FastWARC leaves out.

    Iterating yields `(type number, FastWARC record)`, HTTP headers parsed; after each one the rest of its
    payload is skipped and checked to be whole. The file is checked to end where its last record
    does. Errors of the parser become FormatError naming the file.
    """

    def __init__(self, path: Path, compression: str | None) -> None:
        self.path = path
        self.name = str(path)
        self.compression = compression
        self.records = 0
        self.uncompressed_bytes: int | None = None
        self.fastwarc = _import_fastwarc(self.name)
        types = self.fastwarc.WarcRecordType
        self.content_kinds = (int(types.response), int(types.conversion))
        self._unknown = int(types.unknown)
        self._names = {int(kind): str(kind) for kind in (types.warcinfo, types.response, types.resource,
                                                         types.request, types.metadata, types.revisit,
                                                         types.conversion, types.continuation, types.unknown)}
        if compression not in (None, "gzip"):
            raise FormatError(self.name, f"{compression}-compressed WARC is not read (dbom reads WARC files "
                                         "uncompressed or gzipped: .warc, .warc.gz)")

    def type_name(self, kind: int) -> str:
        """The WARC-Type name of FastWARC's record type number."""
        return self._names.get(kind, "unknown")

    def __iter__(self) -> Iterator[tuple[int, Any]]:
        fastwarc = self.fastwarc
        with open(self.path, "rb") as file:
            if self.compression == "gzip":
                if file.read(2) != _GZIP_MAGIC:
                    raise FormatError(self.name, "not a gzip stream (bad magic bytes)")
                file.seek(0)
                stream = fastwarc.GzipReader(file)
            else:
                stream = file
            last_start: int | None = None
            try:
                for record in fastwarc.ArchiveIterator(stream, parse_http=True, stream_detect=False):
                    self.records += 1
                    kind = int(record.record_type)
                    if kind == self._unknown and record.headers.get("WARC-Type") is None:
                        raise FormatError(self.name, f"corrupt WARC: record {self.records} has no WARC-Type header")
                    last_start = record.stream_pos
                    yield kind, record
                    self.ensure_whole(record)
            except OSError as exc:
                if exc.errno is not None:  # the disk's error, not the parser's: the scan reports it as such
                    raise
                raise FormatError(self.name, self._cause(exc)) from None
            except BaseException as exc:
                if type(exc).__name__ != "PanicException":  # a Rust panic; GeneratorExit and the like pass
                    raise
                raise FormatError(self.name, self._cause(exc)) from None
            if self.compression == "gzip":
                self.uncompressed_bytes = stream.tell()
                if last_start is None or not _gzip_members_end(file, last_start):
                    for _ in iter_blocks(self.path, "gzip"):  # the fast check could not tell: read it all
                        pass
            elif last_start is not None:
                self._check_last_record(file, last_start)

    def ensure_whole(self, record: Any) -> None:
        """Skip the rest of `record`'s payload; FormatError when the file ended before its Content-Length."""
        record.consume()
        if record.reader.tell() != record.content_length:
            kind = self.type_name(int(record.record_type))
            raise FormatError(self.name, f"truncated WARC: record {self.records} ({kind}) ends before its "
                                         "Content-Length")

    def _check_last_record(self, file: BinaryIO, start: int) -> None:
        """FormatError unless the record at byte `start` of an uncompressed file has its headers and its payload."""
        file.seek(start)
        head = file.read(WARC_HEADER_PROBE_BYTES)
        end = _HEADERS_END.search(head)
        if end is None:
            raise FormatError(self.name, f"truncated WARC: the headers of the last record (at byte {start}) "
                                         "do not end")
        length = _CONTENT_LENGTH.search(head, 0, end.start())
        expected = start + end.end() + (int(length.group(1)) if length else 0)
        size = file.seek(0, 2)
        if size < expected:
            raise FormatError(self.name, f"truncated WARC: the last record (at byte {start}) ends at byte {size}, "
                                         f"before byte {expected} where its Content-Length ends it")

    def _cause(self, exc: BaseException) -> str:
        """The one-line cause for a parser error met after `self.records` whole records."""
        message = " ".join(str(exc).split()) or type(exc).__name__
        if "gzip" in message.lower():
            return f"truncated or corrupt gzip stream: {message}"
        if self.records == 0 and "header" in message.lower():
            return f"not a WARC file ({message} at the start)"
        return f"corrupt WARC after record {self.records}: {message}"


def _import_fastwarc(name: str) -> Any:
    """The fastwarc package; DbomError naming the extra when it is not installed."""
    try:
        import fastwarc
    except ImportError:
        raise DbomError(name, f"reading WARC needs the fastwarc package: {INSTALL_HINT}") from None
    return fastwarc


def _gzip_members_end(file: BinaryIO, start: int) -> bool:
    """True when gzip members start at byte `start` of `file` and each of them, to the end of the file, ends.

    FastWARC reads a gzip member cut before its trailer without a word. In a per-record gzip the
    last record's position is its member's start, so only that member is read again; False (then
    the caller reads the whole stream) when no member starts there, as in a whole-file gzip.
    """
    file.seek(start)
    data = file.read(READ_BLOCK_BYTES)
    if not data.startswith(_GZIP_MAGIC):
        return False
    member = zlib.decompressobj(31)
    fed = False  # the current member has been given bytes and has not ended
    try:
        while data:
            pending = data
            while pending:
                member.decompress(pending, READ_BLOCK_BYTES)  # output bounded, and dropped
                fed = True
                if member.eof:
                    pending = member.unused_data
                    member = zlib.decompressobj(31)
                    fed = False
                else:
                    pending = member.unconsumed_tail
            data = file.read(READ_BLOCK_BYTES)
    except zlib.error:
        return False
    return not fed


def _payload_content_type(record: Any) -> str | None:
    """The Content-Type of a content record's payload: the HTTP one for an HTTP response, else the WARC one."""
    if record.is_http:
        return record.http_headers.get("Content-Type") or record.headers.get("WARC-Identified-Payload-Type")
    return record.headers.get("Content-Type")


def _media_type(value: str | None) -> tuple[str | None, str | None]:
    """The media type (lower case, without parameters; None when malformed) and charset of a Content-Type."""
    if not value:
        return None, None
    main, _, parameters = value.partition(";")
    media = main.strip().lower()
    charset = _CHARSET_PARAM.search(parameters) if parameters else None
    return (media if _MEDIA_TYPE.fullmatch(media) else None), (charset.group(1) if charset else None)


def _is_text(media: str | None) -> bool:
    """True for the media types whose payload `iter_warc_texts` yields as text."""
    if media is None:
        return False
    return (media.startswith("text/") or media in _TEXT_APPLICATION_TYPES
            or media.endswith(("+xml", "+json")))


def _target_uri(record: Any) -> str | None:
    """The record's WARC-Target-URI, without the angle brackets some writers put around it; None when absent."""
    uri = record.headers.get("WARC-Target-URI")
    if uri is None:
        return None
    uri = uri.strip()
    if uri.startswith("<") and uri.endswith(">"):
        uri = uri[1:-1].strip()
    return uri or None


def _warc_date(record: Any) -> str | None:
    """The record's WARC-Date as written (ISO 8601, `2024-03-01T12:00:00Z`), stripped; None when absent or empty."""
    value = record.headers.get("WARC-Date")
    return value.strip() or None if value is not None else None


def _read_at_most(reader: Any, limit: int) -> bytes:
    """Up to `limit` bytes of a record's payload (FastWARC's reads may return less than asked)."""
    parts: list[bytes] = []
    size = 0
    while size < limit:
        part = reader.read(min(limit - size, READ_BLOCK_BYTES))
        if not part:
            break
        parts.append(part)
        size += len(part)
    return b"".join(parts)


def _http_decoded(body: bytes, headers: Any, limit: int) -> bytes:
    """The HTTP body without its transfer and content encodings; as it is when it does not decode as labelled."""
    transfer = headers.get("Transfer-Encoding")
    if transfer and "chunked" in transfer.lower():
        body = _dechunked(body) or body
    encoding = (headers.get("Content-Encoding") or "").strip().lower()
    decoded: bytes | None = None
    if encoding in ("gzip", "x-gzip"):
        decoded = _inflated(body, 31, limit)
    elif encoding == "deflate":  # zlib-wrapped as the RFC says, or raw as some servers send it
        decoded = _inflated(body, 15, limit) or _inflated(body, -15, limit)
    elif encoding == "br":
        decoded = _unbrotli(body, limit)
    return body if decoded is None else decoded


def _dechunked(body: bytes) -> bytes | None:
    """A chunked HTTP body's data (as much as there is of it); None when it is not chunked."""
    parts: list[bytes] = []
    pos = 0
    while pos < len(body):
        eol = body.find(b"\n", pos)
        if eol < 0:
            break
        try:
            size = int(body[pos:eol].split(b";", 1)[0].strip(), 16)
        except ValueError:
            return None
        if size == 0:
            break
        start = eol + 1
        parts.append(body[start : start + size])
        pos = start + size
        pos += 2 if body.startswith(b"\r\n", pos) else 1
    return b"".join(parts) if parts else None


def _inflated(body: bytes, wbits: int, limit: int) -> bytes | None:
    """`body` inflated (at most `limit` bytes of it), None when it is not deflate data of that framing."""
    try:
        return zlib.decompressobj(wbits).decompress(body, limit)
    except zlib.error:
        return None


def _unbrotli(body: bytes, limit: int) -> bytes | None:
    """`body` un-brotlied (at most about `limit` bytes of it); None when it is not brotli or brotli is missing."""
    try:
        import brotli  # a dependency of fastwarc

        return bytes(brotli.Decompressor().process(body, output_buffer_limit=limit))
    except Exception:  # brotli.error, a brotli too old to bound its output (TypeError), no brotli
        return None


def _decode_page(body: bytes, charset: str | None, html: bool) -> str:
    """An HTTP body as text, by its byte-order mark, declared charset, `<meta>` charset, UTF-8, or windows-1252."""
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return body.decode(codec, "replace")
    if charset is None and html:
        meta = _META_CHARSET.search(body, 0, 1024)
        charset = meta.group(1).decode("ascii") if meta else None
    declared = _decode_declared(body, charset)
    if declared is not None:
        return declared
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("cp1252", "replace")


def _decode_declared(body: bytes, label: str | None) -> str | None:
    """`body` decoded by the charset `label` (undecodable bytes as U+FFFD); None when the label names no text codec."""
    codec = _codec(label)
    if codec is None:
        return None
    try:
        return body.decode(codec, "replace")
    except LookupError:  # a codec that is not a text encoding (base64, rot13...)
        return None


def _codec(label: str | None) -> str | None:
    """Python's codec for a charset label, as browsers read the label; None for an unknown label."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().lower()).name
    except LookupError:
        return None
    return _BROWSER_CODECS.get(name, name)
