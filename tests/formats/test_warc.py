"""WARC and WET shards: files written with warcio as crawlers write them, read with the FastWARC reader."""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import zstandard
from conftest import assert_one_line_error
from corpora import Page, warc_bytes, wet_bytes, write_jsonl_gz
from helpers import datasets_by_name, load_json, props, run_dbom, shards_of
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dbom.errors import FormatError
from dbom.formats import Detected, Inspection, detect, inspect_shard
from dbom.formats.warc import WarcContent, WarcText, iter_warc_contents, iter_warc_texts
from dbom.model import Column

CHUNKED = b"7\r\n<p>one \r\n9\r\ntwo three\r\n4\r\n</p>\r\n0\r\n\r\n"
PAGES = [
    Page("http://example.com/", b"<html><body>Hello, world</body></html>"),
    # a latin-1 label is read as windows-1252, as browsers read it: 0x80 is the euro sign
    Page("https://www.example.org/caf%C3%A9", "<p>Café à 5 €</p>".encode("cp1252"), "text/html; charset=ISO-8859-1"),
    # no charset in the header: the page's <meta> says it
    Page("http://example.ru/", '<html><head><meta charset="windows-1251"></head><body>Привет</body></html>'
         .encode("cp1251"), "text/html"),
    Page("http://example.jp/", "こんにちは".encode("shift_jis"), 'text/plain; charset="Shift_JIS"'),
    Page("http://example.com/gz", gzip.compress("<p>komprimiert ü</p>".encode()), "text/html; charset=utf-8",
         (("Content-Encoding", "gzip"),)),
    Page("http://example.com/chunked", CHUNKED, "text/html", (("Transfer-Encoding", "chunked"),)),
    Page("http://example.com/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(200), "image/png"),
    Page("http://example.com/api", b'{"k": "v"}', "application/json"),
    # no charset anywhere and not UTF-8: windows-1252
    Page("http://example.com/legacy", "naïve".encode("cp1252"), "text/plain"),
]
TEXTS = [
    WarcText("http://example.com/", "<html><body>Hello, world</body></html>"),
    WarcText("https://www.example.org/caf%C3%A9", "<p>Café à 5 €</p>"),
    WarcText("http://example.ru/", '<html><head><meta charset="windows-1251"></head><body>Привет</body></html>'),
    WarcText("http://example.jp/", "こんにちは"),
    WarcText("http://example.com/gz", "<p>komprimiert ü</p>"),
    WarcText("http://example.com/chunked", "<p>one two three</p>"),
    WarcText("http://example.com/api", '{"k": "v"}'),
    WarcText("http://example.com/legacy", "naïve"),
]
WET = [("http://example.com/", "Hello, world"), ("https://www.example.org/caf%C3%A9", "Café à 5 €\nSecond line"),
       ("http://example.ru/", "Привет")]
SUFFIX = {True: ".warc.gz", False: ".warc"}


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def _inspect(path: Path) -> Inspection:
    return inspect_shard(path, detect(path, path.read_bytes()[:512]))


def _record_starts(data: bytes, gzipped: bool) -> list[int]:
    """Where each record starts: its gzip member's first byte, or its `WARC/1.0` line."""
    if not gzipped:
        return [match.start() for match in re.finditer(rb"WARC/1\.0\r\n", data)]
    starts, pos = [], 0
    while pos < len(data):
        starts.append(pos)
        member = __import__("zlib").decompressobj(31)
        member.decompress(data[pos:])
        pos = len(data) - len(member.unused_data)
    return starts


@pytest.mark.parametrize(
    ("name", "expected"),
    [("CC-MAIN-20240301-00000.warc.gz", Detected("warc", "gzip")),
     ("crawl.warc", Detected("warc")),
     ("CC-MAIN-20240301-00000.warc.wet.gz", Detected("warc", "gzip")),
     ("crawl.warc.wet", Detected("warc")),
     ("crawl.WARC.GZ", Detected("warc", "gzip")),
     ("crawl.warc.zst", Detected("warc", "zstd"))],
)
def test_detected_by_name(name: str, expected: Detected) -> None:
    assert detect(Path(name), b"WARC/1.0\r\n") == expected


@pytest.mark.parametrize("gzipped", [True, False])
def test_records_are_responses_counted_by_type(tmp_path: Path, gzipped: bool) -> None:
    data = warc_bytes(PAGES, gzip=gzipped, dns=True)
    found = _inspect(_write(tmp_path, "crawl" + SUFFIX[gzipped], data))
    assert found.records == len(PAGES) + 1  # every response record, the dns: one too
    assert found.record_types == (("metadata", len(PAGES)), ("request", len(PAGES)), ("response", len(PAGES) + 1),
                                  ("warcinfo", 1))
    assert found.columns == (Column("WARC-Target-URI", "string"), Column("WARC-Date", "timestamp"),
                             Column("payload", "application/json|image/png|text/dns|text/html|text/plain"))
    assert found.uncompressed_bytes == (len(gzip.decompress(data)) if gzipped else None)
    if gzipped:
        assert len(_record_starts(data, True)) == 1 + 1 + 3 * len(PAGES)  # one gzip member per record


def test_wet_records_are_conversions(tmp_path: Path) -> None:
    found = _inspect(_write(tmp_path, "crawl.warc.wet.gz", wet_bytes(WET)))
    assert found.records == len(WET)
    assert found.record_types == (("conversion", len(WET)), ("warcinfo", 1))
    assert found.columns == (Column("WARC-Target-URI", "string"), Column("WARC-Date", "timestamp"),
                             Column("payload", "text/plain"))


def test_a_warc_of_no_content_record(tmp_path: Path) -> None:
    found = _inspect(_write(tmp_path, "info.warc", warc_bytes([], gzip=False)))
    assert (found.records, found.columns, found.record_types) == (0, None, (("warcinfo", 1),))
    empty = _inspect(_write(tmp_path, "empty.warc", b""))
    assert (empty.records, empty.columns, empty.record_types) == (0, None, ())


@pytest.mark.parametrize("gzipped", [True, False])
def test_texts_of_responses_decoded_by_their_charset(tmp_path: Path, gzipped: bool) -> None:
    path = _write(tmp_path, "crawl" + SUFFIX[gzipped], warc_bytes(PAGES, gzip=gzipped, dns=True))
    texts = list(iter_warc_texts(path, "gzip" if gzipped else None))
    assert texts == TEXTS  # the image and the dns: response are not text
    assert all(isinstance(text, tuple) and len(text) == 2 for text in texts)  # (uri, text) pairs


def test_every_content_record_with_its_date_and_media_type(tmp_path: Path) -> None:
    path = _write(tmp_path, "crawl.warc.gz", warc_bytes(PAGES, dns=True))
    found = list(iter_warc_contents(path, "gzip"))
    date = "2024-03-01T12:00:00Z"  # what corpora.warc_bytes writes on every record
    assert found[0] == WarcContent("dns:example.com", date, "text/dns", None)  # not HTTP: no text
    assert [c.media for c in found[1:]] == [
        "text/html", "text/html", "text/html", "text/plain", "text/html", "text/html", "image/png",
        "application/json", "text/plain"]
    assert all(c.date == date for c in found)
    assert [c.uri for c in found[1:]] == [page.uri for page in PAGES]
    assert [WarcText(c.uri, c.text) for c in found if c.text is not None] == TEXTS  # the image has none
    wet = _write(tmp_path, "crawl.warc.wet.gz", wet_bytes(WET))
    assert list(iter_warc_contents(wet, "gzip")) == [WarcContent(u, "2024-03-01T12:00:00Z", "text/plain", t)
                                                     for u, t in WET]


def test_texts_of_a_wet(tmp_path: Path) -> None:
    for gzipped, name in ((True, "crawl.warc.wet.gz"), (False, "crawl.warc.wet")):
        path = _write(tmp_path, name, wet_bytes(WET, gzip=gzipped))
        assert list(iter_warc_texts(path, "gzip" if gzipped else None)) == [WarcText(u, t) for u, t in WET]


def test_a_long_payload_is_cut_and_the_next_records_still_read(tmp_path: Path) -> None:
    pages = [Page("http://example.com/long", b"x" * 100_000, "text/plain"), Page("http://example.com/b", b"after")]
    path = _write(tmp_path, "long.warc.gz", warc_bytes(pages))
    assert list(iter_warc_texts(path, "gzip", max_bytes=1000)) == [
        WarcText("http://example.com/long", "x" * 1000), WarcText("http://example.com/b", "after")]


def test_whole_file_gzip(tmp_path: Path) -> None:
    plain = warc_bytes(PAGES, gzip=False)
    path = _write(tmp_path, "whole.warc.gz", gzip.compress(plain))
    found = _inspect(path)
    assert (found.records, found.uncompressed_bytes) == (len(PAGES), len(plain))
    assert list(iter_warc_texts(path, "gzip")) == TEXTS
    _write(tmp_path, "whole.warc.gz", gzip.compress(plain)[:-5])
    with pytest.raises(FormatError) as caught:
        _inspect(path)
    assert_one_line_error(caught.value, path, "truncated or corrupt gzip stream")


@pytest.mark.parametrize("gzipped", [True, False])
@pytest.mark.parametrize("where", ["in the last record's headers", "in the last payload", "in the gzip trailer"])
def test_a_truncated_warc_is_refused(tmp_path: Path, gzipped: bool, where: str) -> None:
    data = warc_bytes(PAGES, gzip=gzipped)
    last = _record_starts(data, gzipped)[-1]
    cut = {"in the last record's headers": last + 40, "in the last payload": len(data) - 12,
           "in the gzip trailer": len(data) - 3}[where]
    if not gzipped and where == "in the gzip trailer":
        cut = len(data) - 30  # uncompressed: in the last payload, near its end
    path = _write(tmp_path, "cut" + SUFFIX[gzipped], data[:cut])
    with pytest.raises(FormatError) as caught:
        _inspect(path)
    assert_one_line_error(caught.value, path)
    assert "truncated" in caught.value.cause
    with pytest.raises(FormatError):
        list(iter_warc_texts(path, "gzip" if gzipped else None))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(gzipped=st.booleans(), fraction=st.floats(min_value=0, max_value=1, exclude_max=True))
def test_a_cut_is_refused_unless_it_falls_between_records(tmp_path: Path, gzipped: bool, fraction: float) -> None:
    data = warc_bytes(PAGES[:3], gzip=gzipped)
    cut = int(len(data) * fraction)
    ends = [*_record_starts(data, gzipped)[1:], len(data)]
    # a record is whole when the cut leaves its payload: uncompressed, the \r\n\r\n after it may go
    slack = 0 if gzipped else 4
    whole = sum(1 for end in ends if end - slack <= cut)
    between = any(end - slack <= cut <= end for end in ends) or (cut == 0 and not gzipped)
    path = _write(tmp_path, "cut" + SUFFIX[gzipped], data[:cut])
    try:
        found = _inspect(path)
    except FormatError as error:
        assert_one_line_error(error, path)
        assert not between, error
        return
    assert between
    assert sum(count for _, count in found.record_types or ()) == whole


def test_a_file_that_is_not_warc(tmp_path: Path) -> None:
    cases = {
        "notes.warc": (b"These are my notes, not a crawl.\n", "not a WARC file"),
        "rows.warc": (b'{"text": "a JSON Lines file renamed"}\n', "not a WARC file"),
        "text.warc.gz": (gzip.compress(b"plain text, gzipped\n"), "not a WARC file"),
        "plain.warc.gz": (warc_bytes(PAGES[:1], gzip=False), "not a gzip stream"),
        "crawl.warc.zst": (zstandard.ZstdCompressor().compress(warc_bytes(PAGES[:1], gzip=False)), "zstd-compressed"),
    }
    for name, (data, cause) in cases.items():
        path = _write(tmp_path, name, data)
        with pytest.raises(FormatError) as caught:
            _inspect(path)
        assert_one_line_error(caught.value, path, cause)


def test_a_corrupt_gzip_member(tmp_path: Path) -> None:
    data = bytearray(warc_bytes(PAGES))
    middle = _record_starts(bytes(data), True)[5]
    data[middle + 30] ^= 0xFF
    path = _write(tmp_path, "corrupt.warc.gz", bytes(data))
    with pytest.raises(FormatError) as caught:
        _inspect(path)
    assert_one_line_error(caught.value, path, "corrupt gzip stream")


def test_garbage_after_the_last_record(tmp_path: Path) -> None:
    path = _write(tmp_path, "tail.warc", warc_bytes(PAGES[:2], gzip=False) + b"<html>stray bytes</html>\r\n")
    with pytest.raises(FormatError) as caught:
        _inspect(path)
    assert_one_line_error(caught.value, path, "corrupt WARC after record 7")


def _crawl_folder(root: Path) -> Path:
    data = root / "crawl"
    data.mkdir(parents=True)
    _write(data, "CC-MAIN-00000.warc.gz", warc_bytes(PAGES))
    _write(data, "CC-MAIN-00001.warc", warc_bytes(PAGES[:4], gzip=False, dns=True))
    _write(data, "CC-MAIN-00000.warc.wet.gz", wet_bytes(WET))
    return data


def test_scan_a_folder_of_warc_files(tmp_path: Path) -> None:
    data = _crawl_folder(tmp_path)
    out = tmp_path / "dbom.json"
    done = run_dbom("scan", str(data), "-o", str(out), "--no-cache")
    assert done.returncode == 0, done.stderr
    assert run_dbom("validate", str(out)).returncode == 0
    (dataset,) = datasets_by_name(load_json(out)).values()
    shards = {name: props(shard) for name, shard in shards_of(dataset).items()}
    assert {name: (p["dbom:format"], p.get("dbom:compression"), p["dbom:records"]) for name, p in shards.items()} == {
        "CC-MAIN-00000.warc.gz": ("warc", "gzip", str(len(PAGES))),
        "CC-MAIN-00001.warc": ("warc", None, "5"),
        "CC-MAIN-00000.warc.wet.gz": ("warc", "gzip", str(len(WET))),
    }
    assert json.loads(shards["CC-MAIN-00000.warc.wet.gz"]["dbom:schema"]) == [
        ["WARC-Target-URI", "string"], ["WARC-Date", "timestamp"], ["payload", "text/plain"]]
    assert props(dataset)["dbom:records"] == str(len(PAGES) + 5 + len(WET))
    mime = {shard["name"]: shard.get("mime-type") for shard in shards_of(dataset).values()}
    assert mime["CC-MAIN-00001.warc"] == "application/warc"


def test_a_truncated_warc_in_a_scan(tmp_path: Path) -> None:
    data = _crawl_folder(tmp_path)
    cut = data / "CC-MAIN-00002.warc.gz"
    cut.write_bytes(warc_bytes(PAGES)[:-100])
    out = tmp_path / "dbom.json"
    done = run_dbom("scan", "crawl", "-o", str(out), "--no-cache", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr == ("dbom: error: crawl/CC-MAIN-00002.warc.gz: truncated or corrupt gzip stream: Compressed "
                           "file ended before the end-of-stream marker was reached\n")
    assert "Traceback" not in done.stderr and not out.exists()
    done = run_dbom("scan", str(data), "-o", str(out), "--no-cache", "--keep-going")
    assert done.returncode == 0, done.stderr
    (dataset,) = datasets_by_name(load_json(out)).values()
    shards = {name: props(shard) for name, shard in shards_of(dataset).items()}
    assert shards["CC-MAIN-00002.warc.gz"]["dbom:error"].startswith("truncated")
    assert "dbom:error" not in shards["CC-MAIN-00000.warc.gz"]
    assert run_dbom("validate", str(out)).returncode == 0


def test_the_missing_extra_is_named_only_when_a_warc_is_met(tmp_path: Path) -> None:
    # fastwarc made unimportable, as on a machine without the extra
    script = "import sys; sys.modules['fastwarc'] = None; from dbom.cli import run; sys.argv[0] = 'dbom'; run()"
    _crawl_folder(tmp_path)
    done = subprocess.run([sys.executable, "-c", script, "scan", "crawl", "-o", str(tmp_path / "o.json")],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 1
    assert re.fullmatch(r"dbom: error: crawl/CC-MAIN-0000[01]\.warc(\.wet)?(\.gz)?: reading WARC "
                        r"needs the fastwarc package: pip install 'dbom\[warc\]'\n", done.stderr), done.stderr
    write_jsonl_gz(tmp_path / "rows" / "a.jsonl.gz", 3)
    done = subprocess.run([sys.executable, "-c", script, "scan", str(tmp_path / "rows"), "-o",
                           str(tmp_path / "o.json")], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
