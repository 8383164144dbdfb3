"""Read one local file: its digests, its format, what it says about itself; and batches of files in a worker.

The work of `dbom.scanning.scanner` that runs once per file, kept in a module of its own so that a worker
process (local or Ray) imports only what reading a file takes: not the scan's cache, manifest, provenance
and writers (about 45 ms of a worker's start, paid again by each worker of each scan).
"""

from __future__ import annotations

import os
import threading
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from dbom.errors import DbomError
from dbom.model import DocFile, Shard
from dbom.sources.local import LocalFile, new_file, new_stat

if TYPE_CHECKING:  # the readers are imported when a file must be read
    from dbom.fingerprint.hashing import Digests
    from dbom.fingerprint.inspect_pool import Inspector
    from dbom.formats.base import Detected


class Job(NamedTuple):  # a named tuple: one per file, made cheaply
    """A file to read, and its doc kind by name (None when it may be data)."""

    file: LocalFile
    doc: str | None

    @property
    def display(self) -> str:
        """How errors name the file to the user (computed only for an error: relpath is not free)."""
        return display(self.file.path)


new_job = partial(tuple.__new__, Job)  # as dbom.sources.local makes its LocalFile: once per file
# how the files are read: (hash algorithms, keep_going, records_digest, the dataset's DatasetProfiler or None)
Settings = tuple[tuple[str, ...], bool, bool, Any]
# one file read: (its result, whether the cache may keep it, its profile made as it was read: InlineProfile.result,
# or made from that by `read_batch`: MadeProfile)
ReadResult = tuple["Shard | DocFile", bool, Any]


class MadeProfile(NamedTuple):
    """A shard's content profile made where its file was read (`read_batch`): its JSON text (the profile's
    `to_json`), or, when the shard is left out of the profile, why (`error`)."""

    text: str | None
    error: str | None


def display(path: Path) -> str:
    """`path` as errors show it: relative to the working folder where it can be."""
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


def read_batch(batch: list[tuple[Job, Settings]]) -> list[ReadResult]:
    """Each file of `batch` read as the local executor reads it, in a worker process (local or Ray), or by the
    scan's own process beside them.

    The files go in groups of up to GROUP_BYTES, each read in three passes: every file's bytes and digests, then
    every inspection, then every path's stat. One file after another, the CPU's caches went cold at each switch
    between the kernel's reads and the readers' parsing (a 4 KiB Parquet file: about 90 -> 64 µs). Each file is still
    hashed, inspected and then stat'ed; one that changed meanwhile is read again (`scan_file`), and an error is
    raised when its file's turn comes, so it is the one a read one file after another would raise.

    An error names the file by its absolute path (the worker's folder may not be the driver's); the
    driver names it as the local executor would (`scanner._on_driver`).
    """
    from dbom.fingerprint.inspect_pool import Inspector

    inspector = Inspector(1, processes=False)
    results: list[ReadResult] = []
    start = size = 0
    for end, (job, _) in enumerate(batch, 1):
        size += job.file.stat.st_size
        if size >= GROUP_BYTES or end == len(batch):
            results += _read_group(batch[start:end], inspector)
            start, size = end, 0
    return _profiled(batch, results)


# A batch as `packed` makes it: each job's (relpath, location, stat fields, doc kind, settings)
Packed = list[tuple[str, str, tuple[int, ...], "str | None", Settings]]


def packed(batch: list[tuple[Job, Settings]]) -> Packed:
    """`batch` as plain tuples, for `read_packed` in a worker process. A Job is three named tuples (Job, LocalFile,
    FileStat), each pickled through Python (`__getnewargs__`): 3.7 us a file of the scan's own process, where plain
    tuples take 0.6 (and the worker unpickles and makes them again in 1.0 us, not 1.2)."""
    return [(job.file.relpath, job.file.location, tuple(job.file.stat), job.doc, settings) for job, settings in batch]


def read_packed(batch: Packed) -> list[ReadResult]:
    """`read_batch` of the jobs `packed` made `batch` of: the same jobs, made again."""
    return read_batch([(new_job((new_file((relpath, location, new_stat(stat))), doc)), settings)
                       for relpath, location, stat, doc, settings in batch])


def _profiled(batch: list[tuple[Job, Settings]], results: list[ReadResult]) -> list[ReadResult]:
    """`results`, each shard's lines sampled as it was read made into its profile (MadeProfile) here, where the
    batch was read: in a worker, that work is off the scan's own process. The shards of a batch are profiled
    together (`DatasetProfiler.profile_sampled`), as the scan profiles those it reads itself."""
    profiler = batch[0][1][3] if batch else None
    if profiler is None or any(settings[3] is not profiler for _, settings in batch):
        return results
    at = [n for n, (_, _, made) in enumerate(results) if made is not None and not isinstance(made, str)]
    if not at:
        return results
    import orjson

    made = profiler.profile_sampled([(results[n][0], results[n][2]) for n in at])
    for n, one in zip(at, made, strict=True):
        result, cacheable, _ = results[n]
        results[n] = (result, cacheable, MadeProfile(None, one.cause) if isinstance(one, DbomError)
                      else MadeProfile(orjson.dumps(one.to_json()).decode(), None))
    return results


# The bytes of the files read in one group by `read_batch`: each small file's content is kept from its read to
# its inspection.
GROUP_BYTES = 8 << 20
_buffers = threading.local()


def _group_buffer() -> memoryview:
    """This thread's buffer that the small files of a group are read into, one after another (`_read_group`), or
    one file (`scan_file`): GROUP_BYTES and one file's CONTENT_BYTES more, made once."""
    buffer = getattr(_buffers, "view", None)
    if buffer is None:
        from dbom.fingerprint.hashing import CONTENT_BYTES

        buffer = _buffers.view = memoryview(bytearray(GROUP_BYTES + CONTENT_BYTES + 1))
    return buffer


def _read_group(group: list[tuple[Job, Settings]], inspector: Inspector) -> list[ReadResult]:
    """`read_batch` of one group of files: their reads, their inspections, their stats, each pass in turn.

    The files are read one after another into this thread's buffer (those that do not fit, if they grew since
    their stat, into memory of their own), where their contents stay until the group is inspected."""
    read: list[_Hashed | Exception] = []
    buffer = _group_buffer()
    used = 0
    for job, (algorithms, keep_going, _, _) in group:
        try:
            hashed = _hash_step(job, algorithms, keep_going, buffer[used:])
            content = hashed[2].content if hashed[2] is not None else None
            if isinstance(content, memoryview):
                used += len(content)
            read.append(hashed)
        except Exception as exc:  # raised in its turn, below
            read.append(exc)
    inspected: list[tuple[Shard | DocFile, _Identity | None, Any] | Exception] = []
    for (job, (_, keep_going, records_digest, profiler)), first in zip(group, read, strict=True):
        if isinstance(first, Exception):
            inspected.append(first)
        elif first[0] is not None:
            inspected.append((first[0], first[1], None))
        else:
            try:
                inspected.append(_inspect_step(job, first, inspector, keep_going, records_digest, profiler))
            except Exception as exc:
                inspected.append(exc)
    del read  # the contents
    results: list[ReadResult] = []
    for (job, (algorithms, keep_going, records_digest, profiler)), outcome in zip(group, inspected, strict=True):
        try:
            if isinstance(outcome, Exception):
                raise outcome
            checked = _checked(job, *outcome)
            if checked is None:  # changed while it was read: read again, as scan_file would have
                checked = scan_file(job, algorithms, inspector, keep_going, records_digest, profiler,
                                    attempts=READ_ATTEMPTS - 1)
        except DbomError as exc:
            raise type(exc)(job.file.location, exc.cause) from None
        results.append(checked)
    return results


def warm_up() -> None:
    """Import what reading a file takes, in a worker process started before there are files for it."""
    import pyarrow.parquet  # noqa: F401  (the format of most many-file corpora; half the worker's start)

    from dbom.fingerprint import hashing, inspect_pool  # noqa: F401
    from dbom.formats import detect  # noqa: F401


def scan_batch(batch: list[tuple[Job, Settings]]) -> list[ReadResult]:
    """A Ray task's work: `read_batch`, once the worker is known to see the files."""
    for job, _ in batch:
        if not os.path.exists(job.file.location):
            raise DbomError(job.file.location, "not visible to the Ray worker: scan a path that every node "
                                               "sees (a shared filesystem) or a URL")
    return read_batch(batch)


# A file that changes while it is read is read again, this many times in all, before it is an error.
READ_ATTEMPTS = 3


def scan_file(job: Job, algorithms: tuple[str, ...], inspector: Inspector, keep_going: bool,
              records_digest: bool = False, profiler: Any = None, attempts: int = READ_ATTEMPTS) -> ReadResult:
    """Read one file: (its result, whether the cache may keep it, its content profile when `profiler` made it
    from the blocks read: `InlineProfile.result`).

    The digests come from one open descriptor whose fstat is the same before and after the read; the
    format is inspected by path, and the path's stat afterwards must still be that one. A file written
    or replaced meanwhile is read again (`attempts` reads in all, READ_ATTEMPTS unless it was read before), then
    is `changed while it was read`: an error, or recorded under `keep_going`. The cache keeps only a result of
    the very file the walk listed.
    """
    for _attempt in range(attempts):
        checked = _checked(job, *_read_file(job, algorithms, inspector, keep_going, records_digest, profiler))
        if checked is not None:
            return checked
    error = DbomError(job.display, "changed while it was read")
    if not keep_going or job.doc is not None:
        raise error
    return Shard(path=job.file.relpath, bytes=job.file.stat.st_size, format="unknown", xxh3_128="",
                 error=error.cause), False, None


_Identity = tuple[int, int, int, int, int]  # dbom.fingerprint.hashing.file_identity
# A file's bytes read (_hash_step): (its result when that is all there is to it, else None; the identity of the
# file read, None when it changed meanwhile; its digests; its format), the last two None with a result
_Hashed = tuple["Shard | DocFile | None", "_Identity | None", "Digests | None", "Detected | None"]


# (hash_file, detect, file_identity): imported on the first file read (a cached scan reads none), then looked up
# once a file as a global, not imported again twice a file (a microsecond each)
_TOOLS: tuple[Any, Any, Any] | None = None


def _tools() -> tuple[Any, Any, Any]:
    global _TOOLS
    from dbom.fingerprint.hashing import file_identity, hash_file
    from dbom.formats import detect

    _TOOLS = hash_file, detect, file_identity
    return _TOOLS


def _checked(job: Job, result: Shard | DocFile, identity: _Identity | None, profile: Any) -> ReadResult | None:
    """The read of `job` as `scan_file` returns it, once the path's stat after it says the file is the one that
    was read; None when it is not (written or replaced meanwhile: to be read again)."""
    file_identity = (_TOOLS or _tools())[2]
    if identity is None and isinstance(result, Shard) and result.error:
        return result, False, None  # unreadable: recorded under keep_going, never cached
    try:
        now = file_identity(os.stat(job.file.location))
    except OSError:
        now = None
    if identity is not None and identity == now:
        return result, identity == file_identity(job.file.stat), profile
    return None


def _read_file(job: Job, algorithms: tuple[str, ...], inspector: Inspector, keep_going: bool,
               records_digest: bool, profiler: Any = None) -> tuple[Shard | DocFile, _Identity | None, Any]:
    """One read of one file: its result, the identity of the file it read (None: it changed meanwhile), and
    its content profile when `profiler` made it from the blocks the inspection read."""
    hashed = _hash_step(job, algorithms, keep_going, _group_buffer())
    if hashed[0] is not None:
        return hashed[0], hashed[1], None
    return _inspect_step(job, hashed, inspector, keep_going, records_digest, profiler)


def _hash_step(job: Job, algorithms: tuple[str, ...], keep_going: bool, into: memoryview | None = None) -> _Hashed:
    """The first half of `_read_file`: the file's bytes read (a small one into `into`, when it fits) and digested,
    its format named by its name."""
    hash_file, detect, _ = _TOOLS or _tools()
    local = job.file
    location = local.location  # no Path: the readers make one when they open the file by path
    try:
        digests = hash_file(location, algorithms, into)
    except OSError as exc:
        error = DbomError(job.display, f"cannot read: {exc.strerror or exc}")
        if not keep_going or job.doc is not None:
            raise error from None
        return Shard(path=local.relpath, bytes=local.stat.st_size, format="unknown", xxh3_128="",
                     error=error.cause), None, None, None
    identity = digests.identity
    detected = None if job.doc else detect(location, digests.head)
    if detected is None:
        return DocFile(path=local.relpath, kind=job.doc or "other", bytes=digests.size,
                       xxh3_128=digests.xxh3_128, sha256=digests.sha256), identity, None, None
    if identity is None:
        return _shard(local, digests, detected), None, None, None  # changed while hashed: read again before inspecting
    return None, identity, digests, detected


def _inspect_step(job: Job, hashed: _Hashed, inspector: Inspector, keep_going: bool, records_digest: bool,
                  profiler: Any = None) -> tuple[Shard | DocFile, _Identity | None, Any]:
    """The second half of `_read_file`: the file inspected (from its content when `_hash_step` kept it)."""
    _, identity, digests, detected = hashed
    assert digests is not None and detected is not None
    local = job.file
    location = local.location
    inline = profiler.inline(_shard(local, digests, detected)) if profiler is not None else None
    try:
        found = inspector.inspect(location, detected, digests.size, records_digest, digests.content, inline)
    except DbomError as exc:
        if not keep_going:
            raise DbomError(job.display, exc.cause) from None
        # a library's message may quote the absolute path; the DBOM must not
        error = exc.cause.replace(str(local.path), local.relpath)
        return _shard(local, digests, detected, error=error), identity, None
    except OSError as exc:
        if not keep_going:
            raise DbomError(job.display, f"cannot read: {exc.strerror or exc}") from None
        return _shard(local, digests, detected, error=f"cannot read: {exc.strerror or exc}"), identity, None
    # one Shard a file, made once all is known (a Shard is 2 µs to make, dataclasses.replace 10)
    return Shard(path=local.relpath, bytes=digests.size, format=detected.format, compression=detected.compression,
                 xxh3_128=digests.xxh3_128, sha256=digests.sha256, blake3=digests.blake3, records=found.records,
                 uncompressed_bytes=found.uncompressed_bytes, columns=found.columns,
                 records_digest=found.records_digest), identity, found.profile


def _shard(local: LocalFile, digests: Digests, detected: Detected, error: str | None = None) -> Shard:
    """The shard of `local` from its digests and format alone (before, or instead of, its inspection)."""
    return Shard(path=local.relpath, bytes=digests.size, format=detected.format, compression=detected.compression,
                 xxh3_128=digests.xxh3_128, sha256=digests.sha256, blake3=digests.blake3, error=error)
