"""Read a shard's bytes in large blocks, decompressing gzip, zstd, bz2 or xz on the way."""

from __future__ import annotations

import bz2
import gzip
import lzma
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from dbom.errors import FormatError
from dbom.formats.limits import READ_BLOCK_BYTES, ZSTD_MAX_INPUT_BYTES, ZSTD_MIN_INPUT_BYTES

# The first bytes of each compressed format; zstd files may also start with a skippable frame.
MAGIC = {
    "gzip": (b"\x1f\x8b",),
    "zstd": (b"\x28\xb5\x2f\xfd", *(bytes([n, 0x2A, 0x4D, 0x18]) for n in range(0x50, 0x60))),
    "bz2": (b"BZh",),
    "xz": (b"\xfd7zXZ\x00",),
}

# What the decompressors raise on a truncated or corrupt stream (zstandard's error is added
# when it is imported). gzip.BadGzipFile is an OSError.
_STREAM_ERRORS: tuple[type[BaseException], ...] = (EOFError, OSError, zlib.error, lzma.LZMAError)


def iter_blocks(path: Path, compression: str | None) -> Iterator[bytes]:
    """Yield the uncompressed bytes of `path` in blocks of about `READ_BLOCK_BYTES`.

    A stream that does not start with its codec's magic bytes, or that is truncated or corrupt,
    raises FormatError (from the iteration, at the point the damage is found). OSError from
    opening the file propagates unchanged.
    """
    with open(path, "rb") as raw:
        if compression is None:
            while block := raw.read(READ_BLOCK_BYTES):
                yield block
            return
        if compression not in MAGIC:
            raise ValueError(f"unknown compression {compression!r}")
        head = raw.read(6)
        if not head.startswith(MAGIC[compression]):
            raise FormatError(str(path), f"not a {compression} stream (bad magic bytes)")
        raw.seek(0)
        yield from _decompressed(path, raw, compression)


def _decompressed(path: Path, raw: BinaryIO, compression: str) -> Iterator[bytes]:
    """Yield decompressed blocks of `raw`, turning the codec's errors into FormatError."""
    errors = _STREAM_ERRORS
    if compression == "zstd":
        import zstandard

        errors = (*errors, zstandard.ZstdError)
    try:
        if compression == "zstd":
            yield from _zstd_blocks(raw)
            return
        with _open_decompressor(raw, compression) as stream:
            while block := stream.read(READ_BLOCK_BYTES):
                yield block
    except errors as exc:
        raise FormatError(str(path), f"truncated or corrupt {compression} stream: {exc}") from exc


def _open_decompressor(raw: BinaryIO, compression: str) -> BinaryIO:
    """A file object decompressing `raw` with the standard library's gzip, bz2 or lzma."""
    if compression == "gzip":
        return gzip.GzipFile(fileobj=raw, mode="rb")
    if compression == "bz2":
        return bz2.BZ2File(raw, "rb")
    return lzma.LZMAFile(raw, "rb")


def _zstd_blocks(raw: BinaryIO) -> Iterator[bytes]:
    """Decompress every zstd frame of `raw`; raise EOFError when the last frame is cut short.

    zstandard's `stream_reader` reports a truncated stream as a clean end of data, so frames
    are decoded here with one `decompressobj` per frame, whose `eof` tells a complete frame.
    Its output per call is unbounded, so the input fed per call follows the compression ratio
    seen so far, aiming at `READ_BLOCK_BYTES` of output.
    """
    import zstandard

    decompressor = zstandard.ZstdDecompressor()
    frame = decompressor.decompressobj()
    in_frame = False  # bytes of the current frame have been fed and it has not ended
    feed = ZSTD_MIN_INPUT_BYTES
    while chunk := raw.read(feed):
        fed = len(chunk)
        produced = 0
        while chunk:
            out = frame.decompress(chunk)
            in_frame = True
            if out:
                produced += len(out)
                yield out
            if not frame.eof:
                break
            chunk = frame.unused_data
            frame = decompressor.decompressobj()
            in_frame = False
        feed = READ_BLOCK_BYTES * fed // max(produced, 1)
        feed = min(ZSTD_MAX_INPUT_BYTES, max(ZSTD_MIN_INPUT_BYTES, feed))
    if in_frame:
        raise EOFError("stream ended before the end of the last zstd frame")
