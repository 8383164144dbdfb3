"""A dataset's file components as last written, kept beside its cache snapshot and copied on a rescan.

A rescan of an unchanged dataset writes the same file components, byte for byte. Making them again
costs about 8 µs a file (the shard objects from the cache, their components, the validator), over 8 s
at 10^6 files; copying the bytes costs a fraction of that. So a write that made a dataset's
components keeps them in a file in the cache folder (`lines/`), one per dataset snapshot, tied to
what they were made from:

- the dataset's listing (every file's path and stat, see `dbom.scanning.cache`) and the digest of
  its cached records: the same files, scanned to the same results;
- the bom-ref prefix of its files (the dataset's name) and the separator between lines (their depth);
- the validator they passed (its identity, as for dbom.cyclonedx.validation_memo), with the spec version.

The file also holds what a scan needs of the dataset without its shards: the summary, the dataset
digest and the documentation files; and each line's bom-ref digest and line digest, for the
validator (a copied line is checked for a bom-ref of its own, as a line the memo knows).

For a rescan where some files changed (dbom.scanning.incremental), it also holds where each line
starts in the body, the shards' `path<TAB>xxh3-128<LF>` lines (what the dataset digest is the
SHA-256 of, and the paths of the shard lines, which come first and sorted), and the summary's index
(dbom.scanning.summary_index): the runs of unchanged lines are then copied and only the changed
files' lines made.

The body (the lines, joined by the separator) is the DBOM's own bytes: the written DBOM is hard-linked
into the folder (`<name>.body`), and the header says where in it the body starts. Writing the body
again cost a rescan of 10^6 files 530 MB of writes; a link costs nothing, and the digest checked before
every use still catches a DBOM changed in place. Where the DBOM cannot be linked (another filesystem,
a filesystem without hard links, a document written to no named file) the body is copied into the
file itself, ahead of the tables.

Layout: the body when it is not linked, the bom-ref digests, the line digests (16 bytes each), the
lines' offsets in the body (8 bytes each, little-endian), the digest lines, their offsets (8 bytes
each), the header as JSON, then the header's length (8 bytes, little-endian) and MAGIC. It is written
beside its place and renamed into it once the DBOM it went into has validated.
"""

from __future__ import annotations

import contextlib
import json
import mmap
import os
import re
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import xxhash

from dbom.errors import DbomError
from dbom.model import Column, DocFile, FormatTotals, ShardSummary
from dbom.scanning.summary_index import SummaryIndex

# 5: "digest_lines" also says the digest lines are plain (a line a shard, no control character in a path)
MAGIC = b"dbom-lines-5"
_CONTROL_BYTES = re.compile(rb"[\x00-\x08]")  # below the digest lines' tab (which, and LF, are counted)
_TAIL = 8 + len(MAGIC)
CHUNK = 4 << 20


@dataclass(frozen=True)
class SnapshotLink:
    """What ties a scanned dataset to its kept lines: where they are and what they must match."""

    path: Path
    listing: str  # the listing digest of the snapshot
    records: str  # the digest of the snapshot's records text
    prefix: str  # the bom-ref prefix of the dataset's files
    profile_identity: str = ""  # how the dataset's content profile was made ("" for none)
    # the dataset's merged profile as a rescan patches it (dbom.profile.dataset_total, its JSON); None for none
    profile_state: Any = None
    # the lines of the previous snapshot and what changed since (dbom.scanning.incremental), if the rescan
    # found only some files changed: its lines are written from that
    patch: Any = None

    def _matches(self, header: dict[str, Any]) -> bool:
        return (header.get("listing") == self.listing and header.get("records") == self.records
                and header.get("prefix") == self.prefix)

    def stored(self) -> StoredLines | None:
        """The kept lines, when there are some for this very listing, records and prefix."""
        header = _read_header(self.path)
        if header is None or not self._matches(header):
            return None
        return StoredLines(self.path, header)

    def previous(self) -> StoredLines | None:
        """The lines kept for this dataset's snapshot by the last write, whatever listing they were of."""
        header = _read_header(self.path)
        return None if header is None else StoredLines(self.path, header)

    def recorder(self, separator: bytes, trust: str, summary: ShardSummary, digest: str,
                 docs: tuple[DocFile, ...], profile: tuple[tuple[str, str], ...] = (),
                 index: SummaryIndex | None = None, body_at: int | None = None) -> LinesRecorder | None:
        """A recorder of the lines about to be written for this dataset (None when the folder cannot be
        written); `index`: the summary's index (dbom.scanning.summary_index), for a later partial rescan.
        `body_at`: where the lines start in the document being written, when it is a named file that
        `LinesRecorder.commit` can link (else the recorder keeps a copy of the lines as they come)."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        except OSError:
            return None
        header = {"listing": self.listing, "records": self.records, "prefix": self.prefix,
                  "separator": separator.decode(), "trust": trust, "digest": digest,
                  "summary": summary_to_json(summary), "docs": [_doc_to_json(d) for d in docs],
                  "profile_identity": self.profile_identity, "profile": [list(p) for p in profile],
                  "profile_state": self.profile_state,
                  "index": index.to_json() if index is not None else None}
        return LinesRecorder(os.fdopen(fd, "wb"), Path(temp), self.path, separator, header, body_at)


class StoredLines:
    """Kept lines found for a dataset: its summary, digest and documents, and the lines to copy."""

    def __init__(self, path: Path, header: dict[str, Any]) -> None:
        self.path = path
        self.header = header
        body = header.get("body_file")
        # the file the lines are in, and where they start in it
        self.body_path = path.with_name(body) if body else path
        self.body_offset = int(header.get("body_offset", 0)) if body else 0

    @property
    def summary(self) -> ShardSummary:
        """The summary of the dataset's shards."""
        return summary_from_json(self.header["summary"])

    @property
    def digest(self) -> str:
        """The dataset digest (dbom.scanning.scanner.dataset_digest) of its shards."""
        return str(self.header["digest"])

    @property
    def profile_identity(self) -> str:
        """How the dataset's content profile was made ("" for none)."""
        return str(self.header.get("profile_identity", ""))

    @property
    def profile(self) -> tuple[tuple[str, str], ...]:
        """The dataset's `dbom:profile:*` properties."""
        return tuple((str(name), str(value)) for name, value in self.header.get("profile", ()))

    @property
    def profile_state(self) -> Any:
        """The dataset's merged profile as a rescan patches it (dbom.profile.dataset_total), None if not kept."""
        return self.header.get("profile_state")

    @property
    def docs(self) -> tuple[DocFile, ...]:
        """The dataset's documentation files."""
        return tuple(DocFile(*fields) for fields in self.header["docs"])

    def usable(self, separator: bytes, trust: str) -> bool:
        """Whether these lines can be copied where lines are joined by `separator`, for the validator `trust`."""
        return self.header.get("separator") == separator.decode() and self.header.get("trust") == trust

    @property
    def count(self) -> int:
        """The number of lines."""
        return int(self.header["count"])

    @property
    def shards(self) -> int:
        """The number of shard lines (they come first; the documents' lines follow)."""
        return int(self.header["shards"])

    def index(self) -> SummaryIndex | None:
        """The summary's index, when the lines were kept with one, every shard has an XXH3-128 and the digest
        lines are plain (what a partial rescan needs); None otherwise."""
        data = self.header.get("index")
        if not isinstance(data, dict) or not self.header.get("digest_lines"):
            return None
        try:
            return SummaryIndex.from_json(data)
        except (KeyError, TypeError, ValueError):
            return None

    def _refs_at(self) -> int:
        return 0 if self.body_path != self.path else int(self.header["body_bytes"])

    def _tables_at(self) -> int:
        return self._refs_at() + 32 * self.count

    def digests(self) -> tuple[bytes, bytes]:
        """(the lines' bom-ref digests, the lines' digests), 16 bytes a line each, checked against their digest."""
        size = 16 * self.count
        with open(self.path, "rb") as fh:
            fh.seek(self._refs_at())
            refs, lines = fh.read(size), fh.read(size)
        if len(refs) != size or len(lines) != size or _tables_digest([refs, lines]) != self.header["tables_xxh3"][0]:
            raise self._damaged()
        return refs, lines

    def offsets(self) -> bytes:
        """Where each line starts in the body: 8 bytes a line, little-endian."""
        return self._read(self._tables_at(), 8 * self.count)

    def digest_lines(self) -> tuple[bytes, bytes]:
        """(the shards' `path<TAB>xxh3-128<LF>` lines, where each starts: 8 bytes a shard, little-endian)."""
        start = self._tables_at() + 8 * self.count
        text = self._read(start, int(self.header["digest_lines_bytes"]))
        return text, self._read(start + len(text), 8 * self.shards)

    def _read(self, offset: int, size: int) -> bytes:
        with open(self.path, "rb") as fh:
            fh.seek(offset)
            data = fh.read(size)
        if len(data) != size:
            raise self._damaged()
        return data

    def intact(self) -> bool:
        """Whether the lines and their digests read back as they were written (their digests; the other
        tables are checked as `RunTables.of` reads them); a damaged file is removed."""
        try:
            for _ in self.body(None):
                pass
            self.digests()
        except DbomError:
            return False
        return True

    def body(self, out: BinaryIO | None) -> Iterator[bytes | memoryview]:
        """The lines joined by their separator, in chunks, checked against their digest as they are read
        (DbomError at the end if they do not match). With `out` (a file with a descriptor, flushed),
        each chunk is also copied to it, at its position, by the kernel where it can (copy_file_range)."""
        digest = xxhash.xxh3_128()
        for chunk in self.span(0, int(self.header["body_bytes"]), out):
            digest.update(chunk)
            yield chunk
        if digest.hexdigest() != self.header["body_xxh3"]:
            raise self._damaged()

    @contextlib.contextmanager
    def source(self) -> Iterator[BodySource]:
        """The file the lines are in, open, and mapped into memory where it can be: for many `span`s."""
        with open(self.body_path, "rb") as fh:
            mapped = None
            with contextlib.suppress(OSError, ValueError):  # an empty file, or one that cannot be mapped
                mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
            try:
                yield BodySource(fh, mapped)
            finally:
                if mapped is not None:
                    mapped.close()

    def span(self, start: int, end: int, out: BinaryIO | None, source: BodySource | None = None
             ) -> Iterator[bytes | memoryview]:
        """The body's bytes from `start` to `end`, in chunks (copied to `out` as `body` does); unchecked.
        `source`: `source()`, already open (many spans read through it). A chunk is valid until the next is
        asked for: where the file is mapped, it is a view of the mapping (no copy of the bytes), released then."""
        with contextlib.nullcontext(source) if source is not None else self.source() as opened:
            fh, mapped = opened.file, opened.mapped
            offset, remaining = self.body_offset + start, end - start
            if mapped is not None and offset + remaining > len(mapped):
                raise self._damaged()
            fh.seek(offset)
            while remaining > 0:
                size = min(CHUNK, remaining)
                chunk: bytes | memoryview = (fh.read(size) if mapped is None
                                             else memoryview(mapped)[offset:offset + size])
                if not chunk:
                    raise self._damaged()
                if out is not None:
                    _copy(fh, out, offset, chunk)
                offset += len(chunk)
                remaining -= len(chunk)
                yield chunk
                if isinstance(chunk, memoryview):
                    _forget(mapped, offset - chunk.nbytes, chunk.nbytes)
                    chunk.release()  # the mapping closes only once no view of it is left

    def copy_span(self, start: int, end: int, out_fd: int, at: int, source: BodySource,
                  take: Callable[[memoryview], None]) -> None:
        """Put the body's bytes from `start` to `end` in the file `out_fd` at offset `at` (copied by the kernel where
        the system allows, else written) and hand them to `take`, in chunks: views of the mapping of `source`
        (which must be mapped), valid during the call. Unchecked, as `span`; one system call a span, not six
        (10^4 spans of a 1% rescan of 10^6 files)."""
        mapped = source.mapped
        assert mapped is not None
        offset, size = self.body_offset + start, end - start
        if offset + size > len(mapped):
            raise self._damaged()
        view = memoryview(mapped)
        try:
            if not _copied_at(source.file.fileno(), out_fd, offset, at, size):
                done = 0
                while done < size:  # written, then: a write may take fewer bytes than given
                    done += os.pwrite(out_fd, view[offset + done:offset + size], at + done)
            for piece in range(offset, offset + size, CHUNK):
                with view[piece:min(piece + CHUNK, offset + size)] as chunk:
                    take(chunk)
                if offset + size - source.read_to >= CHUNK:  # the pages read go, a chunk at a time
                    _forget(mapped, source.read_to, min(piece + CHUNK, offset + size) - source.read_to)
                    source.read_to = min(piece + CHUNK, offset + size)
        finally:
            view.release()

    def ref_of(self, index: int) -> str:
        """The bom-ref of line `index` (read from the body: for a problem's message only)."""
        separator = self.header["separator"].encode()
        with open(self.body_path, "rb") as fh:
            fh.seek(self.body_offset)
            body = fh.read(int(self.header["body_bytes"]))
        line = body.split(separator)[index]
        return str(json.loads(line).get("bom-ref"))

    def _damaged(self) -> DbomError:
        for path in {self.path, self.body_path}:
            with contextlib.suppress(OSError):
                path.unlink()
        return DbomError(str(self.path), "a damaged cache file (now removed); run the scan again")


class LinesRecorder:
    """Takes the lines of one dataset as they are written; `commit` puts them in place, `discard` drops them.

    Lines come one by one (`add`) or as runs copied from the lines of an earlier write (`begin_run`,
    `run_chunk`, `end_run`). With `body_at` (where they start in the document), they are not copied as
    they come: `commit` links the document, or copies them from it.
    """

    def __init__(self, fh: BinaryIO, temp: Path, path: Path, separator: bytes, header: dict[str, Any],
                 body_at: int | None = None) -> None:
        self._fh = fh
        self._temp = temp
        self._path = path
        self._body_at = body_at
        self._body_temp: Path | None = None
        self._separator = separator
        self._header = header
        self._digest = xxhash.xxh3_128()
        # the tables of the lines added one by one (the runs' come between them, `_built_tables`)
        self._refs = bytearray()
        self._lines = bytearray()
        self._offsets = bytearray()
        self._digest_pieces: list[bytes | memoryview] = []  # the digest lines' text, in order
        self._digest_bytes = 0
        self._digest_offsets = bytearray()
        # runs copied from `_tables`: (first, last, where among all lines, body offset of its first line,
        # where among the digest lines, digest text offset of its first) : their tables made at `commit`
        self._runs: list[tuple[int, int, int, int, int, int]] = []
        self._tables: RunTables | None = None
        self._digest_lines_ok = True
        self._bytes = 0
        self._count = 0
        self._shards = 0
        self._run_start = 0
        self.failed = False

    def _put(self, data: bytes | memoryview) -> None:
        if self._body_at is None:
            try:
                self._fh.write(data)
            except OSError:
                self.failed = True
                return
        self._digest.update(data)
        self._bytes += len(data)

    def add(self, line: bytes, ref: str, shard_digest: str | None = None, shard_path: str = "") -> None:
        """One more line, whose component's bom-ref is `ref`; a shard's line (they come first) gives its
        path and XXH3-128 (`shard_digest`, "" when it has none)."""
        if self.failed:
            return
        if self._count:
            self._put(self._separator)
        self._offsets += self._bytes.to_bytes(8, "little")
        self._put(line)
        self._count += 1
        self._refs += xxhash.xxh3_128_digest(ref.encode("utf-8", "surrogatepass"))
        self._lines += xxhash.xxh3_128_digest(line)
        if shard_digest is not None:
            text = f"{shard_path}\t{shard_digest}\n".encode("utf-8", "surrogatepass")
            self._digest_offsets += self._digest_bytes.to_bytes(8, "little")
            self._digest_pieces.append(text)
            self._digest_bytes += len(text)
            self._shards += 1
            self._digest_lines_ok = self._digest_lines_ok and bool(shard_digest)

    def begin_run(self) -> None:
        """Lines copied from an earlier write follow (their bytes through `run_chunk`)."""
        if self._count:
            self._put(self._separator)
        self._run_start = self._bytes

    def run_chunk(self, chunk: bytes | memoryview) -> None:
        """Bytes of the run begun."""
        if not self.failed:
            self._put(chunk)

    def end_run(self, stored: StoredLines, first: int, last: int, tables: RunTables) -> None:
        """The run was lines `first` to `last` (excluded) of `stored`, whose tables are `tables` (the same for
        every run): their tables are taken at `commit`, all runs at once."""
        if self.failed or first == last:
            return
        assert self._tables is None or self._tables is tables
        self._tables = tables
        end = min(last, stored.shards)
        text_start = 0
        if first < end:
            starts = tables.digest_offsets
            text_start = int.from_bytes(starts[8 * first:8 * first + 8], "little")
            text_end = (int.from_bytes(starts[8 * end:8 * end + 8], "little") if 8 * end < len(starts)
                        else len(tables.digest_lines))
            self._digest_pieces.append(memoryview(tables.digest_lines)[text_start:text_end])
        self._runs.append((first, last, self._count, self._run_start, self._shards, self._digest_bytes - text_start))
        self._count += last - first
        if first < end:
            self._digest_bytes += len(self._digest_pieces[-1])
            self._shards += end - first

    def _built_tables(self) -> tuple[list[list[Any]], list[list[Any]]]:
        """The tables of all lines, each in pieces to write one after the other: ([bom-ref digests, line digests,
        offsets], [digest lines, their offsets]). A run's pieces are views of its tables (its offsets rebased),
        the added lines' come from what `add` took: nothing is gathered line by line, nor copied whole (at 10^6
        lines and 10^4 runs, numpy's gathers and 100 MB of fresh memory cost 0.7 s)."""
        import numpy as np

        added = memoryview(self._refs), memoryview(self._lines), memoryview(self._offsets)
        added_digest_offsets = memoryview(self._digest_offsets)
        if not self._runs:
            return [[added[0]], [added[1]], [added[2]]], [self._digest_pieces, [added_digest_offsets]]
        tables = self._tables
        assert tables is not None
        old = memoryview(tables.refs), memoryview(tables.lines)
        old_offsets = np.frombuffer(tables.offsets, dtype="<i8")
        old_starts = np.frombuffer(tables.digest_offsets, dtype="<i8")
        shards = len(old_starts)
        refs: list[Any] = []
        lines: list[Any] = []
        offsets: list[Any] = []
        starts: list[Any] = []
        position = shard_position = taken = shards_taken = 0  # lines and shard lines so far; added ones used

        def take_added(until: int, shards_until: int) -> None:
            nonlocal position, shard_position, taken, shards_taken
            count, shard_count = until - position, shards_until - shard_position
            if count:
                refs.append(added[0][16 * taken:16 * (taken + count)])
                lines.append(added[1][16 * taken:16 * (taken + count)])
                offsets.append(added[2][8 * taken:8 * (taken + count)])
            if shard_count:
                starts.append(added_digest_offsets[8 * shards_taken:8 * (shards_taken + shard_count)])
            position, shard_position = until, shards_until
            taken, shards_taken = taken + count, shards_taken + shard_count

        for first, last, at, body_at, shard_at, text_shift in self._runs:
            take_added(at, shard_at)
            refs.append(old[0][16 * first:16 * last])
            lines.append(old[1][16 * first:16 * last])
            offsets.append((old_offsets[first:last] + (body_at - int(old_offsets[first]))).astype("<i8").data)
            end = min(last, shards)
            if first < end:
                starts.append((old_starts[first:end] + text_shift).astype("<i8").data)
            position += last - first
            shard_position += max(end - first, 0)
        take_added(self._count, self._shards)
        return [refs, lines, offsets], [self._digest_pieces, starts]

    def _plain(self) -> bool:
        """Whether the digest lines are a line a shard, a tab in each, and no path has a control character
        (what a partial rescan's bisection needs, dbom.scanning.incremental): looked at once, as they are made.
        A run's lines are: they were copied from lines that were (a patch is made only from such)."""
        if not self._runs:
            text = b"".join(self._digest_pieces)
            return _CONTROL_BYTES.search(text) is None and text.count(b"\t") == text.count(b"\n") == self._shards
        return all(_CONTROL_BYTES.search(piece) is None and piece.count(b"\t") == piece.count(b"\n") == 1
                   for piece in self._digest_pieces if isinstance(piece, bytes))

    def commit(self, document: Path | None = None) -> None:
        """Finish the file and rename it into place (a failure only costs the next scan its speed).
        `document`: the file the lines were written in, complete (needed when the recorder was given `body_at`)."""
        if self.failed or (self._body_at is not None and document is None):
            self.discard()
            return
        lines, digest_lines = self._built_tables()
        header = {**self._header, "count": self._count, "body_bytes": self._bytes,
                  "body_xxh3": self._digest.hexdigest(), "shards": self._shards,
                  "digest_lines_bytes": self._digest_bytes, "digest_lines": self._digest_lines_ok and self._plain(),
                  "tables_xxh3": [_tables_digest(lines[:2]), _tables_digest([lines[2], *digest_lines])]}
        try:
            if self._body_at is not None and document is not None:
                body = self._path.with_suffix(".body")
                if self._link(document, body):
                    header.update(body_file=body.name, body_offset=self._body_at)
                else:
                    _copy_range(document, self._body_at, self._bytes, self._fh)
            text = json.dumps(header, separators=(",", ":")).encode()
            with self._fh:
                self._fh.flush()
                _write_all(self._fh.fileno(), [piece for table in (*lines, *digest_lines) for piece in table]
                           + [text, len(text).to_bytes(8, "little") + MAGIC])
            # not renamed over the old files: ext4 then writes the new one out at once (the tables' 100 MB at 10^6
            # lines; the DBOM's 530 MB, which api.write is syncing beside this)
            if self._body_temp is not None:
                with contextlib.suppress(OSError):
                    body.unlink()
                os.replace(self._body_temp, body)
            with contextlib.suppress(OSError):
                self._path.unlink()
            os.replace(self._temp, self._path)
        except OSError:
            self.discard()
            return
        if self._body_temp is None:  # an older write's linked DBOM is no longer named by the header
            with contextlib.suppress(OSError):
                self._path.with_suffix(".body").unlink()

    def _link(self, document: Path, body: Path) -> bool:
        """Hard-link `document` beside `body` (renamed into place by `commit`); False where it cannot be."""
        temp = body.with_name(f".{body.name}.{os.getpid()}.{id(self):x}.tmp")
        try:
            os.link(document, temp)
        except OSError:  # another filesystem (EXDEV), or one without hard links
            return False
        self._body_temp = temp
        return True

    def discard(self) -> None:
        """Drop the lines taken so far."""
        with contextlib.suppress(OSError):
            self._fh.close()
        for temp in (self._temp, self._body_temp):
            if temp is not None:
                with contextlib.suppress(OSError):
                    temp.unlink()


@dataclass
class BodySource:
    """The file kept lines are in, open (`StoredLines.source`), and its mapping into memory (None where not);
    `read_to`: how far its pages were let go of (`StoredLines.copy_span`)."""

    file: BinaryIO
    mapped: mmap.mmap | None
    read_to: int = 0


@dataclass(frozen=True)
class RunTables:
    """The tables of kept lines that runs are copied from, read once (StoredLines.tables)."""

    refs: bytes
    lines: bytes
    offsets: bytes
    digest_lines: bytes
    digest_offsets: bytes

    @classmethod
    def of(cls, stored: StoredLines) -> RunTables:
        """The tables of `stored`, checked against their digests (DbomError, the file removed, when damaged)."""
        refs, lines = stored.digests()
        offsets = stored.offsets()
        text, starts = stored.digest_lines()
        if _tables_digest([offsets, text, starts]) != stored.header["tables_xxh3"][1]:
            raise stored._damaged()
        return cls(refs, lines, offsets, text, starts)


def _tables_digest(tables: Sequence[Sequence[bytes | bytearray | memoryview] | bytes | bytearray | memoryview]
                   ) -> str:
    """The XXH3-128 of kept tables, each after its length in bytes: what a damaged table is told by. A table may
    come in pieces (a list of them)."""
    digest = xxhash.xxh3_128()
    for table in tables:
        pieces = table if isinstance(table, list) else [table]
        digest.update(sum(memoryview(piece).nbytes for piece in pieces).to_bytes(8, "little"))
        for piece in pieces:
            digest.update(piece)
    return digest.hexdigest()


def _write_all(fd: int, buffers: Sequence[bytes | bytearray | memoryview]) -> None:
    """Write `buffers` one after the other at `fd`'s position, a thousand to a system call (OSError if it fails)."""
    at = 0
    while at < len(buffers):
        batch = [memoryview(b) for b in buffers[at:at + 1024]]
        written = os.writev(fd, batch)
        for view in batch:  # a short write: the rest of the batch, from where it stopped
            if written >= view.nbytes:
                written -= view.nbytes
                continue
            rest = view[written:]
            while rest.nbytes:
                rest = rest[os.write(fd, rest):]
            written = 0
        at += 1024


def _copy(source: BinaryIO, out: BinaryIO, offset: int, chunk: bytes | memoryview) -> None:
    """Put `chunk`, which `source` holds at `offset`, at `out`'s position: copied by the kernel (no
    page of it passes through Python) where the system allows, else written."""
    at = out.tell()
    if _copied_at(source.fileno(), out.fileno(), offset, at, len(chunk)):
        out.seek(at + len(chunk))
        return
    out.seek(at)
    out.write(chunk)


def _copied_at(source: int, out: int, offset: int, at: int, size: int) -> bool:
    """Whether `size` bytes of `source` from `offset` were copied by the kernel to `out` at `at`."""
    copy_range = getattr(os, "copy_file_range", None)
    done = 0
    with contextlib.suppress(OSError):
        while copy_range is not None and done < size:
            moved = copy_range(source, out, size - done, offset + done, at + done)
            if moved <= 0:
                break
            done += moved
    return done == size


def _forget(mapped: mmap.mmap, offset: int, size: int) -> None:
    """Let go of the pages of `mapped` from `offset` on that were read (they stay in the page cache): the
    process's resident size does not grow with the 10^6 lines it reads (at most a chunk is mapped in)."""
    start = offset - offset % mmap.PAGESIZE
    with contextlib.suppress(AttributeError, OSError, ValueError):  # no madvise: the pages stay mapped in
        mapped.madvise(mmap.MADV_DONTNEED, start, offset + size - start)


def _copy_range(source: Path, offset: int, size: int, out: BinaryIO) -> None:
    """Append `size` bytes of `source` from `offset` to `out` (OSError when `source` holds fewer)."""
    out.flush()
    with open(source, "rb") as fh:
        fh.seek(offset)
        remaining = size
        while remaining > 0:
            chunk = fh.read(min(CHUNK, remaining))
            if not chunk:
                raise OSError(f"{source} ended early")
            _copy(fh, out, offset + size - remaining, chunk)
            remaining -= len(chunk)


def _read_header(path: Path) -> dict[str, Any] | None:
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            if size < _TAIL:
                return None
            fh.seek(size - _TAIL)
            tail = fh.read(_TAIL)
            if tail[8:] != MAGIC:
                return None
            length = int.from_bytes(tail[:8], "little")
            if length > size - _TAIL:
                return None
            fh.seek(size - _TAIL - length)
            header = json.loads(fh.read(length))
    except (OSError, ValueError):
        return None
    if not isinstance(header, dict):
        return None
    try:
        count, body, shards = int(header["count"]), int(header["body_bytes"]), int(header["shards"])
        digest_lines = int(header["digest_lines_bytes"])
    except (KeyError, TypeError, ValueError):
        return None
    checks = header.get("tables_xxh3")
    if not (isinstance(checks, list) and len(checks) == 2 and all(isinstance(c, str) for c in checks)):
        return None
    body_file = header.get("body_file")
    if body_file is not None and (not isinstance(body_file, str) or Path(body_file).name != body_file
                                  or not isinstance(header.get("body_offset"), int)):
        return None
    if (0 if body_file else body) + 40 * count + digest_lines + 8 * shards + length + _TAIL != size:
        return None
    return header


def _doc_to_json(doc: DocFile) -> list[Any]:
    return [doc.path, doc.kind, doc.bytes, doc.xxh3_128, doc.sha256]


def summary_to_json(summary: ShardSummary) -> dict[str, Any]:
    """`summary` as JSON data (`summary_from_json` reads it back)."""
    return {"shards": summary.shards, "bytes": summary.bytes, "records": summary.records,
            "text_bytes": summary.text_bytes, "errors": summary.errors, "first_error": summary.first_error,
            "uncounted": summary.uncounted, "first_uncounted": summary.first_uncounted,
            "schemaless": summary.schemaless, "first_schemaless": summary.first_schemaless,
            "columns": [[c.name, c.type] for c in summary.columns],
            "column_types": [[name, list(types)] for name, types in summary.column_types],
            "formats": [[f.format, f.compression, f.shards, f.records, f.bytes] for f in summary.formats],
            "license_column_bytes": summary.license_column_bytes, "records_digest": summary.records_digest}


def summary_from_json(data: dict[str, Any]) -> ShardSummary:
    """The ShardSummary `summary_to_json` made `data` from."""
    return ShardSummary(
        shards=data["shards"], bytes=data["bytes"], records=data["records"], text_bytes=data["text_bytes"],
        errors=data["errors"], first_error=data["first_error"], uncounted=data["uncounted"],
        first_uncounted=data["first_uncounted"], schemaless=data["schemaless"],
        first_schemaless=data["first_schemaless"], columns=tuple(Column(n, t) for n, t in data["columns"]),
        column_types=tuple((n, tuple(t)) for n, t in data["column_types"]),
        formats=tuple(FormatTotals(*f) for f in data["formats"]),
        license_column_bytes=data["license_column_bytes"], records_digest=data["records_digest"])

