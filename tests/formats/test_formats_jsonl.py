"""JSON Lines and JSON shards, plain and compressed."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path

import pytest
from conftest import assert_one_line_error

from dbom.errors import FormatError
from dbom.formats import Detected, detect, inspect_shard
from dbom.formats.lines import iter_line_batches
from dbom.model import Column, Shard

Write = Callable[..., Path]
CODECS = [None, "gzip", "zstd", "bz2", "xz"]


def _records(count: int) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for i in range(count):
        record: dict[str, object] = {"id": i, "text": f"doc {i} ünïcødé"}
        if i % 3 == 0:
            record["score"] = None if i % 2 else i / 7
        if i == 5:
            record["meta"] = {"source": "web"}
            record["tags"] = ["x"]
            record["ok"] = True
        out.append(record)
    return out


def _jsonl(records: list[dict[str, object]]) -> bytes:
    return b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in records)


def _inspect(path: Path) -> object:
    detected = detect(path, path.read_bytes()[:512])
    assert detected is not None
    return inspect_shard(path, detected)


EXPECTED_COLUMNS = (
    Column("id", "integer"),
    Column("text", "string"),
    Column("score", "number|null"),
    Column("meta", "object"),
    Column("tags", "array"),
    Column("ok", "boolean"),
)


@pytest.mark.parametrize("compression", CODECS)
def test_jsonl_records_and_columns(write_file: Write, compression: str | None) -> None:
    data = _jsonl(_records(2000))
    path = write_file("part.jsonl", data, compression)
    detected = detect(path, path.read_bytes()[:512])
    assert detected == Detected("jsonl", compression)
    inspection = inspect_shard(path, detected)
    assert inspection.records == 2000
    assert inspection.columns == EXPECTED_COLUMNS
    assert inspection.uncompressed_bytes == (len(data) if compression else None)


def test_shards_of_one_schema_share_one_columns_tuple(write_file: Write) -> None:
    """What is done once per schema (its text in the cache's record and the DBOM, the summary's) is memoised by
    the tuple's identity: two files with the same fields must give the very same tuple."""
    from dbom.scanning.cache import to_record

    one, two = write_file("a.jsonl", _jsonl(_records(9))), write_file("b.jsonl", _jsonl(_records(12)))
    first = inspect_shard(one, detect(one, b"")).columns
    second = inspect_shard(two, detect(two, b"")).columns
    assert first == second == EXPECTED_COLUMNS and first is second
    other = write_file("c.jsonl", _jsonl([{"id": 1}]))
    assert inspect_shard(other, detect(other, b"")).columns == (Column("id", "integer"),)
    record = to_record(Shard(path="a.jsonl", bytes=1, format="jsonl", xxh3_128="0" * 32, columns=first))
    assert json.loads(record[[f.name for f in fields(Shard)].index("columns")]) == [
        [c.name, c.type] for c in EXPECTED_COLUMNS]


def test_jsonl_large_file_spans_many_blocks(write_file: Write) -> None:
    # > 3 MiB with lines straddling the 1 MiB block boundaries, CRLF endings, blank lines, no final newline
    line = json.dumps({"k": "v" * 1000}).encode()
    body = b"\r\n".join([line] * 3500) + b"\r\n\r\n   \n" + line
    path = write_file("big.jsonl", body, "zstd")
    inspection = inspect_shard(path, Detected("jsonl", "zstd"))
    assert inspection.records == 3501
    assert inspection.columns == (Column("k", "string"),)
    assert inspection.uncompressed_bytes == len(body)


def test_zstd_multiple_frames(write_file: Write, tmp_path: Path) -> None:
    import zstandard

    compressor = zstandard.ZstdCompressor()
    path = tmp_path / "frames.jsonl.zst"
    path.write_bytes(b"".join(compressor.compress(_jsonl(_records(10))) for _ in range(3)))
    assert inspect_shard(path, Detected("jsonl", "zstd")).records == 30


def test_jsonl_utf8_bom_and_non_object_records(write_file: Write) -> None:
    path = write_file("bom.jsonl", b'\xef\xbb\xbf"a"\n[1, 2]\n3\n')
    inspection = inspect_shard(path, Detected("jsonl"))
    assert inspection.records == 3
    assert inspection.columns is None


def test_empty_jsonl(write_file: Write) -> None:
    inspection = inspect_shard(write_file("empty.jsonl", b""), Detected("jsonl"))
    assert (inspection.records, inspection.columns) == (0, None)


@pytest.mark.parametrize("compression", [None, "gzip"])
def test_invalid_json_line(write_file: Write, compression: str | None) -> None:
    lines = _jsonl(_records(20)).splitlines(keepends=True)
    lines[16] = b'{"id": 16, "text": "unterminated}\n'
    path = write_file("bad.jsonl", b"".join(lines), compression)
    with pytest.raises(FormatError) as caught:
        _inspect(path)
    assert_one_line_error(caught.value, path, "invalid JSON on line 17: ", "Unterminated string")


def test_invalid_utf8_line(write_file: Write) -> None:
    path = write_file("latin1.jsonl", b'{"a": "ok"}\n\n{"a": "caf\xe9"}\n{"a": "x"}\n')
    with pytest.raises(FormatError) as caught:
        _inspect(path)
    assert_one_line_error(caught.value, path, "invalid UTF-8 on line 3")


def test_invalid_utf8_line_far_into_the_file(write_file: Write) -> None:
    body = b'{"a": "' + b"x" * 100 + b'"}\n'
    path = write_file("late.jsonl", body * 20000 + b'{"a": "\xff"}\n' + body)
    with pytest.raises(FormatError) as caught:
        _inspect(path)
    assert_one_line_error(caught.value, path, "invalid UTF-8 on line 20001")


def test_line_batches_number_lines_across_blocks() -> None:
    blocks = [b"a\nb", b"c", b"d\ne\n", b"\nf"]
    batches = list(iter_line_batches("x", blocks))
    flat = [(first + i, line) for first, lines in batches for i, line in enumerate(lines)]
    assert flat == [(1, "a"), (2, "bcd"), (3, "e"), (4, ""), (5, "f")]


@pytest.mark.parametrize("compression", [None, "gzip", "zstd"])
def test_json_array(write_file: Write, compression: str | None) -> None:
    data = json.dumps(_records(500), indent=2).encode()
    path = write_file("train.json", data, compression)
    inspection = _inspect(path)
    assert inspection.records == 500
    assert inspection.columns == EXPECTED_COLUMNS
    assert inspection.uncompressed_bytes == (len(data) if compression else None)


def test_json_empty_array_and_object(write_file: Write) -> None:
    assert _inspect(write_file("empty.json", b" [ ] \n")).records == 0
    obj = _inspect(write_file("squad.json", json.dumps({"version": "1.1", "data": [1, 2, 3]}).encode()))
    assert obj.records == 1
    assert obj.columns == (Column("version", "string"), Column("data", "array"))


def test_json_file_holding_json_lines(write_file: Write) -> None:
    path = write_file("train.json", _jsonl(_records(40)))
    inspection = _inspect(path)
    assert inspection.records == 40
    assert inspection.columns == EXPECTED_COLUMNS


@pytest.mark.parametrize(
    ("body", "fragments"),
    [
        (b'[\n  {"a": 1},\n  {"a": 2}\n  {"a": 3}\n]', ("line 4", "delimiter")),
        (b'[\n  {"a": 1},\n  {"a": }\n]', ("line 3", "Expecting value")),
        (b'[\n  {"a": 1}\n', ("line 3", "unterminated array")),
        (b'[\n  {"a": 1},\n', ("line 3", "Expecting value")),
        (b'{\n  "a": 1\n}\n{"b": 2}\n', ("line 4", "extra data")),
        (b"   \n", ("empty document",)),
        (b'[\n"\xe9"]', ("invalid UTF-8 on line 2",)),
    ],
)
def test_invalid_json_document(write_file: Write, body: bytes, fragments: tuple[str, ...]) -> None:
    path = write_file("bad.json", body)
    with pytest.raises(FormatError) as caught:
        _inspect(path)
    assert_one_line_error(caught.value, path, *fragments)


def test_json_size_limit(write_file: Write, monkeypatch: pytest.MonkeyPatch) -> None:
    from dbom.formats import jsonl

    monkeypatch.setattr(jsonl, "JSON_MAX_BYTES", 1000)
    big_document = write_file("big.json", json.dumps(_records(100), indent=1).encode(), "gzip")
    with pytest.raises(FormatError) as caught:
        _inspect(big_document)
    assert_one_line_error(caught.value, big_document, "JSON document larger than")
    # JSON Lines in a .json file is streamed, so the limit does not apply
    big_lines = write_file("big-lines.json", _jsonl(_records(100)))
    assert _inspect(big_lines).records == 100


def test_overlong_line_is_refused(write_file: Write, monkeypatch: pytest.MonkeyPatch) -> None:
    from dbom.formats import lines

    monkeypatch.setattr(lines, "MAX_LINE_BYTES", 4096)
    ok = write_file("ok.jsonl", b'{"a": "' + b"x" * 3000 + b'"}\n')
    assert inspect_shard(ok, Detected("jsonl")).records == 1
    path = write_file("long.jsonl", b'{"a": 1}\n' + b'{"a": "' + b"x" * (3 << 20) + b'"}\n')
    with pytest.raises(FormatError) as caught:
        inspect_shard(path, Detected("jsonl"))
    assert_one_line_error(caught.value, path, "line 2 is longer than 4096 bytes")
