"""Scan one dataset that lives under a URL: list its objects, read each once, describe it like a local one.

Every object is read once, streaming: the digests are computed on the way, and a shard whose
format needs its bytes is spooled to a temporary file that the local format readers inspect, then
deleted. Cards and license files are kept in a temporary root for the card and license readers.
With `trust_store_checksums`, an object whose store holds a SHA-256 of its whole content is not
read for its digest: a Parquet shard's records and schema then come from its footer by range
reads, and other shards go uncounted (the summary says so).

The per-object results are cached under the object's URL, version identity and size, so an
unchanged remote corpus is described again from its listing alone.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from dbom.errors import DbomError, FormatError
from dbom.fingerprint.hashing import HEAD_BYTES, DigestSet
from dbom.manifest import DatasetEntry
from dbom.model import HASH_SOURCE_COMPUTED, HASH_SOURCE_STORE, Dataset, DocFile, Shard
from dbom.profile.dataset_profile import PROFILE_KEY, profiled_shards
from dbom.provenance import DatasetProvenance
from dbom.scanning.cache import from_record, to_record
from dbom.scanning.catalog import doc_kind
from dbom.scanning.reading import MadeProfile
from dbom.sources.globs import selected
from dbom.sources.remote import (
    IN_FLIGHT,
    RemoteObject,
    RemoteRoot,
    current,
    filesystem,
    list_objects,
    object_url,
    open_object,
    read_through,
    remote_errors,
    resolve_hub,
    retrying,
)

if TYPE_CHECKING:
    from dbom.fingerprint.cache import FingerprintCache
    from dbom.fingerprint.inspect_pool import Inspector
    from dbom.scanning.scanner import ScanOptions, ScanStats

# A read whose object changed under it (no version to pin it to) is tried this many times.
READ_ATTEMPTS = 3


def scan_remote_dataset(entry: DatasetEntry, root: RemoteRoot, options: ScanOptions, cache: FingerprintCache | None,
                        inspector: Any, stats: ScanStats) -> Dataset:
    """The dataset `entry` read from the remote `root` (see the module's docstring)."""
    from dbom.scanning.scanner import finish_dataset

    fs = filesystem(root)
    if root.hub is not None:
        root = resolve_hub(root, fs)
    trust = options.trust_store_checksums
    objects = list_objects(root, fs, store_checksums=trust)
    jobs = [(obj, doc_kind(obj.relpath)) for obj in objects]
    jobs = [(obj, kind) for obj, kind in jobs
            if kind is not None or not (entry.include or entry.exclude) or selected(obj.relpath, entry.include,
                                                                                      entry.exclude)]
    options.progress.start_dataset(entry.name, len(jobs), sum(obj.size for obj, _ in jobs))
    algorithms = tuple(sorted(options.hashes))
    tail = f"\0{','.join(algorithms)}\0{int(options.records_digest)}\0{int(trust)}"
    keys = [f"remote\0{object_url(root, obj)}\0{obj.identity}{tail}" for obj, _ in jobs]
    known: dict[str, str] = cache.under(f"remote\0{root.url.rstrip('/')}") if cache is not None else {}
    profiler = _profiler(entry, options, jobs)
    profiles_known: Container[str] = cache.under(PROFILE_KEY) if cache is not None and profiler is not None else ()
    workdir = Path(tempfile.mkdtemp(prefix="dbom-remote-"))
    try:
        results: list[Shard | DocFile | None] = [None] * len(jobs)
        todo = []
        schemas: dict[str, Any] = {}
        for index, ((obj, kind), key) in enumerate(zip(jobs, keys, strict=True)):
            text = known.get(key)
            if text is not None and kind is None:  # documents are fetched again: the card readers need their text
                try:
                    result = from_record(obj.relpath, cache.decode([text])[0], schemas)  # type: ignore[union-attr]
                except (LookupError, TypeError, ValueError):
                    result = None
                # a shard whose profile is not cached is read again: its file is not kept for the profile
                if result is not None and (profiler is None or not isinstance(result, Shard) or result.error
                                           or profiler.key(result) in profiles_known
                                           or not profiled_shards([result])):
                    results[index] = result
                    stats.cache_hits += 1
                    options.progress.advance(obj.size)
                    continue
            todo.append(index)
        settings = ReadSettings(algorithms, options.keep_going, options.records_digest, trust)
        reader = _ObjectReader(root, fs, settings, inspector.get(), workdir, profiler)
        from dbom.fingerprint.executor import ordered_map

        def done(index: int, result: Shard | DocFile, fetched: int) -> None:
            results[index] = result
            stats.files_read += 1
            stats.bytes_read += fetched
            options.progress.advance(jobs[index][0].size)
            if cache is not None and not (isinstance(result, Shard) and result.error):
                cache.put(keys[index], to_record(result))

        if inspector.ray is not None:  # the shards on the cluster; the documents here, where their text is read
            todo = _on_ray(inspector.ray, root, settings, jobs, todo, stats, reader, done)
        for index, result in zip(todo, ordered_map(lambda i: reader.read(*jobs[i]), todo, IN_FLIGHT), strict=True):
            done(index, result, reader.bytes_read.pop(jobs[index][0].relpath, 0))
        provenance = DatasetProvenance(hub=_blobs(root, objects))
        located = entry if entry.location or root.hub is not None else replace(entry, location=root.url)
        uncounted = sum(1 for r in results if isinstance(r, Shard) and r.hash_source == HASH_SOURCE_STORE
                        and r.records is None and not r.error)
        if uncounted:
            options.warn(f"{entry.name}: {uncounted} shard{'s' * (uncounted != 1)} not counted: with "
                         "--trust-store-checksums only Parquet footers are read, and other formats need their bytes")
        dataset = finish_dataset(located, workdir, options, provenance, results, cache=cache,
                                 profiled=(profiler, reader.profiles) if profiler is not None else None)
        return replace(dataset, url=root.url, hub_ref=root.ref)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _profiler(entry: DatasetEntry, options: ScanOptions, jobs: Sequence[tuple[RemoteObject, str | None]]) -> Any:
    """The DatasetProfiler of a remote dataset, whose shards are profiled as they are fetched (None: off). Its
    sample's rate comes from the listed sizes of the objects named as profiled formats (known before any read)."""
    from dbom.scanning.scanner import dataset_profiler

    if options.profile == "off":
        return None
    from dbom.profile.dataset_profile import profiled_bytes

    return dataset_profiler(entry, options, profiled_bytes((obj.relpath, obj.size) for obj, kind in jobs if not kind))


def _blobs(root: RemoteRoot, objects: Sequence[RemoteObject]) -> Any:
    if root.hub is None:
        return None
    return replace(root.hub, blobs=tuple((o.relpath, o.store_sha256 or o.blob_id) for o in objects
                                         if o.store_sha256 or o.blob_id))


@dataclass(frozen=True)
class ReadSettings:
    """What reading an object depends on, of a scan's options (sent to Ray workers with the objects)."""

    algorithms: tuple[str, ...]
    keep_going: bool
    records_digest: bool
    trust_store_checksums: bool


def _on_ray(ray: Any, root: RemoteRoot, settings: ReadSettings, jobs: Sequence[tuple[RemoteObject, str | None]],
            todo: list[int], stats: ScanStats, reader: _ObjectReader,
            done: Callable[[int, Shard | DocFile, int], None]) -> list[int]:
    """Read the shards of `todo` on the Ray cluster, handing each to `done`; the rest of `todo`: the
    documents, and the shards with a per-record license column, whose counting (by the driver, from
    the file) needs them fetched here."""
    from dbom.licensing.record_licenses import license_column

    shards = [index for index in todo if jobs[index][1] is None]
    if not shards:
        return todo
    stats.workers = ray.connect().workers
    left = [index for index in todo if jobs[index][1] is not None]
    profiler = reader.profiler
    found = ray.ordered_map(read_remote_batch, [(root, settings, jobs[index][0], profiler) for index in shards],
                            [jobs[index][0].size for index in shards])
    for index, (result, fetched, made) in zip(shards, found, strict=True):
        if isinstance(result, Shard) and result.columns and license_column(result.columns) is not None \
                and not result.error:
            left.append(index)  # fetched again below, into the driver's folder
            continue
        if made is not None and isinstance(result, Shard):
            reader.profiles[profiler.key(result)] = (
                made.text if made.error is None else DbomError(object_url(root, jobs[index][0]), made.error))
        done(index, result, fetched)
    return sorted(left)


def read_remote_batch(batch: list[tuple[RemoteRoot, ReadSettings, RemoteObject, Any]]
                      ) -> list[tuple[Shard | DocFile, int, MadeProfile | None]]:
    """A Ray task's work: each object of `batch` read as the driver would, with the bytes fetched for it and,
    when a DatasetProfiler comes with it, the shard's profile made while its file was here (as JSON text, or
    why it is left out)."""
    import orjson

    from dbom.fingerprint.inspect_pool import Inspector

    inspector = Inspector(1, processes=False)
    readers: dict[tuple[str, int], _ObjectReader] = {}
    workdir = Path(tempfile.mkdtemp(prefix="dbom-remote-"))
    try:
        results: list[tuple[Shard | DocFile, int, MadeProfile | None]] = []
        for root, settings, obj, profiler in batch:  # one profiler object per dataset (pickled once a batch)
            reader = readers.get((root.url, id(profiler)))
            if reader is None:
                reader = readers[(root.url, id(profiler))] = _ObjectReader(
                    root, filesystem(root), settings, inspector, workdir, profiler)
            result = reader.read(obj, None)
            made = None
            one = reader.profiles.pop(profiler.key(result), None) if isinstance(result, Shard) and profiler else None
            if isinstance(one, DbomError):
                made = MadeProfile(None, one.cause)
            elif one is not None:
                made = MadeProfile(orjson.dumps(one.to_json()).decode(), None)
            results.append((result, reader.bytes_read.pop(obj.relpath, 0), made))
        return results
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


class _ObjectReader:
    """Reads one object at a time per thread: digests, format, records; thread-safe."""

    def __init__(self, root: RemoteRoot, fs: Any, settings: ReadSettings, inspector: Inspector,
                 workdir: Path, profiler: Any = None) -> None:
        self.root, self.fs, self.algorithms, self.inspector = root, fs, settings.algorithms, inspector
        self.options, self.workdir = settings, workdir
        self.bytes_read: dict[str, int] = {}
        self.profiler = profiler  # a DatasetProfiler: each shard profiled while its file is here
        self.profiles: dict[str, Any] = {}  # its profile (or the DbomError that left it out) by key
        self.pinned = root.hub is not None  # a Hub path is pinned at its commit; S3 versions pin per object

    def read(self, obj: RemoteObject, kind: str | None) -> Shard | DocFile:
        """The shard or document `obj` is (DbomError, or the error recorded under --keep-going)."""
        from dbom.formats import detect

        url = object_url(self.root, obj)
        by_name = None if kind else detect(PurePosixPath(obj.relpath), b"")
        try:
            if by_name is not None and self.options.trust_store_checksums and obj.store_sha256:
                return self._described_by_store(obj, by_name, url)
            return self._read_whole(obj, kind, by_name is not None, url)
        except DbomError as exc:
            if not self.options.keep_going or kind is not None:
                raise
            return Shard(path=obj.relpath, bytes=obj.size, format=by_name.format if by_name else "unknown",
                         xxh3_128="", error=exc.cause, etag=obj.etag, version_id=obj.version_id)

    def _read_whole(self, obj: RemoteObject, kind: str | None, spool: bool, url: str) -> Shard | DocFile:
        from dbom.formats import detect

        keep = kind is not None or spool
        spooled = f".shard-{hashlib.sha1(url.encode()).hexdigest()}"  # a name no object's path can take
        target = self.workdir / (obj.relpath if kind is not None else spooled)
        for _attempt in range(READ_ATTEMPTS):
            digests, head, size = retrying(lambda: self._fetch(obj, url, target if keep else None))
            if self.pinned or obj.version_id or _same(obj, self._now(obj)):
                break
        else:
            raise DbomError(url, "changed while it was read")
        self.bytes_read[obj.relpath] = size
        xxh, sha, b3 = digests
        if kind is not None:
            return DocFile(path=obj.relpath, kind=kind, bytes=size, xxh3_128=xxh, sha256=sha)
        detected = detect(PurePosixPath(obj.relpath), head)
        if detected is None:
            return DocFile(path=obj.relpath, kind="other", bytes=size, xxh3_128=xxh, sha256=sha)
        shard = Shard(path=obj.relpath, bytes=size, format=detected.format, compression=detected.compression,
                      xxh3_128=xxh, sha256=sha, blake3=b3, etag=obj.etag, version_id=obj.version_id,
                      hash_source=HASH_SOURCE_COMPUTED)
        profiled = self.profiler is not None and bool(profiled_shards([shard]))
        inline = self.profiler.inline(shard) if profiled else None  # sampled as the inspection reads it
        try:
            found = self.inspector.inspect(target, detected, size, self.options.records_digest, None, inline)
        except DbomError as exc:
            target.unlink(missing_ok=True)
            cause = exc.cause.replace(str(target), obj.relpath)
            if not self.options.keep_going:
                raise DbomError(url, cause) from None
            return replace(shard, error=cause)
        shard = replace(shard, records=found.records, columns=found.columns, records_digest=found.records_digest,
                        uncompressed_bytes=found.uncompressed_bytes)
        if profiled:
            try:
                self.profiles[self.profiler.key(shard)] = self.profiler.profile_read(shard, target, found.profile)
            except DbomError as exc:
                self.profiles[self.profiler.key(shard)] = DbomError(url, exc.cause.replace(str(target), obj.relpath))
        self._settle(target, obj, shard)
        return shard

    def _settle(self, spooled: Path, obj: RemoteObject, shard: Shard) -> None:
        """Keep a spooled shard only when the per-record license reader will want it (a license column)."""
        from dbom.licensing.record_licenses import license_column

        if shard.columns and license_column(shard.columns) is not None:
            kept = self.workdir / obj.relpath
            kept.parent.mkdir(parents=True, exist_ok=True)
            spooled.replace(kept)
        else:
            spooled.unlink(missing_ok=True)

    def _fetch(self, obj: RemoteObject, url: str,
               target: Path | None) -> tuple[tuple[str, str | None, str | None], bytes, int]:
        digests = DigestSet(self.algorithms)
        head = bytearray()
        spool = None
        if target is not None:
            target.parent.mkdir(parents=True, exist_ok=True)
            spool = open(target, "wb")  # noqa: SIM115 (closed below, whatever happens)

        def sink(chunk: memoryview) -> None:
            if len(head) < HEAD_BYTES:
                head.extend(chunk[: HEAD_BYTES - len(head)])
            digests.update(chunk)
            if spool is not None:
                spool.write(chunk)

        try:
            with remote_errors(url), open_object(self.root, self.fs, obj) as source:
                size = read_through(source, sink)
        finally:
            if spool is not None:
                spool.close()
        if size != obj.size:
            raise DbomError(url, f"changed while it was read (listed {obj.size} bytes, read {size})")
        return digests.hexdigests(), bytes(head), size

    def _now(self, obj: RemoteObject) -> RemoteObject:
        return current(self.root, self.fs, obj)

    def _described_by_store(self, obj: RemoteObject, detected: Any, url: str) -> Shard:
        """A shard described without reading its content: the store's SHA-256, a Parquet footer by range reads."""
        shard = Shard(path=obj.relpath, bytes=obj.size, format=detected.format, compression=detected.compression,
                      xxh3_128="", sha256=obj.store_sha256, etag=obj.etag, version_id=obj.version_id,
                      hash_source=HASH_SOURCE_STORE)
        if detected.format != "parquet":
            return shard  # line-oriented and Arrow stream shards need their bytes to be counted
        from dbom.formats.parquet import inspect_parquet_source

        def footer() -> Any:
            with remote_errors(url), open_object(self.root, self.fs, obj, block_size=1 << 16) as source:
                found = inspect_parquet_source(source, url)
                self.bytes_read[obj.relpath] = _fetched(source)
                return found

        try:
            found = retrying(footer)
        except FormatError as exc:
            if not self.options.keep_going:
                raise DbomError(url, exc.cause) from None
            return replace(shard, error=exc.cause)
        return replace(shard, records=found.records, columns=found.columns)


def _fetched(source: Any) -> int:
    """Bytes an fsspec file fetched (its cache's count when it keeps one)."""
    cache = getattr(source, "cache", None)
    return int(getattr(cache, "total_requested_bytes", 0) or 0)


def _same(listed: RemoteObject, now: RemoteObject) -> bool:
    return (listed.etag, listed.size, listed.version_id) == (now.etag, now.size, now.version_id)
