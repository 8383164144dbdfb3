"""A dataset's scan results from and to the incremental cache (dbom.fingerprint.cache).

Two layers, with the same meaning:

- per file: an entry keyed on the file's path and stat; a changed file misses alone;
- per dataset, a snapshot: every file's record in one file (dbom.fingerprint.snapshot_file), valid
  while the listing (each file's path relative to the root and its stat, in walk order) is the one
  it was stored with. An unchanged dataset, the common case, is then one read and one decode instead
  of a lookup per file (on 20,000 files: about 7 ms to digest the listing against 30 ms of per-file
  keys). The snapshot also holds each file's path and identity (a digest of its key's stat fields): a dataset
  that changed in part takes the records of its unchanged files from there, and looks up only
  the others one by one (so a rescan with 1% of 10^6 files changed costs about the 1%).

A record is a JSON array: a tag ("shard" or "doc"), then the result's fields in the order of its
dataclass, path left out (it is the tag's place), a schema as JSON text. The order is taken from
the dataclass itself, so the model and the cache cannot drift apart; a record of another shape
(a damaged entry) is a miss.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import fields
from functools import cached_property
from pathlib import Path
from typing import Any, overload

import orjson

from dbom.fingerprint.cache import FingerprintCache, SnapshotRow, listing_digest, superseded
from dbom.fingerprint.snapshot_file import SnapshotRead, read_snapshot, same_rows, snapshot_path
from dbom.formats.base import schema_text
from dbom.model import Column, DocFile, Shard, ShardSummary
from dbom.scanning.snapshot_lines import SnapshotLink
from dbom.sources.local import STAT_BYTES, Listing

_SHARD_FIELDS = tuple(f.name for f in fields(Shard))
_DOC_FIELDS = tuple(f.name for f in fields(DocFile))
assert _SHARD_FIELDS[0] == _DOC_FIELDS[0] == "path"
_COLUMNS = _SHARD_FIELDS.index("columns")  # the same index in a record: the tag takes the path's place
_SHARD_TAG = "shard"
_DOC_TAG = "doc"


def to_record(result: Shard | DocFile) -> list[Any]:
    """The cache's record of a scan result."""
    if isinstance(result, DocFile):
        return [_DOC_TAG, *(getattr(result, name) for name in _DOC_FIELDS[1:])]
    record = [_SHARD_TAG, *(getattr(result, name) for name in _SHARD_FIELDS[1:])]
    if result.columns is not None:  # as text, so that the shards of one schema decode it once
        record[_COLUMNS] = schema_text(result.columns)
    return record


def from_record(relpath: str, record: list[Any], schemas: dict[str, tuple[Column, ...]]) -> Shard | DocFile:
    """The result `record` (from `to_record`) stands for, at `relpath`; `schemas` memoises decoded schemas.

    Raises LookupError, TypeError or ValueError for a record of another shape. `record` is reused.
    """
    tag = record[0]
    record[0] = relpath
    if tag == _SHARD_TAG:
        text = record[_COLUMNS]
        if text is not None:
            columns = schemas.get(text)
            if columns is None:
                columns = schemas[text] = tuple(Column(name, kind) for name, kind in json.loads(text))
            record[_COLUMNS] = columns
        return Shard(*record)
    if tag == _DOC_TAG:
        return DocFile(*record)
    raise ValueError(f"unknown record tag {tag!r}")


def _equal_records(a: bytes | memoryview, b: bytes | bytearray) -> Any:
    """The indices of the STAT_BYTES-byte records that `a` and `b` (the same length) hold equal (numpy)."""
    import numpy as np

    return np.flatnonzero(same_rows(a, b, STAT_BYTES))


# Up to this many per-file entries looked up, `close` asks the file system whether their files are still there.
FEW_ENTRIES = 50_000


def _zero_bytes(flags: bytearray) -> list[int]:
    """The indices of the zero bytes of `flags` (numpy)."""
    import numpy as np

    return np.flatnonzero(np.frombuffer(bytes(flags), dtype=np.uint8) == 0).tolist()


class _KeptTexts:
    """Each file's record text, for a dataset whose snapshot holds most of them unchanged (same files, same
    order): those are read from the snapshot when asked for, the others (None until known) are held here.
    Indexed as a list of the texts is; 10^6 strings are made only if every text is asked for."""

    def __init__(self, snapshot: SnapshotRead, changed: list[int]) -> None:
        self._snapshot = snapshot
        self._own: dict[int, str | None] = dict.fromkeys(changed)

    def __len__(self) -> int:
        return len(self._snapshot)

    def __getitem__(self, index: int) -> str | None:
        if index in self._own:
            return self._own[index]
        return self._snapshot.line(index)

    def __setitem__(self, index: int, text: str | None) -> None:
        self._own[index] = text

    def __iter__(self) -> Iterator[str | None]:
        lines: list[str | None] = list(self._snapshot.lines)
        for index, text in self._own.items():
            lines[index] = text
        return iter(lines)

    def missing(self) -> list[int]:
        """The indices whose text is not known, in order."""
        return sorted(index for index, text in self._own.items() if text is None)


def _missing(texts: list[str | None] | _KeptTexts) -> list[int]:
    """The indices of `texts` not known (None), in order."""
    if isinstance(texts, _KeptTexts):
        return texts.missing()
    return [index for index, text in enumerate(texts) if text is None]


def key_prefix(root: Path) -> str:
    """The start of the cache keys of every file a walk of `root` yields (see dbom.sources.local)."""
    text = str(root)
    if root.is_dir():
        return text.rstrip(os.sep) + os.sep
    return text + "\0"  # a one-file dataset: the keys of that file


class DatasetCache:
    """The cache as one dataset's scan sees it: `lookup` first, `remember` each file read, then `close`."""

    def __init__(self, cache: FingerprintCache, root: Path, listing: Listing, selected: Sequence[int],
                 algorithms: tuple[str, ...], records_digest: bool,
                 selection: tuple[tuple[str, ...], tuple[str, ...]], whole: str | None = None) -> None:
        """The cache of the files `selected` (indices) of the walk `listing` of `root`; `whole` is the
        listing's digest (`whole_listing_digest`), when already computed."""
        self._cache = cache
        self._prefix = key_prefix(root)
        self._walk = listing
        self._selected = selected
        every = len(selected) == len(listing)  # every file selected: the walk's lists, not copies (never changed)
        self._relpaths = listing.relpaths if every else [listing.relpaths[i] for i in selected]
        self._algorithms = algorithms
        self._records_digest = records_digest
        self._snapshot_key = snapshot_key(cache, root, algorithms, records_digest, selection)
        packed = listing.packed
        self._packed = packed if every else b"".join(
            [packed[i * STAT_BYTES:(i + 1) * STAT_BYTES] for i in selected])
        self._listing = whole or whole_listing_digest(listing)
        self.records_digest: str | None = None  # of the snapshot's records, once it is known whole (`link`)
        # each file's record text, for the snapshot
        self._texts: list[str | None] | _KeptTexts = [None] * len(self._relpaths)
        self._keys: dict[int, str] = {}  # the cache key of each file looked up one by one (and read)
        self._stored: dict[str, str] = {}
        self._changed: dict[str, str] = {}
        self._from_snapshot = False
        self._same_order = False  # the snapshot looked at has these paths, in this order
        # the snapshot a partial rescan took its unchanged files from, when its paths are these in this order,
        # and whether each file was taken from it unchanged (1) or not (0): its next snapshot is a delta
        self._since: tuple[Any, bytearray] | None = None
        self._gone: list[str] = []  # relative paths in the snapshot that the listing no longer has
        self._closed = False

    @property
    def snapshot_key(self) -> str:
        """The key of the dataset's snapshot."""
        return self._snapshot_key

    @property
    def database(self) -> Path:
        """The cache's database file."""
        return self._cache.path

    @property
    def fingerprints(self) -> FingerprintCache:
        """The whole cache this dataset's view is of (its other entries: the shards' profiles)."""
        return self._cache

    def snapshot_row(self) -> SnapshotRow | None:
        """The dataset's snapshot as stored (see FingerprintCache.snapshot), or None."""
        return self._cache.snapshot(self._snapshot_key)

    def lines_path(self) -> Path:
        """Where the lines of the dataset's snapshot are kept."""
        return lines_path(self._cache, self._snapshot_key)

    def fill(self, results: list[Shard | DocFile | None]) -> None:
        """Put in `results` the result of each file whose record text is known but not decoded yet."""
        todo = [index for index, result in enumerate(results) if result is None and self._texts[index] is not None]
        schemas: dict[str, tuple[Column, ...]] = {}
        for index, record in zip(todo, self._cache.decode([self._texts[i] for i in todo]), strict=True):
            try:
                results[index] = from_record(self._relpaths[index], record, schemas)
            except (LookupError, TypeError, ValueError):
                continue

    def lookup(self) -> list[Shard | DocFile | None]:
        """Each file's result as the cache has it, None for the files to read."""
        row = self._cache.snapshot(self._snapshot_key)
        found = self._from_snapshot_row(row)
        if found is not None:
            self._from_snapshot = True
            return found
        results: list[Shard | DocFile | None] = [None] * len(self._relpaths)
        schemas: dict[str, tuple[Column, ...]] = {}
        reused = self._from_snapshot_files(row, results, schemas) if row is not None else 0
        missing = [index for index, result in enumerate(results) if result is None]
        few = bool(reused) and len(missing) * 4 < len(results)
        for index, result in self._look_up_files(missing, few, schemas).items():
            results[index] = result
        return results

    def _look_up_files(self, missing: list[int], few: bool, schemas: dict[str, tuple[Column, ...]]
                       ) -> dict[int, Shard | DocFile]:
        """The results the per-file entries hold of the files `missing` (indices); `few`: look them up one
        by one rather than the whole dataset's entries at once."""
        key_of = self._cache.key_function(self._algorithms, self._records_digest)
        self._keys = {i: key_of(self._location(i), self._walk.stat(self._selected[i])) for i in missing}
        if few:  # a few files changed: look up just those
            # and the entries of files gone since, so that `close` drops them
            gone = [self._prefix + path for path in self._gone] if self._prefix.endswith(os.sep) else []
            self._stored = stored = self._cache.entries_of([*(self._location(i) for i in missing), *gone])
        else:
            self._stored = stored = self._cache.under(self._prefix)  # one query for the whole dataset
        for index in missing:
            self._texts[index] = stored.get(self._keys[index])
        hits = [index for index in missing if self._texts[index] is not None]
        found: dict[int, Shard | DocFile] = {}
        for index, record in zip(hits, self._cache.decode([self._texts[i] for i in hits]), strict=True):
            try:
                found[index] = from_record(self._relpaths[index], record, schemas)
            except (LookupError, TypeError, ValueError):
                self._texts[index] = None
        return found

    def lookup_changed(self, row: SnapshotRow, most: float
                       ) -> tuple[dict[int, Shard | DocFile], list[int], list[Shard | DocFile]] | None:
        """For a dataset that changed in part since its snapshot `row`: take the record texts of the files
        it holds unchanged without decoding them, and look up the others. Returns (the results found of
        the others, by index; the indices of those still to read; the snapshot's results of its files
        that are gone or changed), or None when over a fraction `most` of the files changed (or the row
        does not fit): the caller then takes the whole path (`lookup`)."""
        snapshot = row[1]
        if self._texts.count(None) == len(self._texts) and self._same_paths(snapshot.paths_json):
            if not len(snapshot) == len(self._relpaths) == snapshot.identities_bytes // STAT_BYTES:
                return None
            paths: list[Any] = self._relpaths
            kept_old, unchanged = self._unchanged_in_order(snapshot)
            line = snapshot.line
        else:
            identities = snapshot.identities
            paths = self._cache.decode_array(snapshot.paths)
            texts = snapshot.lines
            if not isinstance(paths, list) or not (len(paths) == len(texts) == len(identities) // STAT_BYTES):
                return None
            pairs = self._unchanged_pairs(paths, identities)
            kept_old, unchanged = bytearray(len(paths)), len(pairs)
            for index, old in pairs:
                self._texts[index] = texts[old]
                kept_old[old] = 1
            line = texts.__getitem__
        if len(self._relpaths) - unchanged > most * max(len(self._relpaths), 1):
            self._texts = [None] * len(self._relpaths)
            return None
        schemas: dict[str, tuple[Column, ...]] = {}
        dropped_at = _zero_bytes(kept_old) if unchanged < len(paths) else []
        dropped = []
        for old, record in zip(dropped_at, self._cache.decode([line(old) for old in dropped_at]), strict=True):
            try:
                dropped.append(from_record(paths[old], record, schemas))
            except (LookupError, TypeError, ValueError):
                return None
        missing = _missing(self._texts)
        if self._same_order:
            # the files read go to the snapshot's delta only (`remember`): no per-file entry is looked up, written
            # or dropped, where 10^4 of them on pages of their own cost a 1% rescan of 10^6 files 0.4 s. An entry
            # can only hold a changed file's new stat if a scan wrote one since the change: these scans write none.
            self._since = (snapshot, kept_old)
            return {}, missing, dropped
        found = self._look_up_files(missing, True, schemas)
        return found, [index for index in missing if index not in found], dropped

    def _same_paths(self, paths: bytes | memoryview) -> bool:
        """Whether the snapshot's paths (`paths`, their JSON text) are the files now, in the same order: told
        from the text, without decoding 10^6 strings."""
        try:
            return orjson.dumps(self._relpaths) == paths
        except TypeError:  # not UTF-8: the snapshot's text is compared after decoding
            return False

    def _unchanged_in_order(self, snapshot: SnapshotRead) -> tuple[bytearray, int]:
        """For a snapshot of the same files in the same order: take the record texts of those whose identity
        is the same; (a byte a file, 1 where it is unchanged; how many are)."""
        import numpy as np

        self._same_order = True
        kept = snapshot.same_identities(self._packed, STAT_BYTES).astype(np.uint8)
        self._texts = _KeptTexts(snapshot, np.flatnonzero(kept == 0).tolist())
        return bytearray(kept.tobytes()), int(kept.sum())

    def _unchanged_pairs(self, paths: list[Any], identities: bytes | memoryview) -> list[tuple[int, int]]:
        """(index now, index in the snapshot) of each file whose path and identity the snapshot holds."""
        self._same_order = paths == self._relpaths
        if self._same_order:  # the same files in the same order: their stats compared at once
            return [(index, index) for index in _equal_records(identities, self._packed).tolist()]
        where = {path: index for index, path in enumerate(paths) if isinstance(path, str)}
        current = set(self._relpaths)
        self._gone = [path for path in where if path not in current]
        now, width = self._packed, STAT_BYTES
        pairs = []
        for index, relpath in enumerate(self._relpaths):
            old = where.get(relpath)
            if old is None:
                continue
            if identities[width * old:width * (old + 1)] == now[width * index:width * (index + 1)]:
                pairs.append((index, old))
        return pairs

    def _from_snapshot_files(self, row: SnapshotRow, results: list[Shard | DocFile | None],
                             schemas: dict[str, tuple[Column, ...]]) -> int:
        """Fill `results` (and the record texts) of the files whose path and identity the snapshot `row`
        holds unchanged; the number found."""
        paths = self._cache.decode_array(row[1].paths)
        texts = row[1].lines
        records = self._cache.decode(texts)
        identities = row[1].identities
        if not isinstance(paths, list) or not (len(paths) == len(records) == len(identities) // STAT_BYTES):
            return 0
        pairs = self._unchanged_pairs(paths, identities)
        found = 0
        relpaths, texts_now = self._relpaths, self._texts
        for index, old in pairs:
            try:
                results[index] = from_record(relpaths[index], records[old], schemas)
            except (LookupError, TypeError, ValueError):
                continue
            texts_now[index] = texts[old]
            found += 1
        return found

    def _location(self, index: int) -> str:
        return self._walk.location(self._selected[index])

    def remember(self, index: int, result: Shard | DocFile) -> None:
        """Store the result of file `index`, just read."""
        if self._since is not None:  # for the snapshot's delta (`close`), as the rest of a partial rescan's
            self._texts[index] = self._cache.record_text(to_record(result))
            return
        key = self._keys[index]
        self._texts[index] = self._cache.put(key, to_record(result))
        self._changed[self._location(index)] = key

    def close(self, present: Callable[[], Collection[str]]) -> None:
        """Drop the entries the files read again have superseded, and those of files no longer there;
        store the dataset's snapshot when whole.

        `present` gives the paths of every file under the root now, selected or not (another dataset
        may share the root with other include globs); it is asked for only when many per-file entries
        were looked up (for a few, whether their files still exist is asked of the file system).
        """
        if self._closed:
            return
        self._closed = True
        stale: list[str] = superseded(self._stored, self._changed) if self._changed and self._stored else []
        if len(self._stored) > FEW_ENTRIES:
            there = present()
            stale += [key for key in self._stored if key.partition("\0")[0] not in there]
        elif self._stored:  # a few entries (a partial rescan): asking the file system beats listing every file
            stale += [key for key in self._stored if not os.path.lexists(key.partition("\0")[0])]
        if stale:
            self._cache.discard(stale)
        if not self._from_snapshot and not _missing(self._texts):
            since = None if self._since is None else (self._since[0], _zero_bytes(self._since[1]))
            self.records_digest = self._cache.put_snapshot(self._snapshot_key, self._listing,
                                                           self._texts,  # type: ignore[arg-type]
                                                           self._relpaths, self._packed, since)

    def link(self, prefix: str, profile_identity: str = "") -> SnapshotLink | None:
        """The link of the dataset to its snapshot's kept lines (`prefix`: the bom-ref prefix of its
        files; `profile_identity`: how its profile was made), when the snapshot holds it whole: after `close`."""
        if self.records_digest is None:
            return None
        return SnapshotLink(lines_path(self._cache, self._snapshot_key), self._listing, self.records_digest, prefix,
                            profile_identity)

    def _from_snapshot_row(self, row: SnapshotRow | None) -> list[Shard | DocFile | None] | None:
        if row is None or row[0] != self._listing:
            return None
        self.records_digest = row[2]
        text = row[1].records
        records = self._cache.decode_array("[" + text.replace("\n", ",") + "]") if text else []
        if not isinstance(records, list) or len(records) != len(self._relpaths):
            return None
        schemas: dict[str, tuple[Column, ...]] = {}
        try:
            return [from_record(relpath, record, schemas)
                    for relpath, record in zip(self._relpaths, records, strict=True)]
        except (LookupError, TypeError, ValueError):
            return None


def whole_listing_digest(listing: Listing) -> str:
    """The digest of a walk's every file (selected or not): path and stat. When a snapshot holds the same,
    every file and so the selection of them is unchanged."""
    return listing_digest(listing.relpaths, listing.packed)


def snapshot_key(cache: FingerprintCache, root: Path, algorithms: tuple[str, ...], records_digest: bool,
                 selection: tuple[tuple[str, ...], tuple[str, ...]]) -> str:
    """The key of the snapshot of the dataset at `root` scanned so."""
    return cache.snapshot_key(key_prefix(root), algorithms, records_digest, selection)


def lines_path(cache: FingerprintCache, key: str) -> Path:
    """Where the kept lines of the snapshot `key` are (dbom.scanning.snapshot_lines): one file a snapshot."""
    import xxhash

    return cache.path.parent / "lines" / f"{xxhash.xxh3_128_hexdigest(key.encode('utf-8', 'surrogateescape'))}.bin"


class SnapshotShards(Sequence[Shard]):
    """The shards of a dataset taken whole from its cache snapshot, sorted by path, made only when asked for.

    A scan whose DBOM part is copied (dbom.scanning.snapshot_lines) needs the shards' `summary` alone;
    the shards themselves are read from the snapshot on first use (from the Python API, say).
    """

    def __init__(self, database: Path, key: str, listing: str, records: str, summary: ShardSummary) -> None:
        self._database = database
        self._key = key
        self._listing = listing
        self._records = records
        self.summary = summary

    def __len__(self) -> int:
        return self.summary.shards

    @overload
    def __getitem__(self, index: int) -> Shard: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Shard]: ...

    def __getitem__(self, index: int | slice) -> Shard | Sequence[Shard]:
        return self._shards[index]

    def __iter__(self) -> Iterator[Shard]:
        return iter(self._shards)

    def __eq__(self, other: object) -> bool:
        """Equal to any sequence of the same shards (a scan that read them gives a tuple)."""
        if isinstance(other, SnapshotShards | tuple | list):
            return len(self) == len(other) and tuple(self) == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._shards)

    @cached_property
    def _shards(self) -> tuple[Shard, ...]:
        found = read_snapshot(snapshot_path(self._database.parent, self._key), self._listing, self._records)
        if found is None:
            raise RuntimeError("the scan cache changed under a scan that was reading it; scan again")
        paths = FingerprintCache.decode_array(found.paths)
        records = FingerprintCache.decode_array("[" + found.records.replace("\n", ",") + "]") if found.records else []
        if not isinstance(paths, list) or not isinstance(records, list):
            raise RuntimeError("the scan cache changed under a scan that was reading it; scan again")
        schemas: dict[str, tuple[Column, ...]] = {}
        results = (from_record(path, record, schemas) for path, record in zip(paths, records, strict=True))
        shards = tuple(sorted((r for r in results if isinstance(r, Shard)), key=lambda s: s.path))
        if len(shards) != self.summary.shards:
            raise RuntimeError("the scan cache changed under a scan that was reading it; scan again")
        return shards
