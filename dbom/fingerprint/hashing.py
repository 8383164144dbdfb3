"""One pass over a file's bytes computing every requested digest."""

from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import xxhash

from dbom.model import HASH_BLAKE3, HASH_SHA256

# Large reads let hashlib and blake3 release the GIL for long stretches, so two threads
# hashing two files really use two cores; small files are read in one call.
CHUNK_BYTES = 4 << 20
HEAD_BYTES = 512
# A file up to this size that one read returned whole is kept (`Digests.content`): its reader parses
# those very bytes instead of opening the file again (for a small Parquet file, a third of its cost).
CONTENT_BYTES = 1 << 20

# One read buffer per thread, reused for every file: allocating and zero-filling 4 MiB per file
# (with the GIL held) cost more than hashing a 64 KiB file.
_buffers = threading.local()


def _buffer() -> bytearray:
    buffer = getattr(_buffers, "buffer", None)
    if buffer is None:
        buffer = _buffers.buffer = bytearray(CHUNK_BYTES)
    return buffer


@dataclass(frozen=True, slots=True)
class Digests:
    """The digests of one file, hex-encoded; absent algorithms are None."""

    size: int
    xxh3_128: str
    sha256: str | None
    blake3: str | None
    head: bytes
    # the file's (size, mtime_ns, ctime_ns, inode, device) from the open descriptor, when it was the same
    # before and after the read; None when the file changed while it was read (the digests are of no version)
    identity: tuple[int, int, int, int, int] | None = None
    # the whole file, when small enough (CONTENT_BYTES) to have come in one read: a view of `hash_file`'s `into`
    # when it was read there (valid until that buffer is read into again)
    content: bytes | memoryview | None = None


def file_identity(st: os.stat_result) -> tuple[int, int, int, int, int]:
    """What changes when a file is written or replaced: size, mtime_ns, ctime_ns, inode, device."""
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)


class DigestSet:
    """XXH3-128 plus the requested extra digests ("sha256", "blake3"), each fed the same chunks."""

    def __init__(self, algorithms: tuple[str, ...]) -> None:
        self.xxh = xxhash.xxh3_128()
        self.sha = hashlib.sha256() if HASH_SHA256 in algorithms else None
        self.b3 = _blake3() if HASH_BLAKE3 in algorithms else None
        self.updaters = [h.update for h in (self.xxh, self.sha, self.b3) if h is not None]

    def update(self, chunk: bytes | memoryview) -> None:
        """Feed `chunk` to every digest."""
        for update in self.updaters:
            update(chunk)

    def hexdigests(self) -> tuple[str, str | None, str | None]:
        """(XXH3-128, SHA-256 or None, BLAKE3 or None), hex."""
        return (self.xxh.hexdigest(), self.sha.hexdigest() if self.sha is not None else None,
                self.b3.hexdigest() if self.b3 is not None else None)


def hash_file(path: Path | str, algorithms: tuple[str, ...], into: memoryview | None = None) -> Digests:
    """Read `path` once and return XXH3-128 plus the requested extra digests and the first bytes.

    `algorithms` may hold "sha256" and/or "blake3"; XXH3-128 is always computed. Raises
    OSError when the file cannot be read. `into`: where a small file is read, when it fits (and the
    platform has readv); `Digests.content` is then a view of it.
    """
    fd = os.open(path, _OPEN_FLAGS)
    try:
        before = file_identity(os.fstat(fd))
        first: bytes | memoryview = b""
        if before[0] < CONTENT_BYTES:
            # A small file in one read of its size and a byte more (no second read for the end of the file: the
            # fstat after says if it grew), into `into`, or else a bytes object of its own. Memory used again
            # is memory the kernel need not map again: a new 64 KiB object cost 16 page faults, a fifth of its read.
            if into is not None and len(into) > before[0] and _READV:
                first = into[:os.readv(fd, [into[:before[0] + 1]])]
            else:
                first = os.read(fd, before[0] + 1)
            if len(first) == before[0]:
                after = file_identity(os.fstat(fd))
                return _whole(first, algorithms, before if before == after else None)
        size, head, content, digests = _read_rest(fd, first, algorithms)
        after = file_identity(os.fstat(fd))
    finally:
        os.close(fd)
    xxh3_128, sha256, blake3 = digests.hexdigests()
    return Digests(
        size=size,
        xxh3_128=xxh3_128,
        sha256=sha256,
        blake3=blake3,
        head=head,
        identity=before if before == after and size == before[0] else None,
        content=content,
    )


_READV = hasattr(os, "readv")
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0)  # looked up once: the getattr that fails is a microsecond


def _whole(data: bytes | memoryview, algorithms: tuple[str, ...],
           identity: tuple[int, int, int, int, int] | None) -> Digests:
    """The digests of a file read whole as `data`, each computed in one call."""
    return Digests(
        size=len(data),
        xxh3_128=xxhash.xxh3_128_hexdigest(data),
        sha256=hashlib.sha256(data).hexdigest() if HASH_SHA256 in algorithms else None,
        blake3=_blake3_of(data) if HASH_BLAKE3 in algorithms else None,
        head=bytes(data[:HEAD_BYTES]),
        identity=identity,
        content=data,
    )


def _read_rest(fd: int, first: bytes | memoryview,
               algorithms: tuple[str, ...]) -> tuple[int, bytes, bytes | None, DigestSet]:
    """Read `fd` to its end after the bytes `first` already read from it: (bytes in all, the first bytes, the whole
    content when it came in one read of CONTENT_BYTES or fewer, the digests fed every byte)."""
    digests = DigestSet(algorithms)
    updaters = digests.updaters  # bound once: the loop below runs once per 4 MiB
    size = 0
    head = b""
    content: bytes | None = b""  # an empty file's, until a read says otherwise
    buffer = _buffer()
    view = memoryview(buffer)
    chunk: bytes | memoryview = first
    n = len(first)
    while True:
        if n == 0:
            n = os.readv(fd, [buffer]) if hasattr(os, "readv") else _readinto(fd, view)
            if n == 0:
                break
            chunk = view[:n]
        if size == 0:
            head = bytes(chunk[:HEAD_BYTES])
            content = bytes(chunk) if n <= CONTENT_BYTES else None
        else:
            content = None
        for update in updaters:
            update(chunk)
        size += n
        n = 0
    return size, head, content, digests


def _readinto(fd: int, view: memoryview) -> int:
    data = os.read(fd, len(view))
    view[: len(data)] = data
    return len(data)


def _blake3():  # type: ignore[no-untyped-def]
    from blake3 import blake3  # imported only when asked for

    return blake3(max_threads=1)


def _blake3_of(data: bytes | memoryview) -> str:
    hasher = _blake3()
    hasher.update(data)
    return str(hasher.hexdigest())
