"""The incremental cache: a file whose path, size, mtime, ctime and inode are unchanged is not read again.

Entries live in one SQLite file under the user's cache directory (`DBOM_CACHE_DIR` overrides
it). A value is the JSON of what scanning the file produced, keyed also on the digest set
asked for, so `--hash none` and `--hash sha256` never share an answer.

A key starts with the file's path, so the entries of every file below a folder are one range
of keys: `under` loads them with one query, for a scan that looks up thousands of files.

A second table holds one snapshot per dataset (dbom.scanning.cache): the digest of the listing it
belongs to and of its records; the records themselves, with the files' paths and identities, are in a
file of their own (dbom.fingerprint.snapshot_file).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import orjson
import xxhash

from dbom.fingerprint.snapshot_file import (
    DELTA_MOST,
    SnapshotRead,
    read_snapshot,
    remove_snapshot,
    snapshot_path,
    write_delta,
    write_snapshot,
)

# Bump when the cached record's shape or meaning changes; old rows are then ignored.
# 2: records are JSON arrays, not objects.
# 3: a record's fields in the order of the model's dataclass (dbom.scanning.cache); dataset snapshots.
# 4: a snapshot also holds each file's relative path and identity, so a dataset that changed in part reuses the rest.
# 5: a snapshot's listing digest covers every file walked (selected or not), and it holds its records' digest.
# 6: a snapshot's records, paths and identities are in a file of their own, not in its row.
CACHE_FORMAT = 6
# The largest snapshot kept (about 16 million files of a dataset): its text is held in memory whole.
SNAPSHOT_MAX_CHARS = 4 << 30

# A dataset snapshot as `FingerprintCache.snapshot` gives it: (listing digest, the snapshot as read, records digest).
SnapshotRow = tuple[str, SnapshotRead, str]


def default_cache_dir() -> Path:
    """The directory holding the cache: $DBOM_CACHE_DIR, else the platform's user cache dir."""
    override = os.environ.get("DBOM_CACHE_DIR")
    if override:
        return Path(override)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("dbom", appauthor=False))


def _tail(algorithms: tuple[str, ...], records_digest: bool) -> str:
    """The part of a key after the file's identity: the digest set, and the records-digest flag."""
    return ",".join(sorted(algorithms)) + ("\0records-digest" if records_digest else "")


PAGE_CACHE_KIB = 64 << 10
# Pending entries are written when there are this many, or when this long has passed since the last write:
# a scan killed halfway keeps what it read (a re-run resumes), at one transaction every few seconds.
FLUSH_ENTRIES = 5000
FLUSH_SECONDS = 2.0


class CacheUnavailable(Exception):
    """The cache cannot be opened or written (a read-only or full disk, a path that is not a folder)."""


class FingerprintCache:
    """A persistent map from a file's identity (path and stat) to its scan record.

    A cache that fails once it is open (a full disk, a folder made read-only) calls `on_failure` with
    the reason, once, and from then on remembers nothing and finds nothing: the scan goes on without it.
    """

    def __init__(self, directory: Path | None = None, on_failure: Callable[[str], None] = lambda reason: None) -> None:
        directory = directory or default_cache_dir()
        self.path = directory / f"fingerprints-v{CACHE_FORMAT}.sqlite"
        self._on_failure = on_failure
        self.failed = False
        self._last_flush = time.monotonic()
        try:
            directory.mkdir(parents=True, exist_ok=True)
            self._open()
        except (OSError, sqlite3.Error) as exc:
            raise CacheUnavailable(_reason(exc)) from None
        self._pending: list[tuple[str, str]] = []
        self._pending_snapshots: list[tuple[str, str, str]] = []
        _drop_older_formats(directory)

    def _fail(self, exc: BaseException) -> None:
        if not self.failed:
            self.failed = True
            self._on_failure(_reason(exc))
        self._pending.clear()
        self._pending_snapshots.clear()

    def _open(self) -> None:
        self._db = sqlite3.connect(self.path, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        # the pages a rescan of 10^6 files touches (10^4 changed files' entries looked up, replaced and dropped,
        # each on a page of its own) stay in memory: SQLite's default keeps 2 MB
        self._db.execute(f"PRAGMA cache_size=-{PAGE_CACHE_KIB}")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID"
        )
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS snapshots (key TEXT PRIMARY KEY, listing TEXT NOT NULL, digest TEXT NOT NULL)")

    @staticmethod
    def key_function(algorithms: tuple[str, ...], records_digest: bool = False) -> Callable[[str, os.stat_result], str]:
        """The cache key of a file as a function of (its path as a str, its stat), the digest set bound.

        A key is the path, size, mtime, ctime, inode, device and digest set. A scan with records
        digests (`records_digest`) has keys of its own: its records carry a digest that a scan without
        must not write, and the other way round.
        """
        tail = _tail(algorithms, records_digest)

        def key(path: str, st: os.stat_result) -> str:
            return f"{path}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ctime_ns}\0{st.st_ino}\0{st.st_dev}\0{tail}"

        return key

    def under(self, prefix: str) -> dict[str, str]:
        """Every entry whose key starts with `prefix` (a folder's path and separator), as key: record text.

        One range query instead of one query per file; decode the texts wanted with `decode`.
        The dict may hold entries of files that are gone or changed since (their keys differ).
        """
        if self.failed:
            return {}
        try:
            if not prefix:
                return dict(self._db.execute("SELECT key, value FROM entries"))
            # keys from `prefix` up to, not including, the prefix with its last character incremented
            end = prefix[:-1] + chr(ord(prefix[-1]) + 1)
            return dict(self._db.execute("SELECT key, value FROM entries WHERE key >= ? AND key < ?", (prefix, end)))
        except sqlite3.Error as exc:
            self._fail(exc)
            return {}

    @staticmethod
    def decode(texts: Sequence[str]) -> list[Any]:
        """The records of `texts` (values from `under`), decoded in one pass; None for a text that is not JSON."""
        try:
            return orjson.loads("[" + ",".join(texts) + "]") if texts else []
        except orjson.JSONDecodeError:  # a damaged entry: decode one by one to keep the others
            return [_loads_or_none(text) for text in texts]

    @staticmethod
    def decode_array(text: str) -> Any:
        """The JSON value of `text` (a snapshot's records), None if it is not JSON."""
        return _loads_or_none(text)

    @staticmethod
    def record_text(record: Any) -> str:
        """The text `record` (a JSON value) is stored as."""
        return orjson.dumps(record).decode()  # one per file read: 0.2 µs, where json took 3.4

    def put(self, key: str, record: Any) -> str:
        """Remember `record` (a JSON value) for `key`; written on `flush`. Returns the record's text."""
        text = self.record_text(record)
        self._pending.append((key, text))
        if len(self._pending) >= FLUSH_ENTRIES or time.monotonic() - self._last_flush >= FLUSH_SECONDS:
            self.flush()
        return text

    @staticmethod
    def snapshot_key(prefix: str, algorithms: tuple[str, ...], records_digest: bool,
                     selection: tuple[tuple[str, ...], tuple[str, ...]]) -> str:
        """The key of the snapshot of the dataset whose files' keys start with `prefix`, scanned so."""
        return f"{prefix}\0{_tail(algorithms, records_digest)}\0{json.dumps(selection)}"

    def snapshot(self, key: str, verify: bool = True) -> SnapshotRow | None:
        """The (listing digest, the snapshot as read, records digest) last stored for `key`, or None. Without
        `verify`, its records are not checked against their digest (dbom.fingerprint.snapshot_file.read_snapshot)."""
        head = self.snapshot_head(key)
        if head is None:
            return None
        found = read_snapshot(snapshot_path(self.path.parent, key), *head, verify=verify)
        return None if found is None else (head[0], found, head[1])

    def snapshot_head(self, key: str) -> tuple[str, str] | None:
        """The (listing digest, records digest) of the snapshot stored for `key`, or None: without its records."""
        if self.failed:
            return None
        try:
            row = self._db.execute("SELECT listing, digest FROM snapshots WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error as exc:
            self._fail(exc)
            return None
        return None if row is None else (row[0], row[1])

    def put_snapshot(self, key: str, listing: str, texts: Sequence[str], relpaths: Sequence[str],
                     identities: bytes | bytearray, since: tuple[SnapshotRead, Collection[int]] | None = None
                     ) -> str | None:
        """Remember the record texts `texts` of a dataset whose files were `listing` (see `listing_digest`):
        their relative paths and identities (stat fields packed as dbom.sources.local packs them), so
        that a listing that changed in part still finds the records of the files that did not change.

        `since`: the snapshot the dataset's files were looked up in, when `relpaths` are its paths in its
        order, and the indices of the files not taken unchanged from it: then only the files changed since
        its file was written are (dbom.fingerprint.snapshot_file.write_delta), while they are few.

        The file is written now, the row naming it on `flush` (until then the row, if any, names another
        and the file is no snapshot). A dataset too large (SNAPSHOT_MAX_CHARS) gets none: its files are
        looked up one by one. Returns the digest of the records stored, None if none.
        """
        if self.failed:
            return None
        path = snapshot_path(self.path.parent, key)
        if since is not None:
            changed = sorted({*since[0].changed, *since[1]})
            if len(changed) <= DELTA_MOST * len(texts):
                width = len(identities) // max(len(texts), 1)
                try:
                    digest = write_delta(path, listing, since[0].base, changed, [texts[i] for i in changed],
                                         b"".join([identities[width * i:width * (i + 1)] for i in changed]))
                except OSError as exc:
                    self._fail(exc)
                    return None
                self._pending_snapshots.append((key, listing, digest))
                return digest
        texts = list(texts)  # made once, when the texts are read from a snapshot as asked for
        if sum(map(len, texts)) + len(texts) + 1 > SNAPSHOT_MAX_CHARS:
            self._write(lambda: self._db.execute("DELETE FROM snapshots WHERE key = ?", (key,)))  # it'd be stale
            remove_snapshot(path)
            return None
        # one record a line (a record's JSON has no raw newline): the unchanged ones are reused as text
        records = "\n".join(texts).encode("utf-8", "surrogatepass")
        try:
            digest = write_snapshot(path, listing, records, orjson.dumps(list(relpaths)), identities)
        except OSError as exc:
            self._fail(exc)
            return None
        self._pending_snapshots.append((key, listing, digest))
        return digest

    def values_of(self, keys: Iterable[str]) -> dict[str, str]:
        """The record texts of those `keys` the cache holds (pending ones included): key -> record text."""
        wanted = list(dict.fromkeys(keys))
        pending = dict(self._pending)
        found = {key: pending[key] for key in wanted if key in pending}
        if self.failed:
            return found
        asked = [key for key in wanted if key not in found]
        try:
            found.update(_select(self._db, "key, value", asked))
        except sqlite3.Error as exc:
            self._fail(exc)
        return found

    @staticmethod
    def stored_values(path: Path, keys: list[str]) -> dict[str, str]:
        """The record texts of those `keys` the cache file at `path` holds, as written (not what a
        FingerprintCache has pending): for another process, which opens it read-only. sqlite3.Error when it
        cannot be read."""
        with _read_only(path) as db:
            return dict(_select(db, "key, value", keys))

    @staticmethod
    def stored_keys(path: Path, keys: list[str]) -> set[str]:
        """Which of `keys` the cache file at `path` holds, as written (`stored_values`, without their texts)."""
        with _read_only(path) as db:
            return {key for key, in _select(db, "key", keys)}

    def entries_of(self, locations: Iterable[str]) -> dict[str, str]:
        """The entries of the files at `locations` (absolute paths), whatever their stat: key -> record text.

        One range query a file: for the few files a dataset's snapshot does not cover.
        """
        if self.failed:
            return {}
        found: dict[str, str] = {}
        try:
            for location in locations:
                found.update(self._db.execute("SELECT key, value FROM entries WHERE key >= ? AND key < ?",
                                              (location + "\0", location + "\1")))
        except sqlite3.Error as exc:
            self._fail(exc)
            return {}
        return found

    def discard(self, keys: Iterable[str]) -> None:
        """Forget the entries of `keys` (superseded ones: the file changed since); pending entries are flushed first."""
        self.flush()
        self._write(lambda: self._db.executemany("DELETE FROM entries WHERE key = ?", ((k,) for k in keys)))

    def flush(self) -> None:
        """Write pending entries in one transaction."""
        self._last_flush = time.monotonic()
        if self._pending or self._pending_snapshots:
            def write() -> None:
                self._db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?)", self._pending)
                self._db.executemany("INSERT OR REPLACE INTO snapshots VALUES (?, ?, ?)", self._pending_snapshots)

            self._write(write)
            self._pending.clear()
            self._pending_snapshots.clear()

    def _write(self, action: Callable[[], object]) -> None:
        """Run `action` in one transaction, unless the cache has failed; a failure is told once, then ignored."""
        if self.failed:
            return
        try:
            with self._db:
                action()
        except sqlite3.Error as exc:
            self._fail(exc)

    def close(self) -> None:
        """Flush and close the database."""
        self.flush()
        with contextlib.suppress(sqlite3.Error):
            self._db.close()


def _read_only(path: Path) -> contextlib.closing[sqlite3.Connection]:
    """A connection of its own to the cache file at `path` that cannot write, closed when the `with` ends."""
    return contextlib.closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True))


def _select(db: sqlite3.Connection, columns: str, keys: list[str]) -> Iterator[Any]:
    for start in range(0, len(keys), 500):  # below SQLite's limit on a statement's parameters
        part = keys[start:start + 500]
        yield from db.execute(f"SELECT {columns} FROM entries WHERE key IN ({','.join('?' * len(part))})", part)


def _drop_older_formats(directory: Path) -> None:
    """Remove the databases of older cache formats: never read again, and gigabytes at 10^6 files."""
    for version in range(1, CACHE_FORMAT):
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                (directory / f"fingerprints-v{version}.sqlite{suffix}").unlink()


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return f"{exc.strerror or exc}"
    return " ".join(str(exc).split()) or type(exc).__name__


def listing_digest(relpaths: Sequence[str], packed: bytes) -> str:
    """XXH3-128 of a dataset's listing: each file's relative path and its stat fields, packed
    (dbom.sources.local.STAT_PACKING), in order.

    Two listings of one root have the same digest iff every file's key is the same.
    """
    digest = xxhash.xxh3_128("\0".join(relpaths).encode("utf-8", "surrogateescape"))
    digest.update(packed)
    return digest.hexdigest()


def _loads_or_none(text: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return None


def superseded(stored: Iterable[str], changed: dict[str, str]) -> list[str]:
    """The keys in `stored` made stale by `changed` ({path: its new key}): same path and digest set, other stat.

    Entries of the same file under another digest set are kept (another scan may still ask for them).
    """
    stale = []
    for key in stored:
        path, _, rest = key.partition("\0")
        new = changed.get(path)
        if new is not None and key != new and rest.split("\0", 5)[-1] == new.partition("\0")[2].split("\0", 5)[-1]:
            stale.append(key)
    return stale
