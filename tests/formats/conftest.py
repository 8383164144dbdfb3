"""Helpers for the format reader tests: files written with the real compression libraries."""

from __future__ import annotations

import bz2
import gzip
import lzma
from collections.abc import Callable
from pathlib import Path

import pytest
import zstandard

from dbom.errors import FormatError

SUFFIX = {None: "", "gzip": ".gz", "zstd": ".zst", "bz2": ".bz2", "xz": ".xz"}


def compress(data: bytes, compression: str | None) -> bytes:
    """`data` compressed with the named codec (None: unchanged)."""
    if compression is None:
        return data
    if compression == "gzip":
        return gzip.compress(data)
    if compression == "zstd":
        return zstandard.ZstdCompressor(write_checksum=True).compress(data)  # as the zstd CLI
    if compression == "bz2":
        return bz2.compress(data, 1)
    if compression == "xz":
        return lzma.compress(data, preset=1)
    raise ValueError(compression)


@pytest.fixture
def write_file(tmp_path: Path) -> Callable[[str, bytes, str | None], Path]:
    """Write `data` (compressed as asked, with the codec's suffix added) under tmp_path."""

    def write(name: str, data: bytes, compression: str | None = None) -> Path:
        path = tmp_path / (name + SUFFIX[compression])
        path.write_bytes(compress(data, compression))
        return path

    return write


def assert_one_line_error(error: FormatError, path: Path, *fragments: str) -> None:
    """The error renders as one line naming the file, and its cause contains every fragment."""
    text = str(error)
    assert "\n" not in text and "\r" not in text
    assert text.startswith(f"{path}: ")
    assert error.path == str(path)
    for fragment in fragments:
        assert fragment in error.cause, (fragment, error.cause)
