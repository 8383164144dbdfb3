"""The incremental cache: a file whose path, size, mtime, ctime and inode are unchanged is not read again.

Entries live in one SQLite file under the user's cache directory (`DBOM_CACHE_DIR` overrides
it). A value is the JSON of what scanning the file produced, keyed also on the digest set
asked for, so `--hash none` and `--hash sha256` never share an answer.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from typing import Any

# Bump when the cached record's shape or meaning changes; old rows are then ignored.
CACHE_FORMAT = 1


def default_cache_dir() -> Path:
    """The directory holding the cache: $DBOM_CACHE_DIR, else the platform's user cache dir."""
    override = os.environ.get("DBOM_CACHE_DIR")
    if override:
        return Path(override)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("dbom", appauthor=False))


class FingerprintCache:
    """A persistent map from a file's identity (path and stat) to its scan record."""

    def __init__(self, directory: Path | None = None) -> None:
        directory = directory or default_cache_dir()
        directory.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(directory / f"fingerprints-v{CACHE_FORMAT}.sqlite", check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID"
        )
        self._pending: list[tuple[str, str]] = []

    @staticmethod
    def key(path: Path, stat: os.stat_result, algorithms: tuple[str, ...], records_digest: bool = False) -> str:
        """The cache key of a file: absolute path, size, mtime, ctime, inode, device and digest set.

        A scan with records digests (`records_digest`) has keys of its own: its records carry a
        digest that a scan without must not write, and the other way round.
        """
        return "\0".join((
            str(path), str(stat.st_size), str(stat.st_mtime_ns), str(stat.st_ctime_ns),
            str(stat.st_ino), str(stat.st_dev), ",".join(sorted(algorithms)),
            *(("records-digest",) if records_digest else ()),
        ))

    def get(self, key: str) -> dict[str, Any] | None:
        """The cached record for `key`, or None."""
        row = self._db.execute("SELECT value FROM entries WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, key: str, record: dict[str, Any]) -> None:
        """Remember `record` for `key`; written on `flush`."""
        self._pending.append((key, json.dumps(record, separators=(",", ":"))))
        if len(self._pending) >= 5000:
            self.flush()

    def flush(self) -> None:
        """Write pending entries in one transaction."""
        if self._pending:
            with self._db:
                self._db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?)", self._pending)
            self._pending.clear()

    def close(self) -> None:
        """Flush and close the database."""
        self.flush()
        self._db.close()
