"""hash_file: the digests of every byte, the content of a small file, and no identity for a file that changed."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
import xxhash

from dbom.fingerprint import hashing
from dbom.fingerprint.hashing import CHUNK_BYTES, CONTENT_BYTES, HEAD_BYTES, file_identity, hash_file


@pytest.mark.parametrize("size", [0, 1, 4096, CONTENT_BYTES - 1, CONTENT_BYTES, CHUNK_BYTES + 3])
def test_digests_of_every_byte_and_the_content_of_a_small_file(tmp_path: Path, size: int) -> None:
    data = os.urandom(size)
    path = tmp_path / "f.bin"
    path.write_bytes(data)
    digests = hash_file(path, ("sha256",))
    assert digests.size == size
    assert digests.xxh3_128 == xxhash.xxh3_128_hexdigest(data)
    assert digests.sha256 == hashlib.sha256(data).hexdigest()
    assert digests.blake3 is None
    assert digests.head == data[:HEAD_BYTES]
    assert digests.identity == file_identity(path.stat())
    assert digests.content == (data if size <= CONTENT_BYTES else None)


def test_blake3_of_a_small_and_a_large_file(tmp_path: Path) -> None:
    blake3 = pytest.importorskip("blake3")
    for size in (100, CHUNK_BYTES + 3):
        data = os.urandom(size)
        path = tmp_path / f"{size}.bin"
        path.write_bytes(data)
        assert hash_file(path, ("blake3",)).blake3 == blake3.blake3(data).hexdigest()


@pytest.mark.parametrize("grows_by", [1, CONTENT_BYTES])
def test_a_small_file_that_grows_while_it_is_read_has_no_identity(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  grows_by: int) -> None:
    path = tmp_path / "f.bin"
    path.write_bytes(b"x" * 100)
    real_read = os.read

    def read(fd: int, n: int) -> bytes:
        with open(path, "ab") as file:  # written after the fstat the read is sized by
            file.write(b"y" * grows_by)
        return real_read(fd, n)

    monkeypatch.setattr(hashing.os, "read", read)
    digests = hash_file(path, ("sha256",))
    assert digests.identity is None
    data = path.read_bytes()
    assert digests.size == len(data) and digests.sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.skipif(not hasattr(os, "readv"), reason="a small file is read into a buffer only with readv")
def test_a_small_file_read_into_a_buffer_has_the_same_digests_and_its_content_is_a_view_of_it(tmp_path: Path) -> None:
    buffer = memoryview(bytearray(1000))
    for size, fits in ((0, True), (999, True), (1000, False), (5000, False)):
        data = os.urandom(size)
        path = tmp_path / f"{size}.bin"
        path.write_bytes(data)
        digests = hash_file(path, ("sha256",), buffer)
        assert digests == hash_file(path, ("sha256",))  # the content compares by value, a view or bytes
        assert isinstance(digests.content, memoryview) == fits  # a byte more than the file must fit (growth)
        assert isinstance(digests.head, bytes) and digests.head == data[:HEAD_BYTES]
        if fits:
            assert bytes(buffer[:size]) == data
