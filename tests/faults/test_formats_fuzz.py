"""Property tests of the readers that take untrusted bytes: any exception but the project's own is a failure."""

from __future__ import annotations

import bz2
import contextlib
import gzip
import io
import json
import lzma
import tarfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard
from corpora import Page, warc_bytes, wet_bytes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dbom.errors import DbomError, FormatError
from dbom.formats import detect, inspect_shard
from dbom.formats.warc import iter_warc_texts

NAMES = ["a.parquet", "a.arrow", "a.jsonl", "a.json", "a.csv", "a.tsv", "a.txt", "a.tar", "a.jsonl.gz",
         "a.jsonl.zst", "a.csv.bz2", "a.json.xz", "a.txt.gz", "a.warc", "a.warc.gz", "a.warc.wet.gz"]
SETTINGS = settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _valid(name: str) -> bytes:
    """A small valid file of the format `name` says."""
    rows = [{"id": i, "text": f"row {i}", "license": "mit"} for i in range(5)]
    table = pa.Table.from_pylist(rows)
    if name.endswith(".parquet"):
        buffer = io.BytesIO()
        pq.write_table(table, buffer)
        return buffer.getvalue()
    if name.endswith(".arrow"):
        sink = io.BytesIO()
        with pa.ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table)
        return sink.getvalue()
    if ".warc" in name:
        gzipped = gzip.compress(b"<p>hello</p>")
        pages = [Page("http://example.com/", b"<p>caf\xe9</p>", "text/html; charset=iso-8859-1"),
                 Page("http://example.com/gz", gzipped, "text/html", (("Content-Encoding", "gzip"),))]
        if ".wet" in name:
            return wet_bytes([("http://example.com/", "hello"), ("http://example.org/", "world")])
        return warc_bytes(pages, gzip=name.endswith(".gz"), dns=True)
    if name.endswith(".tar"):
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w") as tar:
            for key in ("000", "001"):
                for ext, data in (("txt", b"hello"), ("json", b"{}")):
                    info = tarfile.TarInfo(f"{key}.{ext}")
                    info.size = len(data)
                    tar.addfile(info, io.BytesIO(data))
        return buffer.getvalue()
    inner = name.split(".")[1]
    text = {"jsonl": "".join(json.dumps(r) + "\n" for r in rows), "json": json.dumps(rows),
            "csv": "id,text\n1,a\n2,b\n", "tsv": "id\ttext\n1\ta\n", "txt": "one\ntwo\n"}[inner].encode()
    compress = {"gz": gzip.compress, "zst": zstandard.ZstdCompressor().compress, "bz2": bz2.compress,
                "xz": lzma.compress}
    suffix = name.rsplit(".", 1)[1]
    return compress[suffix](text) if suffix in compress else text


def _inspect(folder: Path, name: str, data: bytes) -> None:
    path = folder / name
    path.write_bytes(data)
    detected = detect(path, data[:512])
    assert detected is not None, name
    for records_digest in (False, True):
        try:
            found = inspect_shard(path, detected, records_digest=records_digest)
        except DbomError:  # FormatError is a DbomError: anything else fails the test
            continue
        for column in found.columns or ():
            (column.name + column.type).encode("utf-8")  # what the DBOM (UTF-8 JSON) will hold
    if detected.format == "warc":
        with contextlib.suppress(DbomError):
            for uri, text in iter_warc_texts(path, detected.compression):
                f"{uri}{text}".encode()  # Unicode text, as the profile will write it


@SETTINGS
@given(name=st.sampled_from(NAMES), data=st.binary(max_size=2048))
def test_arbitrary_bytes(tmp_path: Path, name: str, data: bytes) -> None:
    _inspect(tmp_path, name, data)


@SETTINGS
@given(name=st.sampled_from(NAMES), cut=st.integers(min_value=0, max_value=10_000),
       flips=st.lists(st.tuples(st.integers(min_value=0, max_value=10_000), st.integers(0, 255)), max_size=4))
def test_valid_files_truncated_or_with_bytes_flipped(tmp_path: Path, name: str, cut: int,
                                                      flips: list[tuple[int, int]]) -> None:
    data = bytearray(_valid(name))
    for position, value in flips:
        data[position % len(data)] = value
    _inspect(tmp_path, name, bytes(data[: max(1, cut % (len(data) + 1))]))


@SETTINGS
@given(doc=st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                        lambda children: st.lists(children, max_size=4)
                        | st.dictionaries(st.sampled_from(["bomFormat", "specVersion", "components", "metadata",
                                                           "type", "name", "bom-ref", "properties", "data"]),
                                          children, max_size=5), max_leaves=30))
def test_arbitrary_json_as_a_dbom(tmp_path: Path, doc: object) -> None:
    from dbom.cyclonedx.api import load, validate_file

    path = tmp_path / "doc.json"
    path.write_text(json.dumps({"bomFormat": "CycloneDX", "specVersion": "1.6", **doc}
                               if isinstance(doc, dict) else doc))
    assert isinstance(validate_file(path), list)
    with contextlib.suppress(DbomError):
        load(path)


@SETTINGS
@given(names=st.lists(st.binary(min_size=1, max_size=12).filter(lambda b: b"\0" not in b), min_size=1, max_size=4))
def test_webdataset_member_names_of_any_bytes(tmp_path: Path, names: list[bytes]) -> None:
    """Tar stores names as bytes; a name that is not UTF-8 must not become a column the DBOM cannot hold."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT, encoding="latin-1") as tar:
        for raw in names:
            info = tarfile.TarInfo(raw.decode("latin-1"))  # latin-1 both ways: the bytes as given
            info.size = 2
            tar.addfile(info, io.BytesIO(b"hi"))
    _inspect(tmp_path, "a.tar", buffer.getvalue())


def test_a_webdataset_member_name_that_is_not_utf8(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT, encoding="latin-1") as tar:
        for name in ("000.txt", "000.caf\xe9", "001.café".encode().decode("latin-1")):
            info = tarfile.TarInfo(name)
            info.size = 2
            tar.addfile(info, io.BytesIO(b"hi"))
    path = tmp_path / "a.tar"
    path.write_bytes(buffer.getvalue())
    found = inspect_shard(path, detect(path, b""))
    assert found.records == 2
    assert [c.name for c in found.columns or ()] == ["caf\\xe9", "café", "txt"]  # the byte escaped; UTF-8 read as such


def test_arrow_field_names_that_are_not_utf8(tmp_path: Path) -> None:
    """pyarrow decodes a field name only when asked: that is inside the reader's error handling too."""
    for name, open_writer in (("a.arrow", pa.ipc.new_file), ("s.arrow", pa.ipc.new_stream)):
        sink = io.BytesIO()
        with open_writer(sink, pa.schema([("cafZ", pa.int64())])) as writer:
            writer.write_table(pa.table({"cafZ": [1]}))
        path = tmp_path / name
        path.write_bytes(sink.getvalue().replace(b"cafZ", b"caf\xff"))
        with pytest.raises(FormatError, match=r"corrupt Arrow IPC .*can't decode byte 0xff"):
            inspect_shard(path, detect(path, path.read_bytes()[:512]))
