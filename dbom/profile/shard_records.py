"""A shard's records, in batches the profile accumulator takes: Arrow record batches, or lists of JSON rows.

Parquet and Arrow are read as record batches; JSON Lines, JSON and text as rows (a text line is a
row `{"text": line}`); CSV and TSV through Arrow's CSV reader. Compressed shards are decompressed
as the fingerprinting readers do. Other formats (WebDataset, images...) give no records here.

A WARC or WET shard gives a record per content record (`response`, `conversion`: the records its
inspection counts), as Arrow batches of three string fields, `WARC-Target-URI`, `WARC-Date` and `text`, so
the URL and date fields are found by their names (a manifest may state them too). The text is the payload's
as `iter_warc_contents` decodes it, except that of an HTML page (`text/html`, `application/xhtml+xml`),
which is the page's text without its markup (`html_text`): the profile counts what the page says, as in the
WET file of the same crawl, not its tags and scripts. A record whose payload is not text (an image, a PDF, a
`dns:` response) has a null text: it counts as a record, and its URL as a record of its domain with no bytes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dbom.errors import DbomError

ROWS_PER_BATCH = 4096
# WARC rows are whole web pages (up to 64 MiB each): a batch also ends once its texts hold this many characters
WARC_BATCH_CHARACTERS = 32 << 20
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_WARC_FIELDS = ("WARC-Target-URI", "WARC-Date", "text")
PROFILED_FORMATS = frozenset({"parquet", "arrow", "arrow-stream", "jsonl", "json", "csv", "tsv", "text", "warc"})


def record_batches(path: Path, format: str, compression: str | None) -> Iterator[Any]:
    """The records of the shard at `path`; a DbomError naming it when they cannot be read."""
    try:
        if format == "parquet":
            import pyarrow.parquet as pq

            yield from pq.ParquetFile(path).iter_batches(batch_size=ROWS_PER_BATCH)
        elif format in ("arrow", "arrow-stream"):  # what `datasets` writes is the stream format
            yield from _arrow_batches(path)
        elif format in ("csv", "tsv"):
            import pyarrow as pa
            import pyarrow.csv as pacsv

            stream = pa.input_stream(str(path), compression=compression or None)
            delimiter = "\t" if format == "tsv" else ","
            parse = pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True)
            reader = pacsv.open_csv(stream, parse_options=parse,
                                    convert_options=pacsv.ConvertOptions(strings_can_be_null=False))
            yield from reader
        elif format == "json":
            import orjson

            from dbom.formats.compression import iter_blocks

            value = orjson.loads(b"".join(iter_blocks(path, compression)))
            rows = value if isinstance(value, list) else [value]
            for start in range(0, len(rows), ROWS_PER_BATCH):
                yield rows[start:start + ROWS_PER_BATCH]
        elif format in ("jsonl", "text"):
            yield from _line_rows(path, compression, as_json=format == "jsonl")
        elif format == "warc":
            yield from _warc_rows(path, compression)
    except DbomError:
        raise
    except (OSError, ValueError, RuntimeError) as exc:  # pyarrow's errors are ValueError / OSError subclasses
        raise DbomError(str(path), f"cannot read its records for the profile: {' '.join(str(exc).split())}") from None


def _arrow_batches(path: Path) -> Iterator[Any]:
    import pyarrow as pa

    try:
        reader: Any = pa.ipc.open_file(str(path))
        for index in range(reader.num_record_batches):
            yield reader.get_batch(index)
    except pa.ArrowInvalid:  # not the file format: the stream format (what `datasets` writes)
        with pa.memory_map(str(path)) as source:
            yield from pa.ipc.open_stream(source)


def _line_rows(path: Path, compression: str | None, as_json: bool) -> Iterator[list[Any]]:
    import orjson

    from dbom.formats.compression import iter_blocks

    rest = b""
    rows: list[Any] = []
    for block in iter_blocks(path, compression):
        lines = (rest + block).split(b"\n")
        rest = lines.pop()
        for line in lines:
            if line.strip():
                rows.append(orjson.loads(line) if as_json else {"text": line.rstrip(b"\r").decode("utf-8", "replace")})
        if len(rows) >= ROWS_PER_BATCH:
            yield rows
            rows = []
    if rest.strip():
        rows.append(orjson.loads(rest) if as_json else {"text": rest.rstrip(b"\r").decode("utf-8", "replace")})
    if rows:
        yield rows


def _warc_rows(path: Path, compression: str | None) -> Iterator[Any]:
    import pyarrow as pa

    from dbom.formats.warc import iter_warc_contents
    from dbom.profile.html_text import html_text

    # An Arrow schema, not JSON rows: the fields are found by it even when the first records have no text
    schema = pa.schema([(name, pa.large_string()) for name in _WARC_FIELDS])
    uris: list[str | None] = []
    dates: list[str | None] = []
    texts: list[str | None] = []
    characters = 0
    for content in iter_warc_contents(path, compression):
        text = content.text
        if text is not None and content.media in _HTML_TYPES:
            text = html_text(text)
        uris.append(content.uri)
        dates.append(content.date)
        texts.append(text)
        characters += len(text or "")
        if len(texts) >= ROWS_PER_BATCH or characters >= WARC_BATCH_CHARACTERS:
            yield pa.record_batch([uris, dates, texts], schema=schema)
            uris, dates, texts, characters = [], [], [], 0
    if texts:
        yield pa.record_batch([uris, dates, texts], schema=schema)
