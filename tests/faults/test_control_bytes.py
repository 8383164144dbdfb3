"""No control byte from a file name or a library's message reaches the terminal: they are escaped."""

from __future__ import annotations

import re
from pathlib import Path

from helpers import run_dbom

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # all but the newline that ends each line


def test_an_error_naming_a_file_with_escape_sequences_is_escaped(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "evil\x1b[2J\x1b[31mred\x0f.parquet").write_bytes(b"PAR1 not really parquet")
    done = run_dbom("scan", str(data), "-o", str(tmp_path / "out.json"))
    assert done.returncode == 1
    assert not CONTROL.search(done.stderr), repr(done.stderr)
    assert "evil\\x1b[2J\\x1b[31mred\\x0f.parquet" in done.stderr and len(done.stderr.splitlines()) == 1


def test_warnings_are_escaped_too(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "ok.jsonl").write_text('{"a": 1}\n')
    (data / "bad\x07bell.jsonl").write_text("not json\n")
    done = run_dbom("scan", str(data), "-o", str(tmp_path / "out.json"), "--keep-going")
    assert done.returncode == 0, done.stderr
    assert "bad\\x07bell.jsonl" in done.stderr and not CONTROL.search(done.stderr), repr(done.stderr)
