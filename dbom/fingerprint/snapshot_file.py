"""A dataset snapshot's records, paths and identities, in a file of their own beside the cache's database.

A snapshot of 10^6 files holds about 250 MB of record text. Kept in a SQLite row, every read of the
row's head walked its overflow pages, and every rescan that changed a file wrote it whole twice (the
journal, then the database): seconds each time, and SQLite refuses values over 10^9 bytes. The row
now holds the snapshot's listing digest and records digest only; the rest is one file a snapshot,
written beside its place and renamed into it before the row names it.

Layout: MAGIC, six lengths (8 bytes each, little-endian) of the listing digest, the records digest,
the records text (UTF-8, one record a line), the paths (a JSON array), the identities (packed stat
fields) and where each record starts in the text (8 bytes each, little-endian), then those six, in that
order. The records digest is the XXH3-128 of the text, then the starts. A file is read only when its
listing and records digests are the row's and its records hash to their digest: a damaged or stale file
is no snapshot. It is read through a mapping into memory: a rescan that changed 1% of 10^6 files reads
the 20,000 records it needs, not 250 MB made into 10^6 strings (0.5 s).

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
import mmap
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import xxhash

MAGIC = b"dbom-snapshot-2\n"
DELTA_MAGIC = b"dbom-snapdelta-2\n"
# Over this fraction of a dataset's files changed since its snapshot file, the snapshot is written whole again.
DELTA_MOST = 0.1


class SnapshotRead:
    """A snapshot as read: its records, each decoded when asked for (`line`; all at once: `lines`, `records`),
    paths (`paths_json`, their JSON text; `paths`, decoded), packed identities, the (listing digest, records
    digest) of the whole file it was read from, and the indices a delta changed since that file (none when read
    whole). The text is a view of the file mapped into memory, not a copy."""

    def __init__(self, text: bytes | memoryview, starts: Any, paths_json: bytes | memoryview,
                 identities: bytes | memoryview, base: tuple[str, str], changed: tuple[int, ...] = (),
                 replaced: dict[int, str] | None = None, changed_identities: bytes | memoryview = b"") -> None:
        self._text = text
        self._starts = starts  # where each record starts in `text` (a numpy array)
        self.paths_json = paths_json
        self._base_identities = identities  # the whole file's; a delta's `changed` have `changed_identities`
        self._changed_identities = changed_identities
        self._identities = None if changed else identities
        self.base = base
        self.changed = changed
        self._changed_at: Any = None  # `changed` as a numpy array, once asked for
        self._replaced = replaced or {}

    @property
    def identities(self) -> bytes | memoryview:
        """Every file's identity, packed (made once when asked for, where a delta changed some)."""
        if self._identities is None:
            packed = bytearray(self._base_identities)
            width = len(self._changed_identities) // len(self.changed)
            for at, index in enumerate(self.changed):
                packed[width * index:width * (index + 1)] = self._changed_identities[width * at:width * (at + 1)]
            self._identities = bytes(packed)
        return self._identities

    @property
    def identities_bytes(self) -> int:
        """The length of `identities`."""
        return len(self._base_identities)

    def same_identities(self, packed: bytes | bytearray | memoryview, width: int, first: int = 0) -> Any:
        """Whether each file's identity, from file `first` on, is the one `packed` holds at its place (`width`
        bytes each, a multiple of 8; no more than the files from `first`): a numpy array of booleans. Nothing as
        large as the identities is copied."""
        import numpy as np

        count = len(packed) // width
        same = same_rows(self._base_identities[first * width:(first + count) * width], packed, width)
        if self.changed:
            changed = self._changed_array()
            low, high = np.searchsorted(changed, [first, first + count])
            if high > low:
                at = changed[low:high] - first
                now = np.frombuffer(packed, dtype=np.uint64).reshape(-1, width // 8)[at]
                same[at] = same_rows(self._changed_identities[low * width:high * width], now, width)
        return same

    def _changed_array(self) -> Any:
        """`changed` as a numpy array (made once)."""
        import numpy as np

        if self._changed_at is None:
            self._changed_at = np.array(self.changed, dtype=np.int64)
        return self._changed_at

    def __len__(self) -> int:
        return len(self._starts)

    def line(self, index: int) -> str:
        """The text of record `index`."""
        found = self._replaced.get(index)
        if found is not None:
            return found
        start = int(self._starts[index])
        end = int(self._starts[index + 1]) - 1 if index + 1 < len(self._starts) else len(self._text)
        return bytes(self._text[start:end]).decode("utf-8", "surrogatepass")

    @property
    def lines(self) -> list[str]:
        """Every record's text, in order."""
        lines = bytes(self._text).decode("utf-8", "surrogatepass").split("\n") if len(self._starts) else []
        for index, text in self._replaced.items():
            lines[index] = text
        return lines

    @property
    def records(self) -> str:
        """The records' text, one a line."""
        if not self._replaced:
            return bytes(self._text).decode("utf-8", "surrogatepass")
        return "\n".join(self.lines)

    @property
    def paths(self) -> str:
        """The paths' JSON text."""
        return bytes(self.paths_json).decode("utf-8", "surrogatepass")


def same_rows(a: Any, b: Any, width: int) -> Any:
    """Whether each `width`-byte row (a multiple of 8) of the buffers `a` and `b` (as long) is the same in both:
    a numpy array of booleans, compared a word at a time."""
    import numpy as np

    words = width // 8
    left = np.frombuffer(a, dtype=np.uint64).reshape(-1, words)
    right = np.frombuffer(b, dtype=np.uint64).reshape(-1, words)
    return (left == right).all(axis=1)


def snapshot_path(directory: Path, key: str) -> Path:
    """Where the snapshot `key` of the cache in `directory` is kept."""
    return directory / "snapshots" / f"{xxhash.xxh3_128_hexdigest(key.encode('utf-8', 'surrogateescape'))}.bin"


def delta_path(path: Path) -> Path:
    """Where the delta of the snapshot file at `path` is kept."""
    return path.with_suffix(".delta")


def write_snapshot(path: Path, listing: str, records: bytes, paths: bytes, identities: bytes) -> str:
    """Put the snapshot at `path`, whole or not at all (OSError when it cannot be written); a delta of the
    file it replaces is dropped. `records`: their texts, one a line. Returns the records digest."""
    import numpy as np

    ends = np.flatnonzero(np.frombuffer(records, dtype=np.uint8) == ord("\n")) + 1
    starts = np.concatenate(([0], ends)).astype("<u8").tobytes() if records else b""
    digest = xxhash.xxh3_128(records)
    digest.update(starts)
    text = digest.hexdigest()
    _write_parts(path, MAGIC, (listing.encode("ascii"), text.encode("ascii"), records, paths, identities, starts))
    with contextlib.suppress(OSError):
        delta_path(path).unlink()
    return text


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


def _read_parts(path: Path, magic: bytes, count: int, digests: tuple[str, str]) -> list[memoryview] | None:
    """The parts after the two digests of the file at `path` (views of it mapped into memory), when it starts
    with `magic` and those digests, and holds all `count` parts and nothing more; None otherwise."""
    head_size = len(magic) + 8 * count
    listing, digest = digests
    try:
        with open(path, "rb") as fh:
            mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):  # ValueError: an empty file
        return None
    view = memoryview(mapped)
    if len(view) < head_size or view[:len(magic)] != magic:
        return None
    sizes = [int.from_bytes(view[at:at + 8], "little") for at in range(len(magic), head_size, 8)]
    if sum(sizes) != len(view) - head_size:
        return None
    parts, at = [], head_size
    for size in sizes:
        parts.append(view[at:at + size])
        at += size
    try:
        if parts[0] != listing.encode("ascii") or parts[1] != digest.encode("ascii"):
            return None
    except UnicodeEncodeError:
        return None
    return parts[2:]


def read_snapshot(path: Path, listing: str, digest: str, verify: bool = True) -> SnapshotRead | None:
    """The snapshot at `path` (with its delta, if it has one) when it is the one whose listing and records
    digests are `listing` and `digest`, whole; None otherwise. Without `verify`, its records are not hashed (a
    quarter of a second for 10^6 files): what is read from it must be checked otherwise."""
    whole = _read_whole(path, listing, digest, verify)
    if whole is not None:
        return whole
    parts = _read_parts(delta_path(path), DELTA_MAGIC, 7, (listing, digest))
    if parts is None:
        return None
    try:
        base = (bytes(parts[0]).decode("ascii"), bytes(parts[1]).decode("ascii"))
    except UnicodeDecodeError:
        return None
    changes = parts[2:]
    if verify and _delta_digest(base[1], changes) != digest:
        return None
    found = _read_whole(path, *base, verify)
    if found is None:
        return None
    import numpy as np

    indices, identities, texts = changes
    changed = np.frombuffer(indices, dtype="<u8")
    try:
        replacing = bytes(texts).decode("utf-8", "surrogatepass").split("\n") if len(changed) else []
    except UnicodeDecodeError:
        return None
    count = len(found)
    width = found.identities_bytes // count if count else 0
    if (len(replacing) != len(changed) or len(identities) != width * len(changed)
            or width * count != found.identities_bytes or (len(changed) and int(changed.max()) >= count)):
        return None
    at = changed.tolist()
    return SnapshotRead(found._text, found._starts, found.paths_json, found.identities, base, tuple(at),
                        dict(zip(at, replacing, strict=True)), identities)


def _read_whole(path: Path, listing: str, digest: str, verify: bool = True) -> SnapshotRead | None:
    parts = _read_parts(path, MAGIC, 6, (listing, digest))
    if parts is None:
        return None
    records, paths, identities, starts = parts
    if len(starts) % 8:
        return None
    if verify:
        found = xxhash.xxh3_128(records)
        found.update(starts)
        if found.hexdigest() != digest:
            return None
    import numpy as np

    return SnapshotRead(records, np.frombuffer(starts, dtype="<u8"), paths, identities, (listing, digest))


def remove_snapshot(path: Path) -> None:
    """Drop the snapshot at `path` (and its delta), if there is one."""
    for each in (path, delta_path(path)):
        with contextlib.suppress(OSError):
            each.unlink()
