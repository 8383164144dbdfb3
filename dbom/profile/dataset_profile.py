"""A scanned dataset's content profile: its shards' records read, one accumulator a shard, merged.

`--profile exact` feeds every record of every readable shard; `--profile sample` does too (domains,
the period, bytes and characters are counted on every record), but words, tokens, languages and
personal data only on a seeded sample of the records, extrapolated by bytes. The sample's rate is a
power of two no larger than SAMPLE_BYTES over the bytes of the dataset's files in formats the profile
reads, as listed before any is read (`profiled_bytes`: at most that many bytes of uncompressed shards
are sampled, more of compressed ones), and a record is drawn by a hash of its shard's content digest
and its place: the sample depends on the data alone, not on file names or the order of the scan.

A sampled JSON Lines or text shard is sampled from the blocks its inspection reads (`InlineProfile`, in
the worker process that inspects it), and its sampled rows profiled by the scan's own process, many
shards' together (`DatasetProfiler.profile_sampled`): the file is read once. A Parquet shard with no
text, URL or date field is profiled from its footer there too. The other shards, and those whose
fingerprint was cached but not their profile, are read again here (`DatasetProfiler.read`; of a Parquet
file only the fields' columns); both ways give the same profile of the same file.

A shard's accumulator is cached under its content digest and everything the profile depends on
(format, compression, rate, tokenizer, fields), so a rescan of unchanged shards reads no record.
"""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dbom.errors import DbomError
from dbom.model import HASH_SOURCE_STORE, Shard

if TYPE_CHECKING:
    from dbom.fingerprint.cache import FingerprintCache
    from dbom.formats.lines import ByteCounter
    from dbom.profile.accumulator import ProfileAccumulator
    from dbom.profile.dataset_total import DatasetTotal
    from dbom.profile.fields import FieldSpec
    from dbom.profile.sampled_lines import LineSampler
    from dbom.profile.sampling import RecordSample
    from dbom.profile.tokenizer import TokenCounter

PROFILE_MODES = ("off", "sample", "exact")
# a shard's profile as the dataset's merge takes it: an accumulator, or its JSON (`to_json`'s), or none
Profiled = Any
TABLE_BATCH_ROWS = 4096
PROFILE_KEY = "profile\0"
# A shard of JSON rows at most this large read whole is profiled with others (`DatasetProfiler.read_each`): a
# file of a few records profiled alone cost about 0.5 ms, most of it a call per batch (Arrow, the tokenizer)
ROWS_TOGETHER_BYTES = 64 << 10
# Those profiled together at once: at most this many shards, or this many bytes of them
TOGETHER_SHARDS = 512
TOGETHER_BYTES = 8 << 20
_ROW_FORMATS = frozenset({"jsonl", "text", "json"})  # `record_batches` gives them as JSON rows


@dataclass(frozen=True)
class ProfileSettings:
    """How to profile a scan's datasets."""

    mode: str = "off"
    tokenizer: TokenCounter | None = None
    sme: bool = False

    def identity(self, spec: FieldSpec) -> str:
        """What a dataset's profile depends on besides its shards: for the cache and the kept lines."""
        tokenizer = self.tokenizer.sha256 if self.tokenizer is not None else ""
        return f"{self.mode}\0{tokenizer}\0{int(self.sme)}\0{spec.text}\0{spec.url}\0{spec.date}"


def sample_rate(expected_bytes: int, mode: str) -> float:
    """The dataset's sampling rate: 1 for `exact`, else the largest power of two at most SAMPLE_BYTES / bytes."""
    from dbom.profile.sampling import sampling_rate

    return 1.0 if mode == "exact" else sampling_rate(expected_bytes, power_of_two=True)


class DatasetProfiler:
    """How one dataset's shards are profiled: the sample (its rate from `rate_bytes`, the bytes it is drawn
    from) and the key each shard's profile is cached under; `read` profiles one shard from its file."""

    def __init__(self, settings: ProfileSettings, spec: FieldSpec, rate_bytes: int) -> None:
        from dbom.profile.accumulator import PROFILE_FORMAT
        from dbom.profile.sampling import RecordSample

        self.settings = settings
        self.spec = spec
        self.rate_bytes = rate_bytes
        self.sample = RecordSample(sample_rate(rate_bytes, settings.mode))
        self._setting = json.dumps([PROFILE_FORMAT, self.sample.threshold, settings.identity(spec)])

    @property
    def setting(self) -> str:
        """All a shard's profile depends on but its content: two profilers of the same setting profile alike."""
        return self._setting

    def key(self, shard: Shard) -> str:
        """The cache key of the shard's profile: its content digest and all the profile depends on."""
        digest = shard.xxh3_128 or f"sha256:{shard.sha256}"
        return f"{PROFILE_KEY}{digest}\0{shard.format}\0{shard.compression or ''}\0{self._setting}"

    def read(self, shard: Shard, path: Path) -> ProfileAccumulator:
        """The profile of `shard`, whose file is at `path` (DbomError naming it when its records cannot be read)."""
        from dbom.profile.sampled_lines import LINE_FORMATS, LineTotals, sampled_lines
        from dbom.profile.shard_records import record_batches

        one = self._accumulator(shard)
        if not self.sample.exact and shard.format in LINE_FORMATS:  # parse the sampled lines only
            totals = LineTotals()
            for rows, sizes in sampled_lines(path, shard.compression, shard.format == "jsonl", self.sample,
                                             one.shard_key, totals):
                one.add_sampled(rows, sizes)
            one.count_lines(totals.lines, totals.bytes)
        elif shard.format == "parquet":
            for batch in self._parquet_batches(shard, path):
                one.add(batch)
        else:
            for batch in record_batches(path, shard.format, shard.compression):
                one.add(batch)
        return one

    def read_each(self, shards: Iterable[tuple[Shard, Path]], jobs: int) -> Iterator[ProfileAccumulator | DbomError]:
        """`read` of each (shard, its file's path), in order, or the DbomError that leaves it out; on up to `jobs`
        threads. Small shards whose records `read` would parse whole as JSON rows are read so on the threads, and
        profiled many together (`add_rows_together`): the same profiles, at a fraction of the cost of one each."""
        from dbom.fingerprint.executor import ordered_map

        def one(item: tuple[Shard, Path]) -> ProfileAccumulator | _Rows | DbomError:
            shard, path = item
            try:
                if self._together(shard):
                    from dbom.profile.shard_records import record_batches

                    return _Rows(shard, list(record_batches(path, shard.format, shard.compression)))
                return self.read(shard, path)
            except DbomError as exc:
                return exc

        waiting: list[_Rows] = []
        waiting_bytes = 0
        for found in ordered_map(one, shards, jobs):
            if isinstance(found, _Rows):
                waiting.append(found)
                waiting_bytes += found.shard.bytes
                if len(waiting) < TOGETHER_SHARDS and waiting_bytes < TOGETHER_BYTES:
                    continue
                found = None
            if waiting:
                yield from self.profile_rows(waiting)
                waiting, waiting_bytes = [], 0
            if found is not None:
                yield found
        if waiting:
            yield from self.profile_rows(waiting)

    def _together(self, shard: Shard) -> bool:
        """Whether `read` parses the whole of `shard` as JSON rows, and it is small (`read_each`)."""
        from dbom.profile.sampled_lines import LINE_FORMATS

        sampled = not self.sample.exact and shard.format in LINE_FORMATS  # `read` parses the sampled lines only
        return shard.format in _ROW_FORMATS and not sampled and shard.bytes <= ROWS_TOGETHER_BYTES

    def profile_rows(self, shards: Sequence[_Rows]) -> list[ProfileAccumulator | DbomError]:
        """The profile of each shard from its records read as JSON rows (`_Rows`), as `read` makes it, or the
        DbomError that leaves it out; profiled together, each on its own where that fails (which one it was)."""
        from dbom.profile.accumulator import add_rows_together

        profiles = [self._accumulator(rows.shard) for rows in shards]
        try:
            add_rows_together([(one, batch) for one, rows in zip(profiles, shards, strict=True)
                               for batch in rows.batches])
        except DbomError as exc:
            if len(shards) == 1:
                return [exc]
            return [self.profile_rows([rows])[0] for rows in shards]
        return list(profiles)

    def _parquet_batches(self, shard: Shard, path: Path) -> Iterator[Any]:
        """A Parquet shard's record batches of just the columns that hold its text, URL and date fields (found
        in its schema as the accumulator finds them): a wide table's other columns are never decoded."""
        import pyarrow.parquet as pq

        from dbom.profile.fields import JOIN, find_fields
        from dbom.profile.shard_records import ROWS_PER_BATCH as ROWS

        try:
            parquet = pq.ParquetFile(path)
            fields = find_fields(parquet.schema_arrow, self.spec, shard.path)
            found = [field for field in (fields.text, fields.url, fields.date) if field]
            parts = [part for field in found for part in field.split(JOIN)]
            columns = [name for name in parquet.schema_arrow.names
                       if any(part == name or part.startswith((f"{name}.", f"{name}[]")) for part in parts)]
            yield from parquet.iter_batches(batch_size=ROWS, columns=columns)
        except DbomError:
            raise
        except (OSError, ValueError, RuntimeError) as exc:
            raise DbomError(str(path), f"cannot read its records for the profile: {' '.join(str(exc).split())}"
                            ) from None

    def inline(self, shard: Shard) -> InlineProfile | None:
        """What samples `shard` from the blocks its inspection reads (one read of the file), for a
        line-per-record shard read with a sample, or profiles a Parquet shard from its footer when it has
        no field the profile reads; None for the others (`read` profiles them)."""
        from dbom.profile.sampled_lines import LINE_FORMATS

        if not (shard.xxh3_128 or shard.sha256):
            return None
        key = shard.xxh3_128 or f"sha256:{shard.sha256}"
        if shard.format == "parquet":  # profiled here only when it has no field the profile reads (`table`)
            return InlineProfile(False, self.sample, key, self.spec)
        if self.sample.exact or shard.format not in LINE_FORMATS:
            return None
        return InlineProfile(shard.format == "jsonl", self.sample, key)

    def profile_sampled(self, shards: Sequence[tuple[Shard, SampledLines]]) -> list[ProfileAccumulator | DbomError]:
        """The profile of each shard from its sampled lines (`InlineProfile.result`): what `read` makes of its
        file, or the DbomError (naming the shard) that leaves it out. The shards' rows are profiled together
        (`add_sampled_together`), so that many small shards cost about as much as one holding their rows."""
        from dbom.profile.accumulator import add_sampled_together

        profiles = [self._accumulator(shard) for shard, _ in shards]
        try:
            add_sampled_together([(one, sampled.rows, sampled.sizes)
                                  for one, (_, sampled) in zip(profiles, shards, strict=True) if sampled.rows])
        except (DbomError, OSError, ValueError) as exc:
            if len(shards) == 1:
                return [DbomError(shards[0][0].path, _cause(exc))]
            return [self.profile_sampled([one])[0] for one in shards]  # which shard it was: each on its own
        for one, (_, sampled) in zip(profiles, shards, strict=True):
            one.count_lines(sampled.lines, sampled.line_bytes)
        return list(profiles)

    def profile_read(self, shard: Shard, path: Path, made: SampledLines | str | None) -> ProfileAccumulator:
        """The profile of `shard`, whose file is at `path`, from what its inspection made of it (`made`, an
        `InlineProfile.result`), or read from the file when it made nothing. DbomError when it is left out."""
        if isinstance(made, str):
            raise DbomError(str(path), made)
        if made is None:
            return self.read(shard, path)
        one = self.profile_sampled([(shard, made)])[0]
        if isinstance(one, DbomError):
            raise DbomError(str(path), one.cause)
        return one

    def _accumulator(self, shard: Shard) -> ProfileAccumulator:
        from dbom.profile.accumulator import ProfileAccumulator

        return ProfileAccumulator(self.spec, tokenizer=self.settings.tokenizer, sample=self.sample,
                                  shard_key=shard.xxh3_128 or f"sha256:{shard.sha256}", name=shard.path)


@dataclass(frozen=True)
class _Rows:
    """A shard's records, read as batches of JSON rows, waiting to be profiled with others (`read_each`)."""

    shard: Shard
    batches: list[Any]


@dataclass(frozen=True)
class SampledLines:
    """A line-per-record shard's sampled records (JSON rows, each with its line's bytes) and the count and bytes
    of all its lines: what its profile is made of (`DatasetProfiler.profile_sampled`). A table with no field
    the profile reads has no rows and no bytes: `lines` is its records."""

    rows: list[Any]
    sizes: list[int]
    lines: int
    line_bytes: int


class InlineProfile:
    """A line-per-record shard's sample, drawn from the blocks its inspection reads as they go by (`tap`,
    `tap_lines`): the lines `DatasetProfiler.read` would sample, without reading the file again. It goes to
    the worker process that inspects the shard; the sampled rows come back (`result`) and are profiled by
    the scan's own process, so that the workers never load the profile's libraries."""

    def __init__(self, as_json: bool, sample: RecordSample, key: str, spec: FieldSpec | None = None) -> None:
        self.as_json = as_json
        self.sample = sample
        self.key = key
        self.spec = spec
        self._result: SampledLines | str | None = None

    def table(self, schema: Any, rows: int) -> None:
        """A table's schema and row count (a Parquet footer's): when it has no field the profile reads, its
        profile is its row count alone (the same as `DatasetProfiler.read` makes of its data)."""
        from dbom.profile.fields import find_fields

        try:
            fields = find_fields(schema, self.spec)
        except DbomError:
            return  # a stated field it lacks: `read` names the file
        if fields.text is None and fields.url is None and fields.date is None:
            self._result = SampledLines([], [], rows, 0)

    def tap(self, blocks: Iterable[bytes]) -> Iterator[bytes]:
        """`blocks`, each sampled before it is passed on; the sample is ready once they all went by."""
        from dbom.profile.sampled_lines import LineSampler

        sampler: LineSampler | None = LineSampler(self.as_json, self.sample, self.key)
        for block in blocks:
            if sampler is not None:
                sampler = self._fed(sampler, sampler.feed, block)
            yield block
        if sampler is not None and self._fed(sampler, lambda _: sampler.finish(), None) is not None:
            self._result = SampledLines(sampler.rows, sampler.sizes, sampler.totals.lines, sampler.totals.bytes)

    def tap_lines(self, batches: Iterable[tuple[int, list[str]]], counter: ByteCounter
                  ) -> Iterator[tuple[int, list[str]]]:
        """The JSON Lines reader's batches of decoded lines (dbom.formats.lines, whose `counter` counts the
        lines' bytes), each sampled before it is passed on; the sample is ready once they all went by."""
        from dbom.profile.sampled_lines import LineSampler

        sampler: LineSampler | None = LineSampler(self.as_json, self.sample, self.key)
        for batch in batches:
            if sampler is not None:
                sampler = self._fed(sampler, sampler.feed_lines, batch[1])
            yield batch
        if sampler is not None:
            self._result = SampledLines(sampler.rows, sampler.sizes, sampler.totals.lines, counter.line_bytes)

    def _fed(self, sampler: LineSampler, feed: Callable[[Any], None], data: Any) -> LineSampler | None:
        """`feed(data)`; None (and the error's cause as the result) when a sampled line cannot be read."""
        try:
            feed(data)
        except (DbomError, OSError, ValueError) as exc:
            self._result = _cause(exc)
            return None
        return sampler

    def result(self) -> SampledLines | str | None:
        """The shard's sampled lines; the cause of the error that left it out of the profile; None when the
        blocks were not all read (the shard is then profiled by `DatasetProfiler.read`)."""
        return self._result


def _cause(exc: BaseException) -> str:
    if isinstance(exc, DbomError):
        return exc.cause
    return f"cannot read its records for the profile: {' '.join(str(exc).split())}"


def profiled_bytes(files: Iterable[tuple[str, int]]) -> int:
    """The bytes a dataset's sampling rate is set from, known before any file is read: the sizes of its
    files (relative path, bytes) whose names say a format the profile reads."""
    from pathlib import PurePosixPath

    from dbom.formats import detect
    from dbom.formats.detect import COMPRESSION_SUFFIXES, METADATA_NAMES
    from dbom.profile.shard_records import PROFILED_FORMATS

    profiled: dict[str, bool] = {}  # by the suffixes `detect` reads: the last, and the one before a compression's
    total = 0
    for relpath, size in files:
        name = relpath[relpath.rfind("/") + 1:].lower()
        last = name.rfind(".")
        tail = name[last:] if last > 0 else ""
        if tail in COMPRESSION_SUFFIXES:
            before = name.rfind(".", 0, last)
            tail = name[before:] if before > 0 else tail
        known = profiled.get(tail)
        if known is None or name in METADATA_NAMES:
            found = detect(PurePosixPath(relpath), b"")  # type: ignore[arg-type]
            known = found is not None and found.format in PROFILED_FORMATS
            if name not in METADATA_NAMES:
                profiled[tail] = known
        if known:
            total += size
    return total


def profiled_shards(shards: Sequence[Shard]) -> list[Shard]:
    """The shards whose records the profile reads."""
    from dbom.profile.shard_records import PROFILED_FORMATS

    return [s for s in shards if not s.error and s.format in PROFILED_FORMATS and (s.xxh3_128 or s.sha256)]


def profile_total(shards: Sequence[Shard], root: Path, settings: ProfileSettings, spec: FieldSpec,
                  cache: FingerprintCache | None, keep_going: bool, warn: Callable[[str], None],
                  profiler: DatasetProfiler | None = None,
                  ready: Mapping[str, ProfileAccumulator | DbomError] | None = None) -> DatasetTotal:
    """The merged content profile of a dataset whose shards are `shards` under `root` (one file: `root`),
    with the counts a later rescan patches it by (dbom.profile.dataset_total; its bytes by modality are
    the caller's to add).

    `profiler` and `ready`: for shards that were profiled as they were read (a remote dataset's, whose files
    are gone by now, or those sampled as inspected), the profiler they were read with and their profiles (or
    their JSON text, or errors) by key."""
    import orjson

    from dbom.fingerprint.executor import default_jobs
    from dbom.profile.accumulator import ProfileAccumulator
    from dbom.profile.dataset_total import DatasetTotal

    readable = profiled_shards(shards)
    trusted = [s for s in readable if s.hash_source == HASH_SOURCE_STORE]
    if trusted:  # --trust-store-checksums: their bytes were not fetched
        warn(f"{len(trusted)} shard{'s' * (len(trusted) != 1)} left out of the content profile: with "
             "--trust-store-checksums their records are not read")
        readable = [s for s in readable if s.hash_source != HASH_SOURCE_STORE]
    profiler = profiler or DatasetProfiler(settings, spec, profiled_bytes((s.path, s.bytes) for s in shards))
    ready = ready or {}
    total = DatasetTotal(ProfileAccumulator(spec, tokenizer=settings.tokenizer, sample=profiler.sample))
    total.readable, total.rate_bytes = len(readable), profiler.rate_bytes
    if not readable:
        return total
    known = cache.under(PROFILE_KEY) if cache is not None else {}

    def known_profile(shard: Shard) -> tuple[str, Profiled, DbomError | None]:
        """(its cache key, "" when the cache has it already; its profile, or its JSON as `to_json` wrote it;
        or the error that left it out) of a shard profiled as it was read or cached."""
        key = profiler.key(shard)
        found = ready.get(key)
        if found is not None:
            if isinstance(found, DbomError):
                return key, None, found
            return key, orjson.loads(found) if isinstance(found, str) else found, None  # str: its JSON
        assert cache is not None
        return "", cache.decode([known[key]])[0], None

    def read(shard: Shard) -> tuple[str, Profiled, DbomError | None]:
        """(its cache key, its profile, or the error that left it out), from its file (a damaged cache entry's)."""
        try:
            return profiler.key(shard), profiler.read(shard, root / shard.path if root.is_dir() else root), None
        except DbomError as exc:
            return profiler.key(shard), None, exc

    at_hand = [key in ready or key in known for key in map(profiler.key, readable)]
    # the files to read on threads (decompressing, finding lines, tokenizing and reading files let go of the
    # GIL), all merged in the shards' order: the same profile whatever the threads did first; the others'
    # profiles decoded one at a time, as they are merged
    to_read = [s for s, here in zip(readable, at_hand, strict=True) if not here]
    reads = profiler.read_each(((s, root / s.path if root.is_dir() else root) for s in to_read), default_jobs())

    def profiles() -> Iterator[tuple[str, Profiled, DbomError | None]]:
        for shard, here in zip(readable, at_hand, strict=True):
            if here:
                yield known_profile(shard)
                continue
            found = next(reads)
            yield (profiler.key(shard), None, found) if isinstance(found, DbomError) else (
                profiler.key(shard), found, None)

    for shard, (key, one, error) in zip(readable, profiles(), strict=True):
        if error is None and one is None:  # a cache entry that is not JSON: read again
            key, one, error = read(shard)
        if error is None and one is not None and not isinstance(one, ProfileAccumulator):
            try:
                total.add(one)  # 10^6 cached profiles: no accumulator made for each
            except (LookupError, TypeError, ValueError, AttributeError):  # a damaged cache entry: read again
                key, one, error = read(shard)
            else:
                if key and cache is not None:
                    cache.put(key, one)
                continue
        if error is not None:
            if not keep_going:
                raise error
            warn(f"{shard.path}: left out of the content profile ({error.cause})")
            continue
        assert isinstance(one, ProfileAccumulator)
        total.add(one)
        if key and cache is not None:
            cache.put(key, one.to_json())
    return total


def table_profile_properties(parts: Sequence[tuple[str, Any]], settings: ProfileSettings,
                             spec: FieldSpec) -> tuple[tuple[str, str], ...]:
    """The `dbom:profile:*` properties of a dataset given as Arrow tables (a `datasets` object's splits, in
    memory or memory-mapped): `parts` are (key, table), the key the digest of the table's content, by which
    its records are drawn; read in record batches, merged in order."""
    from dbom.profile.accumulator import ProfileAccumulator
    from dbom.profile.result import profile_of
    from dbom.profile.sampling import RecordSample

    if not parts:
        return ()
    sample = RecordSample(sample_rate(sum(int(table.nbytes) for _, table in parts), settings.mode))
    total = ProfileAccumulator(spec, tokenizer=settings.tokenizer, sample=sample)
    for key, table in parts:
        one = ProfileAccumulator(spec, tokenizer=settings.tokenizer, sample=sample, shard_key=key)
        for batch in table.to_batches(max_chunksize=TABLE_BATCH_ROWS):
            one.add(batch)
        total.merge(one)
    return tuple(profile_of(total, settings.sme).properties())


@dataclass(frozen=True)
class DroppedProfiles:
    """The cached profiles of the shards a partial rescan takes out (`dropped_profiles`)."""

    keys: list[str]  # a key a profiled shard, in order
    texts: dict[str, str]  # by key, as the cache holds them: a touched file's are its new profile too


def dropped_profiles(dropped: Sequence[Shard], profiler: DatasetProfiler, cache: FingerprintCache | None
                     ) -> DroppedProfiles:
    """The cached profiles of the shards `dropped` (gone or changed, as last scanned): what `patched_total` takes
    out, fetched while the changed files are read. NotExact when one is gone. With no `cache`, their keys only:
    `patched_total` has those it takes out summed elsewhere (`summed_profiles`), or fetches them itself."""
    from dbom.profile.dataset_total import NotExact

    if any(shard.hash_source == HASH_SOURCE_STORE for shard in dropped):
        raise NotExact("a shard whose records are not read")
    keys = [profiler.key(shard) for shard in profiled_shards(dropped)]
    if cache is None:
        return DroppedProfiles(keys, {})
    texts = cache.values_of(keys)
    if any(key not in texts for key in keys):
        raise NotExact("a changed shard's cached profile is gone")
    return DroppedProfiles(keys, texts)


# Fewer profiles than this to take out are taken out by the scan's own process (a worker's reply costs more),
# and fewer new ones are looked up in the cache by it, not beside it on a thread (`_HeldKeys`).
SUMMED_BESIDE = 1000


def summed_profiles(path: Path, keys: list[str], blank: ProfileAccumulator) -> DatasetTotal | None:
    """In a worker process: the profiles the cache file at `path` holds under `keys` (a key as often as it is
    taken out), added up in a DatasetTotal of `blank` that `DatasetTotal.subtract` takes out at once. None when
    one is missing, damaged or counted otherwise, or when their domains are past exact counting: the scan's
    process then takes each out, and says why if it cannot."""
    import sqlite3

    import orjson

    from dbom.fingerprint.cache import FingerprintCache
    from dbom.profile.dataset_total import DatasetTotal

    try:
        texts = FingerprintCache.stored_values(path, list(dict.fromkeys(keys)))
    except sqlite3.Error:
        return None
    summed = DatasetTotal(blank)
    for key in keys:
        text = texts.get(key)
        if text is None:
            return None
        try:
            summed.add(orjson.loads(text))
        except (LookupError, TypeError, ValueError):
            return None
    return summed if summed.total.domains.exact else None


def patched_total(state: Any, dropped: Sequence[Shard], added: Sequence[Shard], root: Path,
                  profiler: DatasetProfiler, ready: Mapping[str, Any], cache: FingerprintCache,
                  taken_out: DroppedProfiles | None = None,
                  summing: Callable[[list[str], ProfileAccumulator], Callable[[], Any]] | None = None) -> DatasetTotal:
    """The dataset's profile as kept with its lines (`state`: `DatasetTotal.to_json`'s), with the shards `dropped`
    (gone or changed, as last scanned: their profiles are the cache's, `taken_out` when already fetched by
    `dropped_profiles`) taken out and the shards `added` (new or changed, just read under `root`: their profiles
    in `ready` by key, else read here) put in: what `profile_total` makes of the whole dataset, with the bytes
    by modality. A shard put in whose content a shard taken out had (a file touched) changes nothing: the pair
    is left out, its profile neither decoded nor merged. NotExact when it cannot be.

    `summing(keys, blank)`: has `summed_profiles` of the profiles to take out made elsewhere (a worker process)
    while the shards are put in here, and returns what waits for it; used for SUMMED_BESIDE of them or more."""
    import orjson

    from dbom.profile.dataset_total import DatasetTotal, NotExact

    total = DatasetTotal.from_json(state)
    sample = total.total.sample
    if (sample.threshold, sample.seed) != (profiler.sample.threshold, profiler.sample.seed):
        raise NotExact("the dataset's sampling rate changed")
    total.rate_bytes = profiler.rate_bytes
    if any(shard.hash_source == HASH_SOURCE_STORE for shard in added):
        raise NotExact("a shard whose records are not read")
    if taken_out is None:
        taken_out = dropped_profiles(dropped, profiler, cache)
    folder = root.is_dir()
    left = Counter(taken_out.keys)  # the dropped shards' profiles not cancelled by an added one's
    new: list[tuple[Shard, str]] = []  # the added shards put in, with their keys
    for shard in profiled_shards(added):
        key = profiler.key(shard)
        if left[key]:
            left[key] -= 1
        else:
            new.append((shard, key))
    out: list[str] = []  # the dropped shards' keys taken out, each as often as dropped
    for key in taken_out.keys:
        if left[key]:
            left[key] -= 1
            out.append(key)
    summed = summing(out, total.total.blank()) if summing is not None and len(out) >= SUMMED_BESIDE else None
    made = [key for _, key in new if key in ready and key not in taken_out.texts]  # cached unless held already
    held = _HeldKeys(cache, made) if len(made) >= SUMMED_BESIDE and not cache.failed else None
    try:
        to_put = _put_in(total, new, added, root, folder, profiler, ready, cache, taken_out, held is None)
    finally:  # waited for even when putting in failed: the worker must be left holding no reply
        removed = None
        if summed is not None:
            with contextlib.suppress(DbomError):  # the worker stopped: each is taken out here (the next read says so)
                removed = summed()
    known = held.keys() if held is not None else ()
    for key, one in to_put:
        if key not in known:
            cache.put(key, one)
    if removed is not None:
        total.subtract(removed)
        total.readable -= len(out)
    else:
        texts = taken_out.texts if all(key in taken_out.texts for key in out) else cache.values_of(out)
        for key in out:
            if key not in texts:
                raise NotExact("a changed shard's cached profile is gone")
            try:
                total.remove(orjson.loads(texts[key]))
            except orjson.JSONDecodeError:
                raise NotExact("a damaged cached profile") from None
            total.readable -= 1
    for shard in dropped:
        if not shard.error:
            total.remove_modality(shard)
    total.check_exact()
    return total


class _HeldKeys:
    """Which of `keys` the cache holds, looked up on a thread of its own (a connection of its own to the file)
    while the profiles are put in: when its pages are no longer in memory, the lookup waits on the disk."""

    def __init__(self, cache: FingerprintCache, keys: list[str]) -> None:
        import threading

        self._cache, self._keys = cache, keys
        self._found: set[str] | None = None
        self._thread = threading.Thread(target=self._look_up, daemon=True)
        self._thread.start()

    def _look_up(self) -> None:
        import sqlite3

        from dbom.fingerprint.cache import FingerprintCache

        with contextlib.suppress(sqlite3.Error):
            self._found = FingerprintCache.stored_keys(self._cache.path, self._keys)

    def keys(self) -> Container[str]:
        """The keys held (asked of the cache itself, pending entries included, if the file could not be read)."""
        self._thread.join()
        return self._found if self._found is not None else self._cache.values_of(self._keys).keys()


def _put_in(total: DatasetTotal, new: list[tuple[Shard, str]], added: Sequence[Shard], root: Path, folder: bool,
            profiler: DatasetProfiler, ready: Mapping[str, Any], cache: FingerprintCache,
            taken_out: DroppedProfiles, look_up_made: bool) -> list[tuple[str, Any]]:
    """`patched_total`'s putting in: the profiles of the shards `new` (by key), and the bytes by modality of all
    `added`. Returns the profiles to put in the cache, unless it holds them (those of `ready`, made as their files
    were read, are looked up here only with `look_up_made`)."""
    import orjson

    from dbom.fingerprint.executor import default_jobs
    from dbom.profile.accumulator import ProfileAccumulator
    from dbom.profile.dataset_total import NotExact
    from dbom.profile.modality import TEXT_FORMATS

    # a file changed back: its profile may be cached already
    cached = {**taken_out.texts, **cache.values_of(key for _, key in new if key not in taken_out.texts
                                                   and (look_up_made or key not in ready))}
    to_put: list[tuple[str, Any]] = []
    reads = profiler.read_each(((shard, root / shard.path if folder else root) for shard, key in new
                                if key not in ready and key not in cached), default_jobs())
    for shard, key in new:  # put in first: a shard changed in place keeps its dates' count
        one = ready.get(key)
        try:
            if one is None:
                one = cached[key] if key in cached else next(reads)  # cached: its content was profiled before
            if isinstance(one, DbomError):
                raise one
            elif isinstance(one, str):  # its JSON
                one = orjson.loads(one)
            total.add(one)
        except (DbomError, LookupError, TypeError, ValueError) as exc:
            raise NotExact(f"{shard.path}: {exc}") from None  # the whole path warns of it, or stops
        total.readable += 1
        if key not in cached:
            to_put.append((key, one.to_json() if isinstance(one, ProfileAccumulator) else one))
    for shard in added:
        if not shard.error:
            total.add_modality(shard, None if shard.format in TEXT_FORMATS else root / shard.path if folder else root)
    return to_put
