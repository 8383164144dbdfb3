"""Truncated, corrupt and mislabelled compressed streams."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import assert_one_line_error

from dbom.errors import FormatError
from dbom.formats import Detected, inspect_shard
from dbom.formats.compression import iter_blocks

Write = Callable[..., Path]
CODECS = ["gzip", "zstd", "bz2", "xz"]
BODY = b"".join(b'{"id": %d, "text": "%s"}\n' % (i, os.urandom(40).hex().encode()) for i in range(3000))


@pytest.mark.parametrize("compression", CODECS)
@pytest.mark.parametrize(("fmt", "name"), [("jsonl", "t.jsonl"), ("csv", "t.csv"), ("text", "t.txt")])
def test_truncated_stream(write_file: Write, compression: str, fmt: str, name: str) -> None:
    path = write_file(name, BODY if fmt != "csv" else b"id,text\n" + BODY.replace(b": ", b""), compression)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(FormatError) as caught:
        inspect_shard(path, Detected(fmt, compression))
    assert_one_line_error(caught.value, path, f"truncated or corrupt {compression} stream: ")


@pytest.mark.parametrize("compression", CODECS)
def test_stream_cut_just_before_its_end(write_file: Write, compression: str) -> None:
    path = write_file("t.txt", BODY, compression)
    path.write_bytes(path.read_bytes()[:-4])
    with pytest.raises(FormatError) as caught:
        inspect_shard(path, Detected("text", compression))
    assert_one_line_error(caught.value, path, f"truncated or corrupt {compression} stream")


@pytest.mark.parametrize("compression", CODECS)
def test_corrupt_stream(write_file: Write, compression: str) -> None:
    # text: only the decompressor can notice (JSON Lines might fail on the garbage first)
    path = write_file("t.txt", BODY, compression)
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(64)
    path.write_bytes(bytes(data))
    with pytest.raises(FormatError) as caught:
        inspect_shard(path, Detected("text", compression))
    assert_one_line_error(caught.value, path, f"truncated or corrupt {compression} stream")


@pytest.mark.parametrize("compression", CODECS)
def test_not_compressed_at_all(write_file: Write, compression: str, tmp_path: Path) -> None:
    path = tmp_path / "plain.jsonl.bin"
    path.write_bytes(BODY)
    with pytest.raises(FormatError) as caught:
        inspect_shard(path, Detected("jsonl", compression))
    assert_one_line_error(caught.value, path, f"not a {compression} stream (bad magic bytes)")


@pytest.mark.parametrize("compression", [None, *CODECS])
def test_round_trip_bytes(write_file: Write, compression: str | None) -> None:
    path = write_file("t.txt", BODY * 2, compression)
    blocks = list(iter_blocks(path, compression))
    assert b"".join(blocks) == BODY * 2
    assert all(len(block) <= 1 << 20 for block in blocks)


def test_zstd_output_per_block_is_bounded_at_extreme_ratios(tmp_path: Path) -> None:
    import zstandard

    size = 160 << 20
    path = tmp_path / "zeros.txt.zst"
    path.write_bytes(zstandard.ZstdCompressor(level=1).compress(bytes(size)))
    assert path.stat().st_size < 64 << 10  # the whole stream would fit in one small read
    lengths = [len(block) for block in iter_blocks(path, "zstd")]
    assert sum(lengths) == size
    assert max(lengths) <= 40 << 20
