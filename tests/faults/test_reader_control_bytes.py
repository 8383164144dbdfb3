"""A library's error message with raw control bytes (Parquet's thrift reader quotes the byte it could not
read) reaches neither the terminal nor what the readers of the DBOM print: they are escaped."""

from __future__ import annotations

import io
import re
import struct
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from helpers import run_dbom

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # all but the tab and the newline


def _parquet_with_a_corrupt_footer(path: Path) -> None:
    """A Parquet file whose footer's first thrift field header has type 15, which does not exist: pyarrow
    says `Couldn't deserialize thrift: don't know what type: \\x0f` with the raw byte in its message."""
    buffer = io.BytesIO()
    pq.write_table(pa.table({"id": list(range(10))}), buffer)
    data = bytearray(buffer.getvalue())
    footer_start = len(data) - 8 - struct.unpack("<i", data[-8:-4])[0]
    data[footer_start] = 0x1F  # field 1 (delta 1), type 15
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes(data))
    try:
        pq.ParquetFile(path).read()
    except OSError as exc:
        assert "\x0f" in str(exc)  # the library's message does carry the raw byte
    else:
        raise AssertionError("the corrupt footer was read")


def test_a_librarys_control_bytes_are_escaped_on_stderr(tmp_path: Path) -> None:
    _parquet_with_a_corrupt_footer(tmp_path / "data" / "broken.parquet")
    done = run_dbom("scan", str(tmp_path / "data"), "-o", str(tmp_path / "out.json"))
    assert done.returncode == 1
    assert not any(ord(c) < 0x20 for c in done.stderr[:-1]) and done.stderr.endswith("\n"), repr(done.stderr)
    assert done.stderr.startswith("dbom: error: ") and "don't know what type: \\x0f" in done.stderr
    assert not (tmp_path / "out.json").exists()


def test_a_recorded_error_with_control_bytes_is_escaped_by_every_reader(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _parquet_with_a_corrupt_footer(data / "broken.parquet")
    (data / "ok.jsonl").write_text('{"a": 1}\n', encoding="utf-8")
    old = tmp_path / "old.json"
    scanned = run_dbom("scan", str(data), "-o", str(old), "--keep-going")
    assert scanned.returncode == 0, scanned.stderr
    assert "don't know what type: \\x0f" in scanned.stderr and not CONTROL.search(scanned.stderr)
    (data / "broken.parquet").rename(data / "moved.parquet")  # the same error, under another name: a change
    new = tmp_path / "new.json"
    assert run_dbom("scan", str(data), "-o", str(new), "--keep-going", "-q").returncode == 0
    runs = [run_dbom("validate", str(old)), run_dbom("check", str(old)),
            run_dbom("check", str(old), "--format", "json"),
            run_dbom("report", str(old), "-o", str(tmp_path / "r.md")),
            *(run_dbom("diff", str(old), str(new), "--format", fmt) for fmt in ("text", "markdown", "json"))]
    for done in runs:
        assert done.returncode in (0, 1), done.stderr
        assert not CONTROL.search(done.stdout + done.stderr), (done.args, done.stdout, done.stderr)
    assert not CONTROL.search((tmp_path / "r.md").read_text(encoding="utf-8"))
