"""A dataset snapshot's records, paths and identities, in a file of their own beside the cache's database.

A snapshot of 10^6 files holds about 250 MB of record text. Kept in a SQLite row, every read of the
row's head walked its overflow pages, and every rescan that changed a file wrote it whole twice (the
journal, then the database): seconds each time, and SQLite refuses values over 10^9 bytes. The row
now holds the snapshot's listing digest and records digest only; the rest is one file a snapshot,
written beside its place and renamed into it before the row names it.

Layout: MAGIC, five lengths (8 bytes each, little-endian) of the listing digest, the records digest,
the records text (UTF-8, one record a line), the paths (a JSON array) and the identities (packed stat
fields), then those five, in that order. A file is read only when its listing and records digests are
the row's and its records hash to their digest: a damaged or stale file is no snapshot.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

import xxhash

MAGIC = b"dbom-snapshot-1\n"
_HEAD = len(MAGIC) + 5 * 8


def snapshot_path(directory: Path, key: str) -> Path:
    """Where the snapshot `key` of the cache in `directory` is kept."""
    return directory / "snapshots" / f"{xxhash.xxh3_128_hexdigest(key.encode('utf-8', 'surrogateescape'))}.bin"


def write_snapshot(path: Path, listing: str, digest: str, records: bytes, paths: bytes, identities: bytes) -> None:
    """Put the snapshot at `path`, whole or not at all (OSError when it cannot be written)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    parts = (listing.encode("ascii"), digest.encode("ascii"), records, paths, identities)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(MAGIC + b"".join(len(part).to_bytes(8, "little") for part in parts))
            for part in parts:
                fh.write(part)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def read_snapshot(path: Path, listing: str, digest: str) -> tuple[str, str, bytes] | None:
    """(records text, paths text, identities) of the snapshot at `path` when it is the one whose listing
    and records digests are `listing` and `digest`, whole; None otherwise."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(_HEAD)
            if len(head) != _HEAD or not head.startswith(MAGIC):
                return None
            sizes = [int.from_bytes(head[at:at + 8], "little") for at in range(len(MAGIC), _HEAD, 8)]
            if sizes[0] != len(listing) or sizes[1] != len(digest) or fh.read(sizes[0] + sizes[1]) != (
                    listing + digest).encode("ascii"):
                return None
            records, paths, identities = parts = [fh.read(size) for size in sizes[2:]]
            if fh.read(1) or [len(part) for part in parts] != sizes[2:]:
                return None
    except (OSError, UnicodeEncodeError):
        return None
    if xxhash.xxh3_128_hexdigest(records) != digest:
        return None
    try:
        return records.decode("utf-8", "surrogatepass"), paths.decode("utf-8", "surrogatepass"), identities
    except UnicodeDecodeError:
        return None


def remove_snapshot(path: Path) -> None:
    """Drop the snapshot at `path`, if there is one."""
    with contextlib.suppress(OSError):
        path.unlink()
