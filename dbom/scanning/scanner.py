"""Scan: turn dataset roots (and a manifest) into the internal model.

The stages, in order, per dataset: walk the root (sources.local), name what each file is
(catalog), fingerprint and inspect the files on a thread pool (fingerprint, formats), then
read the card and license files (licensing) and total it up. Nothing here writes CycloneDX.
"""

from __future__ import annotations

import gc
import hashlib
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from dbom import __version__
from dbom.cyclonedx.refs import file_ref
from dbom.errors import DbomError, ManifestError
from dbom.fingerprint.cache import FingerprintCache
from dbom.manifest import DatasetEntry, Manifest, load_manifest
from dbom.model import (
    HASH_BLAKE3,
    HASH_SHA256,
    HASH_XXH3,
    Dataset,
    Dbom,
    DocFile,
    License,
    LicenseShare,
    Shard,
)
from dbom.provenance import DatasetProvenance, dataset_provenance
from dbom.provenance.hub import snapshot_repo_name
from dbom.provenance.pipeline import link_ancestors, resolve_steps
from dbom.scanning.cache import DatasetCache, SnapshotShards, lines_path, snapshot_key, whole_listing_digest
from dbom.scanning.catalog import doc_kind
from dbom.scanning.dataset_docs import dataset_metadata
from dbom.scanning.reading import Job as _Job
from dbom.scanning.reading import MadeProfile, packed, read_batch, read_packed, scan_batch, scan_file
from dbom.scanning.reading import ReadResult as _ReadResult
from dbom.scanning.reading import Settings as _Settings
from dbom.scanning.reading import display as _display
from dbom.scanning.reading import new_job as _new_job
from dbom.scanning.snapshot_lines import SnapshotLink
from dbom.sources.globs import selected
from dbom.sources.local import Listing, walk
from dbom.sources.remote import parse_remote

if TYPE_CHECKING:  # the readers are imported when a file must be read: a cached scan needs none of them
    from dbom.fingerprint.batch_workers import BatchWorker
    from dbom.fingerprint.inspect_pool import Inspector
    from dbom.fingerprint.ray_executor import RaySession
    from dbom.profile.dataset_profile import ProfileSettings
    from dbom.profile.dataset_total import DatasetTotal
    from dbom.profile.fields import FieldSpec
    from dbom.scanning.read_ahead import ReadAhead

EXTRA_HASHES = (HASH_SHA256, HASH_BLAKE3)
T = TypeVar("T")


class ScanProgress:
    """Receives progress events; the CLI renders them as a progress bar. The default does nothing."""

    def start_dataset(self, name: str, files: int, total_bytes: int) -> None:
        """A dataset's files are known and about to be read."""

    def advance(self, nbytes: int) -> None:
        """`nbytes` more bytes are done: a file read, or the files found in the cache."""

    def finish(self) -> None:
        """The scan is over."""


@dataclass(frozen=True)
class ScanOptions:
    """How to scan: digests beyond XXH3, the cache, error handling and parallelism."""

    hashes: tuple[str, ...] = (HASH_SHA256,)
    use_cache: bool = True
    cache_dir: Path | None = None
    keep_going: bool = False
    jobs: int = 0  # 0: one per CPU
    model_name: str | None = None
    worker_processes: bool = False  # parse large JSONL/CSV in processes; needs a guarded __main__
    records_digest: bool = False  # read every record for its order-independent digest (dbom.formats.records_digest)
    # remote objects: take the store's own SHA-256 of a whole object instead of reading it (dbom.scanning.remote)
    trust_store_checksums: bool = False
    # who reads the files that must be read: "local" (thread and process pools) or "ray" (a Ray cluster:
    # `ray_address`, else RAY_ADDRESS, else a local instance started for the scan)
    executor: str = "local"
    ray_address: str | None = None
    # the content profile (dbom.profile): "off", "sample" or "exact", and the tokenizer file or model folder
    profile: str = "off"
    tokenizer: Path | Any = None  # a path, or a tokenizer object (tokenizers, or a transformers fast tokenizer)
    sme: bool = False  # the profile's domains: the top 5% (at most 1,000) instead of 10% (the manifest's model.sme)
    progress: ScanProgress = field(default_factory=ScanProgress)
    warn: Callable[[str], None] = lambda message: None


@dataclass
class ScanStats:
    """Figures for the closing summary."""

    seconds: float = 0.0
    files_read: int = 0
    bytes_read: int = 0
    cache_hits: int = 0
    read_ahead: int = 0  # of the files read, those read while the walk went on (dbom.scanning.read_ahead)
    executor: str = "local"
    workers: int = 0  # the Ray cluster's CPUs, with the ray executor


def source_date() -> str:
    """The DBOM's timestamp: $SOURCE_DATE_EPOCH when set (reproducible builds), else now; ISO 8601 UTC."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None:
        try:
            moment = datetime.fromtimestamp(int(epoch), tz=timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise DbomError("SOURCE_DATE_EPOCH", f"not a Unix time in seconds: {epoch!r}") from None
    else:
        moment = datetime.now(tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def scan(
    paths: Sequence[Path | str] = (),
    manifest: Path | Manifest | None = None,
    options: ScanOptions | None = None,
    stats: ScanStats | None = None,
) -> Dbom:
    """Scan the datasets named by `manifest` plus one dataset per path or URL in `paths`.

    Returns the internal model. Raises DbomError (one line: file and cause) on bad input,
    unless `options.keep_going`, which records broken shards with their error instead.
    """
    options = options or ScanOptions()
    stats = stats if stats is not None else ScanStats()
    started = time.perf_counter()
    loaded = load_manifest(manifest) if isinstance(manifest, Path) else (manifest or Manifest())
    if options.profile != "off":  # the manifest's tokenizer and SME status, unless given as options
        if options.tokenizer is None and loaded.model.get("tokenizer"):
            options = replace(options, tokenizer=Path(loaded.model["tokenizer"]))
        if loaded.model.get("sme") is True:
            options = replace(options, sme=True)
        if options.tokenizer is not None:  # loaded once for the whole scan
            options = replace(options, tokenizer=_token_counter(options.tokenizer))
    entries = list(loaded.datasets)
    declared = {entry.path.resolve() for entry in entries if entry.path is not None}
    declared_urls = {entry.url.rstrip("/") for entry in entries if entry.url}
    for given in paths:
        remote = parse_remote(str(given))
        if remote is not None:  # a URL: a remote dataset named after its last segment
            if remote.url.rstrip("/") not in declared_urls:
                entries.append(DatasetEntry(name=remote.name, url=remote.url))
        elif Path(given).resolve() not in declared:  # a manifest dataset's folder is that dataset
            entries.append(_entry_for_path(Path(given)))
    names = [e.name for e in entries]
    for name in names:
        if names.count(name) > 1:
            raise DbomError(name, "two datasets have this name; rename a folder or set `name:` in the manifest")
    for entry in entries:
        if entry.path is None and entry.url is None:
            raise ManifestError(str(loaded.source or "manifest"), f"dataset {entry.name!r} has no `path`")
    steps = resolve_steps(loaded)  # before the long part: a wrong code reference fails at once

    unknown = set(options.hashes) - set(EXTRA_HASHES)
    if unknown:
        raise DbomError(None, f"unknown hash algorithm {sorted(unknown)[0]!r}")
    if options.executor not in ("local", "ray"):
        raise DbomError(None, f"unknown executor {options.executor!r} (local or ray)")
    cache = _open_cache(options) if options.use_cache else None
    inspector = _Readers(options.jobs, options.worker_processes)
    stats.executor = options.executor
    if options.executor == "ray":
        from dbom.fingerprint.ray_executor import RaySession

        inspector.ray = RaySession(options.ray_address)  # connects on the first file to read: none on a cached scan
    if cache is None and options.executor == "local" and any(entry.path is not None for entry in entries):
        inspector.warm()  # every file will be read: a worker process starts during the walk (used or killed)
    failed = True
    try:
        datasets = tuple(
            _scan_dataset(entry, options, cache, inspector, stats)
            for entry in sorted(entries, key=lambda e: e.name)
        )
        failed = False
    finally:
        inspector.close(abort=failed)
        if cache is not None:
            cache.close()
        options.progress.finish()
    stats.seconds = time.perf_counter() - started
    return Dbom(
        model=loaded.model_info(options.model_name),
        datasets=link_ancestors(datasets, steps),
        steps=steps,
        dbom_license=loaded.dbom_license,
        timestamp=source_date(),
        tool_version=__version__,
        hash_algorithms=(HASH_XXH3, *sorted(options.hashes)),
    )


def _open_cache(options: ScanOptions) -> FingerprintCache | None:
    """The fingerprint cache; None, with a warning, when it cannot be used: a scan is never lost for its cache."""
    from dbom.fingerprint.cache import CacheUnavailable, default_cache_dir

    folder = options.cache_dir or default_cache_dir()

    def failed(reason: str) -> None:
        options.warn(f"{folder}: the cache cannot be written ({reason}); the scan goes on without it")

    try:
        return FingerprintCache(folder, on_failure=failed)
    except CacheUnavailable as exc:
        options.warn(f"{folder}: the cache cannot be used ({exc}); the scan goes on without it")
        return None


def _entry_for_path(path: Path) -> DatasetEntry:
    absolute = path.resolve() if path.exists() else path.absolute()
    name = snapshot_repo_name(absolute) or (absolute.name if absolute.is_dir() or not absolute.exists()
                                            else absolute.stem)
    _require_utf8(name, str(absolute))
    return DatasetEntry(name=name or "dataset", path=absolute)


def _profiles_read(profiler: Any, read: list[tuple[Shard, Any, _Job]], profiles: dict[str, Any]) -> None:
    """Into `profiles` (by key), the profile of each shard `read` from the lines sampled as it was read
    (`InlineProfile.result`): as JSON text (a shard's accumulator is a few kilobytes of objects, its JSON a
    few hundred bytes: 10^6 shards are held until the dataset's profile is made), or the DbomError that
    left it out of the profile. The text is a str: the bytes orjson returns keep its 8 KiB buffer. A shard whose
    key `profiles` holds already (its content's profile, cached) is not profiled again."""
    import orjson

    read = [item for item in read if profiler.key(item[0]) not in profiles]  # known: the content was profiled
    sampled = [(shard, lines) for shard, lines, _ in read if not isinstance(lines, str | MadeProfile)]
    made = iter(profiler.profile_sampled(sampled) if sampled else ())
    for shard, lines, job in read:
        if isinstance(lines, MadeProfile):  # made where the file was read
            profiles[profiler.key(shard)] = lines.text if lines.error is None else DbomError(job.display, lines.error)
            continue
        one = DbomError(job.display, lines) if isinstance(lines, str) else next(made)
        profiles[profiler.key(shard)] = (DbomError(job.display, one.cause) if isinstance(one, DbomError)
                                         else orjson.dumps(one.to_json()).decode())


def _scan_dataset(entry: DatasetEntry, options: ScanOptions, cache: FingerprintCache | None,
                  inspector: _Readers, stats: ScanStats) -> Dataset:
    if entry.url is not None:
        from dbom.scanning.remote import scan_remote_dataset

        root = parse_remote(entry.url)
        assert root is not None
        return scan_remote_dataset(entry, root, options, cache, inspector, stats)
    assert entry.path is not None
    root = entry.path
    provenance = dataset_provenance(root, lambda msg: options.warn(f"{entry.name}: {msg}"))
    with _collector_paused():  # many objects made here, all kept: a garbage collection would find nothing
        include, exclude = entry.include, entry.exclude
        left_out: list[str] = []  # the walk's warnings, recorded on the dataset

        def walk_warn(message: str) -> None:
            left_out.append(message)
            options.warn(f"{entry.name}/{message}")

        algorithms = tuple(sorted(options.hashes))
        ahead = (_read_ahead(entry, root, options, cache, inspector, algorithms)
                 if cache is not None and provenance.hub is None else None)
        walked = walk(root, walk_warn, provenance.link_roots, keep_going=options.keep_going, found_so_far=ahead)
        whole = None
        if cache is not None and provenance.hub is None:  # a hub snapshot's blobs are looked at shard by shard
            whole = whole_listing_digest(walked)
            unchanged = _unchanged_dataset(entry, root, options, provenance, cache, walked, whole, left_out)
            if unchanged is not None:
                if ahead is not None:
                    ahead.results()  # the workers left idle (a guess read ahead when the snapshot was stale)
                stats.cache_hits += len(walked)
                return unchanged
        picked, kinds = _selection(walked, include, exclude)
        total_bytes = walked.total_size(None if len(picked) == len(walked) else picked)
        profiles: dict[str, Any] = {}
        options.progress.start_dataset(entry.name, len(picked), total_bytes)

        made_sizes: list[list[int]] = []

        def picked_sizes() -> list[int]:
            """The size of each file selected, in order (made once, when needed: a patched rescan needs none)."""
            if not made_sizes:
                sizes = walked.sizes()
                made_sizes.append(sizes if len(picked) == len(sizes) else [sizes[i] for i in picked])
            return made_sizes[0]

        def profiler_of_every_file() -> Any:
            """The dataset's DatasetProfiler, its rate set from every file's name and size (None when off)."""
            if options.profile == "off":
                return None
            from dbom.profile.dataset_profile import profiled_bytes

            relpaths = walked.relpaths
            return dataset_profiler(entry, options, profiled_bytes(
                (relpaths[index], size) for n, (index, size) in enumerate(zip(picked, picked_sizes(), strict=True))
                if kinds[n] is None))

        known: DatasetCache | None = None
        found: list[Shard | DocFile | None] | None = None
        profiler = None
        if cache is None:
            results: list[Shard | DocFile | None] = [None] * len(picked)
        else:
            known = DatasetCache(cache, root, walked, picked, algorithms, options.records_digest, (include, exclude),
                                 whole)
            patched, profiler = _patched_dataset(entry, root, options, provenance, known, walked, picked, kinds,
                                                 left_out, inspector, stats, total_bytes, profiler_of_every_file,
                                                 profiles, ahead)
            if isinstance(patched, Dataset):
                if ahead is not None:
                    ahead.results()  # the workers left idle (nothing was read: the guesses were not needed)
                return patched
            found = patched
            if found is None:
                results = known.lookup()
                options.progress.advance(sum(size for size, result in zip(picked_sizes(), results, strict=True)
                                             if result))
            else:
                results = found
        if profiler is None:
            profiler = profiler_of_every_file()
        # a job (its LocalFile, its stat unpacked) only for each file to read
        todo = [] if found is not None else _jobs(walked, picked, kinds,
                                                  [index for index, result in enumerate(results) if result is None])
        stats.cache_hits += len(picked) - len(todo) if found is None else 0
    if todo:
        _read(todo, results, algorithms, inspector, options, stats, known, profiler, profiles, ahead=ahead)
    elif ahead is not None:
        ahead.results()  # the workers left idle
    link = None
    if known is not None:
        known.close(lambda: {walked.location(i) for i in range(len(walked))})
        link = known.link(file_ref(entry.name, ""), _profile_identity(entry, options))
    return finish_dataset(entry, root, options, provenance, results, left_out, cache, link,
                          (profiler, profiles) if profiler is not None else None)


def _unchanged_dataset(entry: DatasetEntry, root: Path, options: ScanOptions, provenance: DatasetProvenance,
                       cache: FingerprintCache, walked: Listing, whole: str, left_out: Sequence[str]) -> Dataset | None:
    """The dataset as its snapshot has it, when none of its files changed and the lines of its file
    components were kept by the last write (dbom.scanning.snapshot_lines): no shard is decoded or made.

    None when the dataset must be looked at file by file.
    """
    key = snapshot_key(cache, root, tuple(sorted(options.hashes)), options.records_digest,
                       (entry.include, entry.exclude))
    head = cache.snapshot_head(key)
    if head is None or head[0] != whole:
        return None
    link = SnapshotLink(lines_path(cache, key), whole, head[1], file_ref(entry.name, ""))
    stored = link.stored()
    if stored is None or not stored.intact():
        return None
    summary = stored.summary
    if summary.errors or summary.license_column_bytes:  # record licenses are counted shard by shard
        return None
    if stored.profile_identity != _profile_identity(entry, options):  # profiled otherwise: read the records
        return None
    docs = stored.docs
    options.progress.start_dataset(entry.name, summary.shards + len(docs), summary.bytes)
    options.progress.advance(summary.bytes)
    shards = SnapshotShards(cache.path, key, whole, head[1], summary)
    link = replace(link, profile_identity=stored.profile_identity, profile_state=stored.profile_state)
    return _assembled(entry, root, options, provenance, shards, docs, stored.digest, (), left_out, link,
                      stored.profile)


class _Kinds:
    """The documentation kind (dbom.scanning.catalog.doc_kind) of each file selected, by its index in the
    selection: known for all when a glob selected them, else found when asked (a rescan asks for few)."""

    def __init__(self, walked: Listing, picked: Sequence[int], known: list[str | None] | None) -> None:
        self._relpaths = walked.relpaths
        self._picked = picked
        self._known = known

    def __getitem__(self, index: int) -> str | None:
        if self._known is not None:
            return self._known[index]
        return doc_kind(self._relpaths[self._picked[index]])


def _jobs(walked: Listing, picked: Sequence[int], kinds: _Kinds, indices: Sequence[int]) -> list[tuple[int, _Job]]:
    """(index, Job) for each index (into the selection) in `indices`: the files to read."""
    files = walked.files([picked[index] for index in indices])
    return [(index, _new_job((file, kinds[index]))) for index, file in zip(indices, files, strict=True)]


def _selection(walked: Listing, include: tuple[str, ...], exclude: tuple[str, ...]) -> tuple[list[int], _Kinds]:
    """The walk's index of each file selected (documents always are), and their documentation kinds.
    A path that is not UTF-8 is an error naming it."""
    relpaths = walked.relpaths
    if not (include or exclude):
        if not "".join(relpaths).isascii():
            for index, relpath in enumerate(relpaths):
                if not relpath.isascii():
                    _require_utf8(relpath, walked.location(index))
        everything = range(len(relpaths))
        return list(everything), _Kinds(walked, everything, None)
    picked: list[int] = []
    kinds: list[str | None] = []
    for index, relpath in enumerate(relpaths):
        kind = doc_kind(relpath)
        if kind is None and not selected(relpath, include, exclude):
            continue
        if not relpath.isascii():
            _require_utf8(relpath, walked.location(index))
        picked.append(index)
        kinds.append(kind)
    return picked, _Kinds(walked, picked, kinds)


def _patched_dataset(entry: DatasetEntry, root: Path, options: ScanOptions, provenance: DatasetProvenance,
                     known: DatasetCache, walked: Listing, picked: list[int], kinds: _Kinds,
                     left_out: Sequence[str], inspector: _Readers, stats: ScanStats, total_bytes: int,
                     profiler_of_every_file: Callable[[], Any], profiles: dict[str, Any], ahead: ReadAhead | None
                     ) -> tuple[Dataset | list[Shard | DocFile | None] | None, Any]:
    """The dataset, when some of its files changed since its snapshot and the lines of the last write can
    be patched (dbom.scanning.incremental), and its profile too (dbom.profile.dataset_total): only the
    changed files are read and decoded. The profiles of the shards sampled as they were read go to
    `profiles`, as `_read` puts them. Returned with the DatasetProfiler the changed files were read with
    (None with `--profile off`, or when nothing was read).

    None when it does not apply (nothing is read then); every file's result when the changed files were
    read but the patch could not be exact (the caller goes on as if it had looked them all up).
    """
    from dbom.scanning.incremental import MOST_CHANGED, patchable, plan_patch, start_patch

    row = known.snapshot_row()
    if row is None:
        return None, None
    identity = _profile_identity(entry, options)
    link = SnapshotLink(known.lines_path(), row[0], row[2], file_ref(entry.name, ""))
    stored = link.stored()
    state = stored.profile_state if stored is not None else None
    if (stored is None or stored.profile_identity != identity or stored.index() is None
            or (options.profile != "off" and not isinstance(state, dict)) or not stored.intact()):
        return None, None
    changed = known.lookup_changed(row, MOST_CHANGED)
    if changed is None:
        return None, None
    found, to_read, dropped = changed
    profiler = None
    if options.profile != "off":  # the rate from the kept bytes and the changed files': no name looked at again
        rate_bytes = _patched_rate_bytes(state, walked, picked, kinds, (*found, *to_read), dropped)
        profiler = dataset_profiler(entry, options, rate_bytes) if rate_bytes is not None else None
        if profiler is None or not _same_rate(state, profiler):  # the rate changed: every shard is profiled again
            profiler, state = profiler_of_every_file(), None
    results: list[Shard | DocFile | None] = [None] * len(picked)
    for index, result in found.items():
        results[index] = result
    todo = _jobs(walked, picked, kinds, to_read)
    stats.cache_hits += len(picked) - len(todo)
    options.progress.advance(total_bytes - sum(job.file.stat.st_size for _, job in todo))
    started: list[tuple[Any, Any]] = []  # the patch's start, and the dropped shards' profiles
    read_before = stats.read_ahead

    def start() -> None:
        """What the patch needs of the files dropped (their profiles, then dbom.scanning.incremental.start_patch):
        made while worker processes read the changed files."""
        taken = None
        if not all(map(patchable, dropped)):  # a document changed (or the like): the whole path
            started.append((None, None))
            return
        if profiler is not None and state:
            from dbom.profile.dataset_profile import dropped_profiles
            from dbom.profile.dataset_total import NotExact

            # every changed file read ahead: their keys only (a worker process sums those taken out, `_summing`);
            # else their profiles, which this process then need not make for the files it reads (a file touched)
            all_ahead = stats.read_ahead - read_before >= len(todo)
            try:
                taken = dropped_profiles(dropped, profiler,  # type: ignore[arg-type]
                                         None if all_ahead else known.fingerprints)
            except NotExact:
                started.append((None, None))
                return
            for key, text in taken.texts.items():  # a touched file's content is the same: not profiled again
                profiles.setdefault(key, text)
        begun = start_patch(stored, dropped) if options.profile == "off" or state else None  # type: ignore[arg-type]
        started.append((begun, taken))

    if todo:
        _read(todo, results, tuple(sorted(options.hashes)), inspector, options, stats, known, profiler, profiles,
              beside=start, ahead=ahead)
    else:
        start()
    begun, taken_out = started[0]
    added = [results[index] for index in (*found, *to_read)]
    plan = plan_patch(begun, added)
    total = None
    if plan is not None and profiler is not None:
        from dbom.profile.dataset_profile import patched_total
        from dbom.profile.dataset_total import NotExact

        try:
            # plan_patch took only shards: `dropped` and `added` hold no document
            total = patched_total(state, dropped, added, root, profiler, profiles,  # type: ignore[arg-type]
                                  known.fingerprints, taken_out, _summing(inspector, known.fingerprints))
        except NotExact:
            plan = None
    known.close(lambda: {walked.location(i) for i in range(len(walked))})
    if plan is None or known.records_digest is None:
        known.fill(results)
        return results, profiler
    link = known.link(file_ref(entry.name, ""), identity)
    assert link is not None
    if total is not None:
        link = replace(link, profile_state=total.to_json())
    shards = SnapshotShards(known.database, known.snapshot_key, link.listing, link.records, plan.summary)
    return _assembled(entry, root, options, provenance, shards, stored.docs, plan.digest, (), left_out,
                      replace(link, patch=plan.patch),
                      total.properties(options.sme) if total is not None else ()), profiler


def _summing(inspector: _Readers, cache: Any) -> Callable[[list[str], Any], Callable[[], Any]] | None:
    """What has a worker process sum the cached profiles a patch takes out (dbom.profile.dataset_profile.
    summed_profiles) while this process puts the new ones in; None with no worker started, or no cache file."""
    worker = inspector.idle_worker()
    if worker is None or cache.failed:
        return None
    from dbom.profile.dataset_profile import summed_profiles

    return lambda keys, blank: worker.call(summed_profiles, cache.path, keys, blank)


def _patched_rate_bytes(state: Any, walked: Listing, picked: Sequence[int], kinds: _Kinds, changed: Sequence[int],
                        dropped: Sequence[Shard | DocFile]) -> int | None:
    """The bytes a dataset's sampling rate is set from (dbom.profile.dataset_profile.profiled_bytes) after a
    change: those kept with its profile (`state`), less the files `dropped` (gone, or changed: as the snapshot
    had them), plus the files `changed` (new or changed: their indices in the selection). None when not kept."""
    from dbom.profile.dataset_profile import profiled_bytes

    kept = _kept_rate_bytes(state)
    if kept is None:
        return None
    relpaths = walked.relpaths
    left = kept - profiled_bytes((r.path, r.bytes) for r in dropped if doc_kind(r.path) is None)
    return left + profiled_bytes((relpaths[picked[i]], walked.stat(picked[i]).st_size)
                                 for i in changed if kinds[i] is None)


def _kept_rate_bytes(state: Any) -> int | None:
    """The bytes the sampling rate was set from, as kept with a dataset's profile (`state`); None when not kept."""
    try:
        return int(state["rate_bytes"])
    except (LookupError, TypeError, ValueError):
        return None


def _same_rate(state: Any, profiler: Any) -> bool:
    """Whether a kept profile (`state`) was sampled at the rate `profiler` samples at (a changed total of bytes
    may change it: every shard is profiled again then)."""
    try:
        return int(state["total"]["sample"]["threshold"]) == profiler.sample.threshold
    except (LookupError, TypeError, ValueError):
        return False


def _read(todo: Sequence[tuple[int, _Job]], results: list[Shard | DocFile | None], algorithms: tuple[str, ...],
          inspector: _Readers, options: ScanOptions, stats: ScanStats, known: DatasetCache | None,
          profiler: Any = None, profiles: dict[str, Any] | None = None, beside: Callable[[], None] | None = None,
          ahead: ReadAhead | None = None) -> None:
    """Read the files of `todo` ((index, job) pairs), into `results` and the cache; with a DatasetProfiler,
    the profiles of the shards profiled as they were read go to `profiles`, by key (dbom.profile). `beside`:
    work of this process's to run while worker processes read, if they do (else first). The files `ahead` read
    during the walk (the same file, read the same way) are not read again."""
    from dbom.fingerprint.executor import ordered_map

    def work(item: tuple[int, _Job]) -> _ReadResult:
        return scan_file(item[1], algorithms, inspector.get(), options.keep_going, options.records_digest, profiler)

    settings = (algorithms, options.keep_going, options.records_digest, profiler)
    ready = _read_already(todo, ahead, settings) if ahead is not None else {}
    stats.read_ahead += len(ready)
    rest = [item for item in todo if item[0] not in ready] if ready else todo
    if not rest:
        done: Iterator[_ReadResult] = iter(())
    elif inspector.ray is not None:
        stats.workers = inspector.ray.connect().workers
        done = _on_driver(inspector.ray.ordered_map(scan_batch, [(job, settings) for _, job in rest],
                                                    [job.file.stat.st_size for _, job in rest]))
    elif _in_processes(rest, options, inspector):
        done = _on_driver(_process_map(inspector.batch_workers(), [(job, settings) for _, job in rest], beside))
        beside = None
    else:
        inspector.cool()
        done = ordered_map(work, rest, options.jobs or _auto_jobs(rest))
    beside_thread: threading.Thread | None = None
    beside_failed: list[BaseException] = []
    if beside is not None and ready:  # much was read ahead: `beside` runs while the results are taken in
        beside_thread, beside_failed = _start_beside(beside)
    elif beside is not None:
        beside()
    if ready:
        done = _merged(todo, ready, done)
    try:
        _take_results(todo, done, results, options, stats, known, profiler, profiles)
    finally:
        if beside_thread is not None:
            beside_thread.join()
    if beside_failed:
        raise beside_failed[0]


def _merged(todo: Sequence[tuple[int, _Job]], ready: dict[int, _ReadResult], rest: Iterator[_ReadResult]
            ) -> Iterator[_ReadResult]:
    """The result of each file of `todo`, in order: from `ready` (by index) where it is, else the next of `rest`."""
    for index, _ in todo:
        yield ready[index] if index in ready else next(rest)


def _take_results(todo: Sequence[tuple[int, _Job]], done: Iterator[_ReadResult], results: list[Shard | DocFile | None],
                  options: ScanOptions, stats: ScanStats, known: DatasetCache | None, profiler: Any,
                  profiles: dict[str, Any] | None) -> None:
    """`_read`'s results, in order: into `results`, the stats, the cache and (profiled together) `profiles`."""
    sampled: list[tuple[Shard, Any, _Job]] = []  # shards sampled as they were read, profiled together
    sampled_rows = 0
    for (index, job), (result, cacheable, profile) in zip(todo, done, strict=True):
        results[index] = result
        if profile is not None and profiles is not None:
            sampled.append((result, profile, job))
            sampled_rows += 1 if isinstance(profile, str | MadeProfile) else len(profile.rows)
            if sampled_rows >= PROFILE_BATCH_ROWS:
                _profiles_read(profiler, sampled, profiles)
                sampled, sampled_rows = [], 0
        stats.files_read += 1
        stats.bytes_read += job.file.stat.st_size
        options.progress.advance(job.file.stat.st_size)
        if known is not None and cacheable and not (isinstance(result, Shard) and result.error):
            known.remember(index, result)
    if sampled:
        _profiles_read(profiler, sampled, profiles)  # type: ignore[arg-type]


def _read_already(todo: Sequence[tuple[int, _Job]], ahead: ReadAhead, settings: _Settings) -> dict[int, _ReadResult]:
    """The results of the files of `todo` that `ahead` read (the same path and stat, read with `settings`), by index."""
    read = ahead.results()
    if not read or not ahead.same_settings(settings):
        return {}
    ready = {}
    for index, job in todo:
        found = read.get(job.file.relpath)
        if found is not None and found[0] == job.file.stat:
            ready[index] = found[1]
    return ready


def _read_ahead(entry: DatasetEntry, root: Path, options: ScanOptions, cache: FingerprintCache, readers: _Readers,
                algorithms: tuple[str, ...]) -> ReadAhead | None:
    """What reads the files of `entry` that changed since its snapshot while the walk goes on
    (dbom.scanning.read_ahead), when it has a snapshot and its files would be read in worker processes."""
    if readers.ray is not None or not options.worker_processes or options.jobs or not root.is_dir():
        return None
    from dbom.fingerprint.batch_workers import available, workers_beside

    if not (available() and workers_beside()):
        return None
    key = snapshot_key(cache, root, algorithms, options.records_digest, (entry.include, entry.exclude))
    row = cache.snapshot(key, verify=False)  # a guide only: what is read ahead is checked after the walk
    if row is None:
        return None
    from dbom.scanning.read_ahead import ReadAhead

    def settings() -> _Settings | None:
        profiler = None
        if options.profile != "off":  # sampled at the rate of the last scan: a rescan that changed 1% keeps it
            stored = SnapshotLink(lines_path(cache, key), row[0], row[2], file_ref(entry.name, "")).stored()
            rate_bytes = _kept_rate_bytes(getattr(stored, "profile_state", None))
            if rate_bytes is None:
                return None
            profiler = dataset_profiler(entry, options, rate_bytes)
        return algorithms, options.keep_going, options.records_digest, profiler

    include, exclude = entry.include, entry.exclude

    def wanted(relpath: str) -> bool:
        return doc_kind(relpath) is None and selected(relpath, include, exclude)

    head = str(root) if str(root).endswith(os.sep) else str(root) + os.sep
    most = max(4 * PROCESS_BATCH_FILES, len(row[1]) // 20)
    return ReadAhead(row[1], head, wanted, settings, readers.batch_workers, most)


# Small files are read in worker processes when there are at least this many to read (and the program may
# start processes): their per-file work is Python that holds the GIL, so threads gain nothing, and the
# workers' start (about half a second, importing pyarrow) must be paid back.
PROCESS_MIN_FILES = 2000
PROFILE_BATCH_ROWS = 4096  # the sampled rows of the shards read, profiled together once this many are in
PROCESS_BATCH_FILES = 200  # files a task: the hop to a process costs about a file's work, paid once a batch


def _in_processes(todo: Sequence[tuple[int, _Job]], options: ScanOptions, readers: _Readers) -> bool:
    """Whether the files of `todo` are read in worker processes: many small files, automatic -j, two CPUs or more."""
    if not options.worker_processes or options.jobs or len(todo) < PROCESS_MIN_FILES or _auto_jobs(todo) > 1:
        return False
    from dbom.fingerprint.batch_workers import available
    from dbom.fingerprint.executor import default_jobs

    return available() and default_jobs() > 1


WORKER_BATCHES = 2  # batches sent to a worker ahead of its replies: it never waits for the next one


def _process_map(workers: list[BatchWorker], items: list[tuple[_Job, _Settings]],
                 beside: Callable[[], None] | None = None) -> Iterator[_ReadResult]:
    """`read_batch` over `items` in batches, results in order: on `workers`, WORKER_BATCHES each in flight, and in
    this process too, which reads the next batch itself whenever the oldest one is not back (a worker's first
    batch waits for its start, about a quarter of a second). `beside` (other work of this process's) runs in a
    thread meanwhile, the workers kept fed; this process reads no batch itself until it is done. An error is
    raised when its batch is reached (the scan's close kills the workers), or `beside`'s at the end."""
    from collections import deque

    from dbom.fingerprint.batch_workers import wait

    beside_thread, beside_failed = _start_beside(beside)
    batches = list(_batches(items))
    replies: dict[int, tuple[bool, Any]] = {}  # by batch number: (True, its results) or (False, its error)
    sent: list[deque[int]] = [deque() for _ in workers]  # the batches each worker has not replied to, in order
    handed = 0  # the batches sent to a worker or read here
    try:
        for number in range(len(batches)):
            while number not in replies:
                for worker, numbers in zip(workers, sent, strict=True):
                    for reply in worker.replies():
                        replies[numbers.popleft()] = reply
                    while handed < len(batches) and len(numbers) < WORKER_BATCHES:
                        worker.send(read_packed, packed(batches[handed]))
                        numbers.append(handed)
                        handed += 1
                if number in replies:
                    break
                if handed < len(batches) and not (beside_thread and beside_thread.is_alive()):
                    try:
                        replies[handed] = (True, read_batch(batches[handed]))
                    except Exception as exc:  # raised when its batch is reached, as a worker's error is
                        replies[handed] = (False, exc)
                    handed += 1
                else:
                    wait(workers)
            ok, value = replies.pop(number)
            batches[number] = []  # its jobs are no longer needed
            if not ok:
                raise value
            yield from value
    finally:
        if beside_thread is not None:
            beside_thread.join()
    if beside_failed:
        raise beside_failed[0]


def _start_beside(beside: Callable[[], None] | None) -> tuple[threading.Thread | None, list[BaseException]]:
    """`beside` started in a thread (None without it), and the list its exception goes to."""
    failed: list[BaseException] = []
    if beside is None:
        return None, failed

    def run() -> None:
        try:
            beside()
        except BaseException as exc:  # raised by `_process_map` once the batches are read
            failed.append(exc)

    thread = threading.Thread(target=run, name="dbom-beside", daemon=True)
    thread.start()
    return thread, failed


def _batches(items: list[T]) -> Iterator[list[T]]:
    """`items` in batches of PROCESS_BATCH_FILES, but the last few times that many in quarter batches: when this
    process has no batch left to read, it waits for a worker's batches in flight, and smaller ones end sooner."""
    tail = max(0, len(items) - 4 * PROCESS_BATCH_FILES)
    for start, end, size in ((0, tail, PROCESS_BATCH_FILES), (tail, len(items), PROCESS_BATCH_FILES // 4)):
        for first in range(start, end, size):
            yield items[first:min(first + size, end)]


def _on_driver(results: Iterator[_ReadResult]) -> Iterator[_ReadResult]:
    """`results`, with an error from a worker process (local or Ray) naming its file as the driver would."""
    try:
        yield from results
    except DbomError as exc:
        if exc.path and os.path.isabs(exc.path):
            raise type(exc)(_display(Path(exc.path)), exc.cause) from None
        raise


def _require_utf8(name: str, location: str) -> None:
    """A DBOM is JSON text: a file name that is not UTF-8 (undecodable bytes) cannot be written in it."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        shown = os.fsencode(_display(Path(location))).decode("utf-8", "backslashreplace")
        raise DbomError(shown, "the name is not valid UTF-8, so a DBOM (JSON text) cannot hold it; rename it "
                               "(e.g. with convmv) or leave the file out with `exclude:`") from None


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector (if on) for a stretch that only builds objects that live on.

    Each collection would walk every object made so far and free none: on a cached scan of 20,000
    files that is a tenth of the time. Reference counting still frees what is dropped.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def finish_dataset(entry: DatasetEntry, root: Path, options: ScanOptions, provenance: DatasetProvenance,
                   results: list[Shard | DocFile | None], left_out: Sequence[str] = (),
                   cache: FingerprintCache | None = None, snapshot: SnapshotLink | None = None,
                   profiled: tuple[Any, Any] | None = None) -> Dataset:
    """The dataset from its files' results: sorted shards and documents, card and licenses, totals.

    `root` is where the cards, license files (and shards with a license column) can be read: the dataset
    root, or for a remote dataset the temporary folder they were fetched into. `snapshot`: the cache
    snapshot the results are in whole, if they are. `profiled`: (the dataset's DatasetProfiler, the profiles
    by key of the shards profiled as they were read; a remote dataset's shards all are).
    """
    shards = tuple(sorted((r for r in results if isinstance(r, Shard)), key=_PATH))
    docs = tuple(sorted((r for r in results if isinstance(r, DocFile)), key=_PATH))
    for shard in shards:
        if shard.error:
            options.warn(f"{entry.name}/{shard.path}: {shard.error} (recorded, --keep-going)")
    total = _profile(entry, root, shards, options, cache, profiled)
    if total is not None and snapshot is not None:  # kept with the lines, for a rescan to patch
        snapshot = replace(snapshot, profile_state=total.to_json())
    return _assembled(entry, root, options, provenance, shards, docs, dataset_digest(shards),
                      _record_licenses(root, shards, options.keep_going, cache), left_out, snapshot,
                      total.properties(options.sme) if total is not None else ())


def _profile(entry: DatasetEntry, root: Path, shards: Sequence[Shard], options: ScanOptions,
             cache: FingerprintCache | None, profiled: tuple[Any, Any] | None = None) -> DatasetTotal | None:
    """The dataset's content profile, its bytes by modality with it (None with `--profile off`)."""
    if options.profile == "off":
        return None
    from dbom.profile.dataset_profile import profile_total
    from dbom.profile.modality import TEXT_FORMATS

    profiler, ready = profiled if profiled is not None else (None, None)
    total = profile_total(shards, root, _profile_settings(options), _field_spec(entry), cache, options.keep_going,
                          lambda message: options.warn(f"{entry.name}/{message}"), profiler, ready)
    # every readable shard's modality, not only those whose records the profile reads (WebDataset tars are
    # the shards whose modality matters most); no file is looked into for a text format
    folder = root.is_dir()
    for shard in shards:
        if not shard.error:
            total.add_modality(shard, None if shard.format in TEXT_FORMATS else root / shard.path if folder else root)
    return total


def profile_settings_of(options: ScanOptions, entry: DatasetEntry | None) -> tuple[Any, Any]:
    """(ProfileSettings, FieldSpec) of a scan's options and a dataset's manifest entry (None: fields by name)."""
    from dbom.profile.fields import FieldSpec

    return _profile_settings(options), _field_spec(entry) if entry is not None else FieldSpec()


def dataset_profiler(entry: DatasetEntry, options: ScanOptions, rate_bytes: int) -> Any:
    """The DatasetProfiler of `entry` for shards profiled as they are read, or None with `--profile off`."""
    if options.profile == "off":
        return None
    from dbom.profile.dataset_profile import DatasetProfiler

    return DatasetProfiler(_profile_settings(options), _field_spec(entry), rate_bytes)


def _profile_settings(options: ScanOptions) -> ProfileSettings:
    from dbom.profile.dataset_profile import ProfileSettings

    return ProfileSettings(options.profile, _token_counter(options.tokenizer), options.sme)


def _token_counter(given: Any) -> Any:
    """The TokenCounter of `given` (a path, a tokenizer object, or a TokenCounter already); None for None."""
    if given is None:
        return None
    from dbom.profile.tokenizer import TokenCounter

    if isinstance(given, TokenCounter):
        return given
    return TokenCounter.from_path(given) if isinstance(given, (str, Path)) else TokenCounter.from_object(given)


def _field_spec(entry: DatasetEntry) -> FieldSpec:
    from dbom.profile.fields import FieldSpec

    return FieldSpec(entry.text_field, entry.url_field, entry.date_field)


def _profile_identity(entry: DatasetEntry, options: ScanOptions) -> str:
    """What a dataset's profile depends on besides its shards ("" when off): kept lines are reused only alike."""
    if options.profile == "off":
        return ""
    from dbom.profile.accumulator import PROFILE_FORMAT
    from dbom.profile.modality import MODALITY_FORMAT

    # the formats of the profile and of the modality too: kept lines written with other ones are not reused
    return (f"{_profile_settings(options).identity(_field_spec(entry))}\0profile-{PROFILE_FORMAT}"
            f"\0modality-{MODALITY_FORMAT}")


def _assembled(entry: DatasetEntry, root: Path, options: ScanOptions, provenance: DatasetProvenance,
               shards: Sequence[Shard], docs: tuple[DocFile, ...], digest: str,
               record_licenses: tuple[LicenseShare, ...], left_out: Sequence[str],
               snapshot: SnapshotLink | None, profile: tuple[tuple[str, str], ...] = ()) -> Dataset:
    """The dataset of `shards` and `docs`: with its card, licenses and provenance."""
    if not len(shards):
        options.warn(f"{entry.name}: no shards found under {_display(root)}"
                     + (" (include/exclude select none)" if entry.include or entry.exclude else ""))
    found = dataset_metadata(root, docs, options.warn, provenance.vcs)
    license_ = found.license
    evidence = found.evidence
    if entry.license:
        if license_.is_known and license_.expression != entry.license:
            said = " ".join(filter(None, (license_.source or "the data", license_.path)))
            options.warn(f"{entry.name}: the manifest's license {entry.license} overrides {license_.expression} "
                         f"({said} says so); the manifest's is recorded")
        license_ = License(expression=entry.license, source="manifest", acknowledgement="declared")
        evidence = (license_, *evidence)
    return provenance.apply(Dataset(
        name=entry.name,
        shards=shards,
        docs=docs,
        version=entry.version,
        description=entry.description or found.description,
        homepage=entry.homepage or found.homepage,
        location=entry.location,
        license=license_,
        facts={**found.facts, **entry.facts},  # what the manifest states wins over what the card says
        card_facts=tuple(sorted(key for key in found.facts if key not in entry.facts)),
        include=entry.include,
        exclude=entry.exclude,
        digest=digest,
        code_license=found.code_license,
        license_evidence=evidence,
        record_licenses=record_licenses,
        warnings=tuple(sorted(set(left_out))),
        snapshot=snapshot,
        profile=profile,
    ))


RECORD_LICENSES_KEY = "record-licenses\0"


def _record_licenses(root: Path, shards: Sequence[Shard], keep_going: bool,
                     cache: FingerprintCache | None = None) -> tuple[LicenseShare, ...]:
    """The per-record license distribution, for shards whose schema has a license column.

    A shard's counts are cached under its content digest and the column: a rescan of unchanged shards
    reads none of them again (counting 10 million Parquet rows took over a second on every rescan).
    """
    from dbom.licensing.record_licenses import count_shard, license_column, merge

    # each distinct schema looked at once (shards from the cache share their schema's tuple)
    schemas = {id(shard.columns): shard.columns for shard in shards if shard.columns}
    wanted = {key: name for key, columns in schemas.items() if (name := license_column(columns)) is not None}
    if not wanted:
        return ()
    known = cache.under(RECORD_LICENSES_KEY) if cache is not None else {}
    counts = []
    for shard in shards:
        column = wanted.get(id(shard.columns))
        if column is None or shard.error:
            continue
        key = f"{RECORD_LICENSES_KEY}{shard.xxh3_128 or 'sha256:' + (shard.sha256 or '')}\0{shard.format}\0" \
              f"{shard.compression or ''}\0{column}"
        stored = known.get(key)
        decoded = cache.decode([stored])[0] if cache is not None and stored is not None else None
        if isinstance(decoded, list) and all(isinstance(row, list) and len(row) == 3 for row in decoded):
            counts.append({license_: (records, nbytes) for license_, records, nbytes in decoded})
            continue
        path = root / shard.path if root.is_dir() else root
        try:
            counted = count_shard(path, shard.format, shard.compression, column)
        except DbomError as exc:
            if not keep_going:
                raise DbomError(_display(path), exc.cause) from None
            continue
        counts.append(counted)
        if cache is not None and (shard.xxh3_128 or shard.sha256):
            cache.put(key, [[license_, records, nbytes] for license_, (records, nbytes) in sorted(counted.items())])
    return merge(counts)


# Below this mean file size the per-file work is Python under the GIL, and a second thread only
# adds contention: measured on 20,000 files of 64 KiB, one thread took 5.9 s and two 10.0 s.
THREADED_MIN_MEAN_BYTES = 1 << 20


def _auto_jobs(todo: Sequence[tuple[int, _Job]]) -> int:
    """Threads for the files still to read: one per CPU for large files, one for small ones."""
    if not todo:
        return 1
    from dbom.fingerprint.executor import default_jobs

    mean = sum(job.file.stat.st_size for _, job in todo) / len(todo)
    return default_jobs() if mean >= THREADED_MIN_MEAN_BYTES else 1


def dataset_digest(shards: Sequence[Shard]) -> str:
    """SHA-256 over the sorted `path<TAB>xxh3-128<LF>` lines: changes iff a shard's path or content does.

    When a shard has no XXH3-128 (a remote object described by its store's SHA-256), the lines are
    `path<TAB>sha256:<hex><LF>` for every shard instead (`Shard.digest`), so that like is compared with like.
    """
    if not all(shard.xxh3_128 for shard in shards):
        lines = "".join([f"{shard.path}\tsha256:{shard.sha256 or ''}\n" for shard in sorted(shards, key=_PATH)])
        return hashlib.sha256(lines.encode()).hexdigest()
    lines = "".join([f"{shard.path}\t{shard.xxh3_128}\n" for shard in sorted(shards, key=_PATH)])
    return hashlib.sha256(lines.encode()).hexdigest()


_PATH = attrgetter("path")


class _Readers:
    """The inspector of the files that must be read, made on first need: a cached scan imports no reader. And the
    worker processes that many small files are read by (`_process_map`), started on first need or ahead (`warm`)."""

    def __init__(self, jobs: int, worker_processes: bool) -> None:
        self._jobs = jobs
        self._worker_processes = worker_processes
        self._inspector: Inspector | None = None
        self._workers: list[BatchWorker] = []
        self.ray: RaySession | None = None  # with the ray executor: the cluster the files are read on

    def get(self) -> Inspector:
        """The inspector (made on the first call)."""
        if self._inspector is None:
            from dbom.fingerprint.executor import default_jobs
            from dbom.fingerprint.inspect_pool import Inspector

            self._inspector = Inspector(self._jobs or default_jobs(), self._worker_processes)
        return self._inspector

    def batch_workers(self) -> list[BatchWorker]:
        """The worker processes of `_process_map`: one CPU fewer than there are (the scan's process reads too)."""
        if not self._workers:
            self._start_workers()
        return self._workers

    def idle_worker(self) -> BatchWorker | None:
        """A worker process of `batch_workers` already started that holds no work, if there is one."""
        return next((worker for worker in self._workers if not worker.waiting), None)

    def _start_workers(self) -> None:
        from dbom.fingerprint.batch_workers import SCAN_WARM_UP, BatchWorker, take_ahead, workers_beside

        self._workers = take_ahead() or [BatchWorker(SCAN_WARM_UP) for _ in range(max(1, workers_beside()))]

    def warm(self) -> None:
        """Start the worker processes of `batch_workers` before the files are listed (their start, about half a
        second of imports, overlaps the walk), or take those the command started ahead (`batch_workers.start_ahead`):
        when the program may start processes, with automatic -j, on two CPUs or more."""
        if not self._worker_processes or self._jobs or self._workers:
            return
        from dbom.fingerprint.batch_workers import available, workers_beside

        if available() and workers_beside():
            self._start_workers()

    def cool(self) -> None:
        """Kill the worker processes `warm` started if they were not used since: the files are read otherwise."""
        if not any(worker.used for worker in self._workers):
            self._kill_workers()

    def _kill_workers(self) -> None:
        from dbom.fingerprint.batch_workers import take_ahead

        workers, self._workers = [*self._workers, *take_ahead()], []  # with those started ahead and not taken
        for worker in workers:
            worker.kill()

    def close(self, abort: bool = False) -> None:
        """Close the inspector, if one was made (killing its workers with `abort`), the batch workers (they hold
        no work once the scan is over, or failed; those started ahead too) and the Ray session."""
        self._kill_workers()
        if self._inspector is not None:
            self._inspector.close(abort)
        if self.ray is not None:
            self.ray.close()
            self.ray = None
