"""Every file dbom writes goes through dbom.util.atomic.replacing: a missing output folder is a one-line error
naming the file, and nothing is written anywhere."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import dbom
from dbom.compliance.init_manifest import write_manifest
from dbom.compliance.report import write_report
from dbom.errors import DbomError
from dbom.model import Dbom, ModelInfo

_DBOM = Dbom(model=ModelInfo(name="tiny"), timestamp="1970-01-01T00:00:00Z")
WRITERS: dict[str, Callable[[Path], object]] = {
    "dbom.write": lambda out: dbom.write(_DBOM, out),
    "report": lambda out: write_report(_DBOM, "md", out),
    "manifest": lambda out: write_manifest([], out),
}


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_a_missing_output_folder_is_a_one_line_error_and_writes_nothing(tmp_path: Path, writer: str) -> None:
    output = tmp_path / "missing" / "out.file"
    with pytest.raises(DbomError, match="the output folder does not exist") as caught:
        WRITERS[writer](output)
    assert str(output) in str(caught.value) and "\n" not in str(caught.value)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_the_file_is_written_whole_with_no_temporary_left(tmp_path: Path, writer: str) -> None:
    output = tmp_path / "out.file"
    WRITERS[writer](output)
    assert output.stat().st_size > 0
    assert [p.name for p in tmp_path.iterdir()] == ["out.file"]


def test_a_dbom_the_disk_fails_to_sync_is_a_one_line_error_and_the_old_file_stays(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`dbom.write` syncs the document to disk in a thread (beside the kept lines): an I/O error there (EIO, which
    no test can make a real disk give, hence the patch) is still the output's one-line error, and nothing is
    replaced or left behind."""
    import errno
    import os

    output = tmp_path / "out.cdx.json"
    dbom.write(_DBOM, output)
    before = output.read_bytes()

    def failing(fd: int) -> None:
        raise OSError(errno.EIO, "Input/output error")

    with monkeypatch.context() as patch:
        patch.setattr(os, "fsync", failing)
        with pytest.raises(DbomError, match="Input/output error") as caught:
            dbom.write(Dbom(model=ModelInfo(name="other"), timestamp="1970-01-01T00:00:00Z"), output)
    assert str(output) in str(caught.value) and "\n" not in str(caught.value)
    assert output.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["out.cdx.json"]
