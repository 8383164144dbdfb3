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

A rescan that changed some files of a dataset whose paths are the same, in the same order, writes no
new snapshot file: a delta beside it (`.delta`) holds the records and identities of the files changed
since that file was written (the earlier delta's and the new ones), and the digest of the records is
then the XXH3-128 of the base's digest and the delta's bytes. Writing the 250 MB of a 10^6-file
snapshot again took a 1% rescan about 2 s; its delta is about 1% of that. Once the delta would hold
over DELTA_MOST of the files, the whole snapshot is written again. Delta layout: DELTA_MAGIC, seven
lengths (as above) of the listing digest, the records digest, the base's listing and records digests,
the indices changed (8 bytes each, little-endian, rising), their identities and their records (one a
line), then those seven.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import xxhash

MAGIC = b"dbom-snapshot-1\n"
_HEAD = len(MAGIC) + 5 * 8
DELTA_MAGIC = b"dbom-snapdelta-1\n"
_DELTA_HEAD = len(DELTA_MAGIC) + 7 * 8
# Over this fraction of a dataset's files changed since its snapshot file, the snapshot is written whole again.
DELTA_MOST = 0.1


class SnapshotRead:
    """A snapshot as read: its records (as text, one a line, or as the list of lines: each made from the other
    when first asked for), paths (JSON text) and packed identities, the (listing digest, records digest) of the
    whole file it was read from, and the indices a delta changed since that file (none when read whole)."""

    def __init__(self, paths: str, identities: bytes, base: tuple[str, str], changed: tuple[int, ...] = (),
                 records: str | None = None, lines: list[str] | None = None) -> None:
        self.paths = paths
        self.identities = identities
        self.base = base
        self.changed = changed
        self._records = records
        self._lines = lines

    @property
    def records(self) -> str:
        """The records' text, one a line."""
        if self._records is None:
            self._records = "\n".join(self._lines or ())
        return self._records

    @property
    def lines(self) -> list[str]:
        """The records' texts, in order (not to be changed)."""
        if self._lines is None:
            self._lines = self._records.split("\n") if self._records else []
        return self._lines


def snapshot_path(directory: Path, key: str) -> Path:
    """Where the snapshot `key` of the cache in `directory` is kept."""
    return directory / "snapshots" / f"{xxhash.xxh3_128_hexdigest(key.encode('utf-8', 'surrogateescape'))}.bin"


def delta_path(path: Path) -> Path:
    """Where the delta of the snapshot file at `path` is kept."""
    return path.with_suffix(".delta")


def write_snapshot(path: Path, listing: str, digest: str, records: bytes, paths: bytes, identities: bytes) -> None:
    """Put the snapshot at `path`, whole or not at all (OSError when it cannot be written); a delta of the
    file it replaces is dropped."""
    _write_parts(path, MAGIC, (listing.encode("ascii"), digest.encode("ascii"), records, paths, identities))
    with contextlib.suppress(OSError):
        delta_path(path).unlink()


def write_delta(path: Path, listing: str, base: tuple[str, str], changed: Sequence[int], records: Sequence[str],
                identities: bytes) -> str:
    """Put beside the snapshot file at `path`, whose (listing, records) digests are `base`, the delta that makes
    it the snapshot of `listing`: the files at indices `changed` (rising) now have the `records` texts and
    the packed `identities`. Returns the records digest of the snapshot it makes (OSError when it cannot be
    written)."""
    parts = [b"".join(index.to_bytes(8, "little") for index in changed), identities,
             "\n".join(records).encode("utf-8", "surrogatepass")]
    digest = _delta_digest(base[1], parts)
    _write_parts(delta_path(path), DELTA_MAGIC,
                 (listing.encode("ascii"), digest.encode("ascii"), base[0].encode("ascii"), base[1].encode("ascii"),
                  *parts))
    return digest


def _delta_digest(base_digest: str, parts: Sequence[bytes]) -> str:
    digest = xxhash.xxh3_128(base_digest.encode("ascii"))
    for part in parts:
        digest.update(len(part).to_bytes(8, "little"))
        digest.update(part)
    return digest.hexdigest()


def _write_parts(path: Path, magic: bytes, parts: Sequence[bytes]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(magic + b"".join(len(part).to_bytes(8, "little") for part in parts))
            for part in parts:
                fh.write(part)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def _read_parts(path: Path, magic: bytes, count: int, digests: tuple[str, str]) -> list[bytes] | None:
    """The parts after the two digests of the file at `path`, when it starts with `magic` and those digests,
    and holds all `count` parts and nothing more; None otherwise."""
    head_size = len(magic) + 8 * count
    listing, digest = digests
    try:
        with open(path, "rb") as fh:
            head = fh.read(head_size)
            if len(head) != head_size or not head.startswith(magic):
                return None
            sizes = [int.from_bytes(head[at:at + 8], "little") for at in range(len(magic), head_size, 8)]
            if sizes[0] != len(listing) or sizes[1] != len(digest) or fh.read(sizes[0] + sizes[1]) != (
                    listing + digest).encode("ascii"):
                return None
            parts = [fh.read(size) for size in sizes[2:]]
            if fh.read(1) or [len(part) for part in parts] != sizes[2:]:
                return None
    except (OSError, UnicodeEncodeError):
        return None
    return parts


def read_snapshot(path: Path, listing: str, digest: str) -> SnapshotRead | None:
    """The snapshot at `path` (with its delta, if it has one) when it is the one whose listing and records
    digests are `listing` and `digest`, whole; None otherwise."""
    whole = _read_whole(path, listing, digest)
    if whole is not None:
        return whole
    parts = _read_parts(delta_path(path), DELTA_MAGIC, 7, (listing, digest))
    if parts is None:
        return None
    try:
        base = (parts[0].decode("ascii"), parts[1].decode("ascii"))
    except UnicodeDecodeError:
        return None
    changes = parts[2:]
    if _delta_digest(base[1], changes) != digest:
        return None
    found = _read_whole(path, *base)
    if found is None:
        return None
    indices, identities, texts = changes
    changed = tuple(int.from_bytes(indices[at:at + 8], "little") for at in range(0, len(indices), 8))
    records = list(found.lines)
    try:
        replacing = texts.decode("utf-8", "surrogatepass").split("\n") if changed else []
    except UnicodeDecodeError:
        return None
    width = len(found.identities) // len(records) if records else 0
    if (len(replacing) != len(changed) or len(identities) != width * len(changed) or width * len(records) != len(
            found.identities) or any(not 0 <= index < len(records) for index in changed)):
        return None
    packed = bytearray(found.identities)
    for at, (index, text) in enumerate(zip(changed, replacing, strict=True)):
        records[index] = text
        packed[width * index:width * (index + 1)] = identities[width * at:width * (at + 1)]
    return SnapshotRead(found.paths, bytes(packed), base, changed, lines=records)


def _read_whole(path: Path, listing: str, digest: str) -> SnapshotRead | None:
    parts = _read_parts(path, MAGIC, 5, (listing, digest))
    if parts is None:
        return None
    records, paths, identities = parts
    if xxhash.xxh3_128_hexdigest(records) != digest:
        return None
    try:
        return SnapshotRead(paths.decode("utf-8", "surrogatepass"), identities, (listing, digest),
                            records=records.decode("utf-8", "surrogatepass"))
    except UnicodeDecodeError:
        return None


def remove_snapshot(path: Path) -> None:
    """Drop the snapshot at `path` (and its delta), if there is one."""
    for each in (path, delta_path(path)):
        with contextlib.suppress(OSError):
            each.unlink()
