"""CSV, TSV and plain text shards."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import assert_one_line_error

from dbom.errors import FormatError
from dbom.formats import Detected, detect, inspect_shard
from dbom.model import Column

Write = Callable[..., Path]


def _csv(rows: int, delimiter: str = ",") -> bytes:
    header = delimiter.join(["id", "text", "label"])
    lines = [header] + [delimiter.join([str(i), f"row {i}", str(i % 2)]) for i in range(rows)]
    return ("\r\n".join(lines) + "\r\n").encode()


@pytest.mark.parametrize("compression", [None, "gzip"])
@pytest.mark.parametrize(("name", "delimiter"), [("a.csv", ","), ("a.tsv", "\t")])
def test_csv_and_tsv(write_file: Write, compression: str | None, name: str, delimiter: str) -> None:
    data = _csv(1500, delimiter)
    path = write_file(name, data, compression)
    detected = detect(path, path.read_bytes()[:512])
    assert detected == Detected(name[-3:], compression)
    inspection = inspect_shard(path, detected)
    assert inspection.records == 1500
    assert inspection.columns == (Column("id", "string"), Column("text", "string"), Column("label", "string"))
    assert inspection.uncompressed_bytes == (len(data) if compression else None)


def test_csv_quoted_newlines_blank_lines_and_bom(write_file: Write) -> None:
    body = '\ufeffq,"a, b"\n"line one\nline two",x\n\n"say ""hi""",y\nlast,row'.encode()
    inspection = inspect_shard(write_file("q.csv", body), Detected("csv"))
    assert inspection.records == 3
    assert inspection.columns == (Column("q", "string"), Column("a, b", "string"))


def test_tsv_quotes_are_literal(write_file: Write) -> None:
    body = b'id\ttext\n1\t"quoted, not closed\n2\t5" screen\n'
    assert inspect_shard(write_file("q.tsv", body), Detected("tsv")).records == 2


def test_empty_csv(write_file: Write) -> None:
    inspection = inspect_shard(write_file("e.csv", b""), Detected("csv"))
    assert (inspection.records, inspection.columns) == (0, None)


@pytest.mark.parametrize(
    ("name", "body", "fragments"),
    [
        ("r.csv", b"a,b\n1,2\n3,4\n5,6,7\n", ("ragged row on line 4", "expected 2 fields, found 3")),
        ("r.tsv", b"a\tb\n1\t2\n3\n", ("ragged row on line 3", "expected 2 fields, found 1")),
        ("u.csv", b"a,b\n1,2\n3,caf\xe9\n", ("invalid UTF-8 on line 3",)),
        ("q.csv", b'a,b\n1,"open\n2,3\n', ("malformed CSV on line 3", "unexpected end of data")),
        ("s.csv", b'a,b\n1,"x"y\n', ("malformed CSV on line 2",)),
    ],
)
def test_bad_csv(write_file: Write, name: str, body: bytes, fragments: tuple[str, ...]) -> None:
    path = write_file(name, body)
    with pytest.raises(FormatError) as caught:
        inspect_shard(path, Detected(name[-3:]))
    assert_one_line_error(caught.value, path, *fragments)


def test_csv_field_larger_than_the_csv_module_default(write_file: Write) -> None:
    body = b"id,text\n1," + b"x" * 300_000 + b"\n"
    assert inspect_shard(write_file("wide.csv", body), Detected("csv")).records == 1


@pytest.mark.parametrize(
    ("body", "lines"),
    [(b"", 0), (b"one", 1), (b"one\n", 1), (b"one\n\ntwo\r\n", 3), (b"a\nb", 2), (b"caf\xe9\n", 1)],
)
def test_text_lines(write_file: Write, body: bytes, lines: int) -> None:
    inspection = inspect_shard(write_file("t.txt", body), Detected("text"))
    assert inspection.records == lines
    assert inspection.columns is None


@pytest.mark.parametrize("compression", [None, "gzip", "zstd", "bz2", "xz"])
def test_text_many_blocks(write_file: Write, compression: str | None) -> None:
    body = b"".join(b"line %d of a text corpus\n" % i for i in range(150_000))  # ~3.7 MB
    path = write_file("big.txt", body, compression)
    inspection = inspect_shard(path, Detected("text", compression))
    assert inspection.records == 150_000
    assert inspection.uncompressed_bytes == (len(body) if compression else None)
