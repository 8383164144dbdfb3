"""The profile of records as they stream by: one accumulator per shard, merged into its dataset's.

One accumulator profiles one shard, fed its records in order from the first: a record is sampled by the hash
of (`shard_key`, its index in the shard), so with the shard's content digest as its key the sample, and so
the cached profile, depend on the shard's content only. Fields are found (`fields`) in the schema of the
first Arrow batch, or in the first 100 objects of the first batch of JSON rows, and kept for the shard.

`ProfileAccumulator.add` takes a pyarrow RecordBatch or Table, or a list of dict rows (JSON records). What it
counts, and on which records:

- on every record: records, text bytes (UTF-8) and characters (code points) of the text field, bytes and
  records per registered domain of the URL field (a record's bytes are its text's bytes), and the first and
  last date of the date field (dates, timestamps as their UTC date, or strings starting `YYYY-MM-DD`);
- on the sampled records (all of them without a sample): words (runs of characters that are not white space,
  as Python's `str.split()` cuts them), tokens (with a tokenizer), languages (`languages`) and personal data
  (`pii`), extrapolated to every record by bytes (`sampling`).

The state is integers only: `to_json` writes it (sorted, so the same records fed in the same order, and
profiles merged in the same order, give the same JSON byte for byte) and `from_json` reads it back, for the
fingerprint cache. `merge` adds another shard's profile; both must have the same tokenizer and sample.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Mapping, Sequence
from typing import Any

from dbom.profile.domain_counts import DOMAIN_LIMIT, DomainCounts
from dbom.profile.fields import Fields, FieldSpec, find_fields
from dbom.profile.pii import PII_KINDS, count_pii
from dbom.profile.records import Columns, arrow_columns, batches_of, row_columns
from dbom.profile.sampling import UNIT as _UNIT
from dbom.profile.sampling import RatioSums, RecordSample
from dbom.profile.tokenizer import TokenCounter

PROFILE_FORMAT = 3  # part of the cache keys and of the kept lines' identity: bump when what is counted changes
_ROLES = ("text", "url", "date")
_DISCOVERY_ROWS = 100  # JSON rows have no schema: fields are found in the first batch's first 100 objects
# the counters `to_json` writes at its top level, which `merge` adds
_JSON_COUNTERS = ("records", "x_total", "text_records", "text_bytes", "characters", "sampled_records", "sampled_bytes",
                  "sampled_xx", "sampled_characters")
_NO_DAY = -(1 << 31)  # no date (int32's least value: date32 holds no such day)
_EPOCH = datetime.date(1970, 1, 1)


@functools.cache
def _language_identifier() -> Any:
    from dbom.profile.languages import LanguageIdentifier

    return LanguageIdentifier()


@functools.cache
def _domain_resolver() -> Any:
    from dbom.profile.domains import DomainResolver

    return DomainResolver()


class ProfileAccumulator:
    """The content profile of one shard (or, merged, of a dataset): see the module's docstring."""

    def __init__(self, spec: FieldSpec | None = None, *, tokenizer: TokenCounter | None = None,
                 sample: RecordSample | None = None, shard_key: str = "", name: str | None = None,
                 domain_limit: int = DOMAIN_LIMIT) -> None:
        self.spec = spec or FieldSpec()
        self.tokenizer = tokenizer
        self.tokenizer_identity = tokenizer.identity() if tokenizer is not None else None
        self.sample = sample or RecordSample(1.0)
        self.shard_key = shard_key
        self.name = name  # the file an error names
        self.fields: Fields | None = None
        self.fields_seen: dict[str, set[str]] = {role: set() for role in _ROLES}
        self.records = 0
        # A JSON Lines or text shard read with a sample (`add_sampled`): only the sampled records were parsed,
        # each weighed by its line's bytes; their totals are `x_total` and `records` (`count_lines`).
        self.presampled = False
        self.x_total = 0  # the bytes every record is weighed by: its text's, or its line's when presampled
        self.text_records = 0
        self.text_bytes = 0
        self.characters = 0
        self.sampled_records = 0
        self.sampled_bytes = 0
        self.sampled_xx = 0  # sum of the squared bytes of sampled records
        self.sampled_characters = 0
        self.sums: dict[str, RatioSums] = {"words": RatioSums(), "text_bytes": RatioSums(), "characters": RatioSums(),
                                           **{kind: RatioSums() for kind in PII_KINDS}}
        if tokenizer is not None:
            self.sums["tokens"] = RatioSums()
        self.language_bytes: dict[str, int] = {}
        self.domains = DomainCounts(domain_limit)
        self.dated_records = 0
        self.first_date: str | None = None
        self.last_date: str | None = None

    # --- feeding ---------------------------------------------------------------------------------------

    def add(self, records: Any) -> None:
        """Profile a pyarrow RecordBatch or Table, or a sequence of dict rows (JSON records)."""
        if isinstance(records, Sequence) and not isinstance(records, (str, bytes)):
            if self._has_fields(records):
                assert self.fields is not None
                self._add_columns(row_columns(records, self.fields))
            return
        for batch in batches_of(records):
            if self.fields is None:
                self._resolve(batch.schema)
            assert self.fields is not None
            self._add_columns(arrow_columns(batch, self.fields))

    def _has_fields(self, rows: Sequence[Any]) -> bool:
        """Whether the fields are known, found from `rows` (JSON rows, a batch) if not yet: from the first
        batch with an object. A batch before it is only counted (False)."""
        if self.fields is None:
            objects = [row for row in rows[:_DISCOVERY_ROWS] if isinstance(row, Mapping)]
            if not objects:
                self.records += len(rows)
                return False
            self._resolve(objects)
        return True

    def add_sampled(self, rows: Sequence[Any], line_bytes: Sequence[int]) -> None:
        """Profile sampled records of a line-per-record shard (dbom.profile.sampled_lines), JSON rows, each
        weighed by its line's bytes `line_bytes`; every line's count and bytes come with `count_lines`."""
        add_sampled_together([(self, rows, line_bytes)])

    def count_lines(self, lines: int, line_bytes: int) -> None:
        """Every record of a shard fed by `add_sampled`: its lines and their bytes."""
        self.records += lines
        self.x_total += line_bytes

    def _resolve(self, source: Any) -> None:
        if isinstance(source, list):  # JSON rows: a key missing from one row may be in the next
            found = [find_fields(row, self.spec, self.name) for row in source]
            self.fields = Fields(*(next((getattr(f, role) for f in found if getattr(f, role)), None)
                                   for role in _ROLES))
        else:
            self.fields = find_fields(source, self.spec, self.name)
        for role in _ROLES:
            value = getattr(self.fields, role)
            if value is not None:
                self.fields_seen[role].add(value)

    def _add_columns(self, columns: Columns) -> None:
        _add_columns_together([(self, columns.length)], columns)

    def _add_text_figures(self, texts: list[str], weights: list[int], figures: dict[str, list[int]],
                          languages: list[list[tuple[str, int]]]) -> None:
        """Add the sampled `texts`, weighed by `weights`, and their figures and languages (`_text_figures`)."""
        self.sampled_records += len(texts)
        self.sampled_characters += sum(map(len, texts))
        for name, values in figures.items():
            self.sums[name].add(weights, values)
        language_bytes = self.language_bytes
        for found in languages:
            for code, share in found:
                language_bytes[code] = language_bytes.get(code, 0) + share

    def _count_domain_slots(self, names: list[str], indices: Any, lengths: Any) -> None:
        """Count each record's domain (`names[indices[i]]`, none where -1) with its text's bytes `lengths[i]`,
        the domains in the order these records first name them (whatever other records `names` was made for)."""
        import numpy as np

        if not names:
            return
        present = indices >= 0
        slots, weights = indices[present], lengths[present]
        if not len(slots):
            return
        records = np.bincount(slots, minlength=len(names))
        sizes = np.bincount(slots, weights=weights, minlength=len(names))  # float64: exact below 2^53 per batch
        met, first = np.unique(slots, return_index=True)
        met = met[np.argsort(first, kind="stable")]
        self.domains.add((names[slot], int(sizes[slot]), int(records[slot])) for slot in met.tolist())

    def _take_days(self, days: Any) -> None:
        """Widen the period by the dates `days` (days since 1970-01-01, `_NO_DAY` for none: `_days`)."""
        dated = days[days != _NO_DAY]
        if len(dated):
            first, last = (_EPOCH + datetime.timedelta(days=int(v)) for v in (dated.min(), dated.max()))
            self._widen_period(len(dated), first.isoformat(), last.isoformat())

    def _widen_period(self, count: int, first: str, last: str) -> None:
        self.dated_records += count
        self.first_date = first if self.first_date is None else min(self.first_date, first)
        self.last_date = last if self.last_date is None else max(self.last_date, last)

    def _take_sampled(self, start: int, end: int, valid_start: int, valid_end: int, x: Any, lengths: Any,
                      characters: Any, valid: Any, texts: list[str | None], figures: dict[str, list[int]],
                      languages: list[list[tuple[str, int]]], domains: tuple[list[str], Any] | None,
                      days: Any) -> None:
        """This accumulator's part, records `start` to `end`, of sampled rows profiled together
        (`add_sampled_together`): the figures of the texts present are `valid_start` to `valid_end`."""
        xs = x[start:end]
        self.sampled_bytes += int(xs.sum())
        self.sampled_xx += int((xs * xs).sum())
        sizes = lengths[start:end]
        if figures:
            present = valid[start:end]
            self.text_records += int(present.sum())
            weights = xs.tolist()
            self.sums["text_bytes"].add(weights, sizes.tolist())
            self.sums["characters"].add(weights, characters[start:end].tolist())
            if present.any():
                self._add_text_figures([text for text in texts[start:end] if text is not None],
                                       xs[present].tolist(),
                                       {name: values[valid_start:valid_end] for name, values in figures.items()},
                                       languages[valid_start:valid_end])
        if domains is not None:
            self._count_domain_slots(domains[0], domains[1][start:end], sizes)
        if days is not None:
            self._take_days(days[start:end])

    # --- merging and serialising -------------------------------------------------------------------------

    def counted_records_only(self) -> bool:
        """Whether this profile counted records and nothing else (no text, URL, date or sample)."""
        return not (self.x_total or self.text_records or self.sampled_bytes or self.sampled_records
                    or self.dated_records or self.domains.records or self.domains.counts or self.language_bytes
                    or self.domains._hll is not None or not self.domains.exact)

    def blank(self) -> ProfileAccumulator:
        """An accumulator that counted nothing and merges with this one (its tokenizer, sample and domain limit),
        to merge profiles into that are not fed (it holds no tokenizer)."""
        other = ProfileAccumulator(domain_limit=self.domains.limit)
        other.sample, other.tokenizer_identity = self.sample, self.tokenizer_identity
        return other

    def merge(self, other: ProfileAccumulator) -> None:
        """Add another shard's profile (same tokenizer, same sample rate and seed)."""
        if other.tokenizer_identity != self.tokenizer_identity:
            raise ValueError("cannot merge profiles counted with different tokenizers")
        if (other.sample.threshold, other.sample.seed) != (self.sample.threshold, self.sample.seed):
            raise ValueError("cannot merge profiles sampled at different rates or seeds")
        for role in _ROLES:
            self.fields_seen[role] |= other.fields_seen[role]
        if other.counted_records_only():  # most shards of a table with no text, URL or date field
            self.records += other.records
            self.presampled = self.presampled or other.presampled
            return
        for attribute in ("records", "x_total", "text_records", "text_bytes", "characters", "sampled_records",
                          "sampled_bytes", "sampled_xx", "sampled_characters", "dated_records"):
            setattr(self, attribute, getattr(self, attribute) + getattr(other, attribute))
        self.presampled = self.presampled or other.presampled
        for key, sums in other.sums.items():
            self.sums.setdefault(key, RatioSums()).merge(sums)
        for code, size in other.language_bytes.items():
            self.language_bytes[code] = self.language_bytes.get(code, 0) + size
        # a presampled shard's domains were counted on its sample: scaled by the inverse of the rate (a power of two)
        self.domains.merge(other.domains.scaled(_UNIT // other.sample.threshold) if other.presampled else other.domains)
        for date in (other.first_date, other.last_date):
            if date is not None:
                self.first_date = date if self.first_date is None else min(self.first_date, date)
                self.last_date = date if self.last_date is None else max(self.last_date, date)

    def merge_json(self, data: Mapping[str, Any]) -> None:
        """`merge(ProfileAccumulator.from_json(data))`, without making the accumulator (a dataset's 10^6
        cached shard profiles are merged so). `data` is checked whole before anything is added: a damaged
        profile raises (LookupError, TypeError, ValueError) and leaves this one as it was."""
        if data.get("format") != PROFILE_FORMAT:
            raise ValueError(f"a profile of format {data.get('format')!r}, not {PROFILE_FORMAT}")
        tokenizer = dict(data["tokenizer"]) if data["tokenizer"] is not None else None
        if tokenizer != self.tokenizer_identity:
            raise ValueError("cannot merge profiles counted with different tokenizers")
        threshold, seed = int(data["sample"]["threshold"]), int(data["sample"]["seed"])
        if (threshold, seed) != (self.sample.threshold, self.sample.seed):
            raise ValueError("cannot merge profiles sampled at different rates or seeds")
        fields = {role: [str(name) for name in data["fields"].get(role, ())] for role in _ROLES}
        counters = [int(data[attribute]) for attribute in _JSON_COUNTERS]
        period = data["period"]
        dated, first, last = int(period["records"]), period["first"], period["last"]
        presampled = bool(data["presampled"])
        sums = [(str(key), int(y), int(yy), int(xy)) for key, (y, yy, xy) in data["sums"].items()]
        languages = [(str(code), int(size)) for code, size in data["languages"].items()]
        domains = DomainCounts.from_json(data["domains"])
        if domains.limit != self.domains.limit:
            raise ValueError(f"cannot merge domain counts of limits {self.domains.limit} and {domains.limit}")
        # checked: now added, as `merge` adds
        for role in _ROLES:
            self.fields_seen[role].update(fields[role])
        for attribute, value in zip(_JSON_COUNTERS, counters, strict=True):
            setattr(self, attribute, getattr(self, attribute) + value)
        self.dated_records += dated
        self.presampled = self.presampled or presampled
        for key, y, yy, xy in sums:
            ratio = self.sums.setdefault(key, RatioSums())
            ratio.y, ratio.yy, ratio.xy = ratio.y + y, ratio.yy + yy, ratio.xy + xy
        for code, size in languages:
            self.language_bytes[code] = self.language_bytes.get(code, 0) + size
        if domains.records or domains.counts or not domains.exact:
            self.domains.merge(domains.scaled(_UNIT // threshold) if presampled else domains)
        for day in (first, last):
            if day is not None:
                self.first_date = day if self.first_date is None else min(self.first_date, day)
                self.last_date = day if self.last_date is None else max(self.last_date, day)

    def to_json(self) -> dict[str, Any]:
        """The state as a JSON-ready dict (see the module's docstring)."""
        return {
            "format": PROFILE_FORMAT,
            "fields": {role: sorted(names) for role, names in self.fields_seen.items()},
            "tokenizer": self.tokenizer_identity,
            "sample": {"threshold": self.sample.threshold, "seed": self.sample.seed},
            "records": self.records, "presampled": self.presampled, "x_total": self.x_total,
            "text_records": self.text_records, "text_bytes": self.text_bytes,
            "characters": self.characters, "sampled_records": self.sampled_records,
            "sampled_bytes": self.sampled_bytes, "sampled_xx": self.sampled_xx,
            "sampled_characters": self.sampled_characters,
            "sums": {key: [sums.y, sums.yy, sums.xy] for key, sums in sorted(self.sums.items())},
            "languages": dict(sorted(self.language_bytes.items())),
            "domains": self.domains.to_json(),
            "period": {"records": self.dated_records, "first": self.first_date, "last": self.last_date},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ProfileAccumulator:
        """A profile as `to_json` wrote it, to be merged or reported (not fed: it holds no tokenizer)."""
        if data.get("format") != PROFILE_FORMAT:
            raise ValueError(f"a profile of format {data.get('format')!r}, not {PROFILE_FORMAT}")
        profile = cls(domain_limit=int(data["domains"]["limit"]))
        sample = RecordSample(1.0, int(data["sample"]["seed"]))
        sample.threshold = int(data["sample"]["threshold"])
        profile.sample = sample
        profile.tokenizer_identity = dict(data["tokenizer"]) if data["tokenizer"] is not None else None
        profile.fields_seen = {role: set(data["fields"].get(role, ())) for role in _ROLES}
        for attribute in ("records", "x_total", "text_records", "text_bytes", "characters", "sampled_records",
                          "sampled_bytes", "sampled_xx", "sampled_characters"):
            setattr(profile, attribute, int(data[attribute]))
        profile.presampled = bool(data["presampled"])
        profile.sums = {key: RatioSums(int(y), int(yy), int(xy)) for key, (y, yy, xy) in data["sums"].items()}
        profile.language_bytes = {str(code): int(size) for code, size in data["languages"].items()}
        profile.domains = DomainCounts.from_json(data["domains"])
        period = data["period"]
        profile.dated_records, profile.first_date, profile.last_date = (
            int(period["records"]), period["first"], period["last"])
        return profile


def add_sampled_together(parts: Sequence[tuple[ProfileAccumulator, Sequence[Any], Sequence[int]]]) -> None:
    """`accumulator.add_sampled(rows, line_bytes)` for each part, the parts' rows profiled together: what costs
    a call per batch (Arrow arrays, the tokenizer's batch, the URLs' hosts) is paid once for them all, and
    each accumulator is given its own records' figures. Many small shards, each with a few sampled lines,
    cost about as much as one shard holding them all."""
    import numpy as np
    import pyarrow.compute as pc

    groups: dict[Fields, list[tuple[ProfileAccumulator, Sequence[Any], Sequence[int]]]] = {}
    for accumulator, rows, sizes in parts:
        if not rows:  # as `add_sampled` is never given: a shard none of whose lines was drawn
            continue
        accumulator.presampled = True
        if accumulator.fields is None:
            objects = [row for row in rows[:_DISCOVERY_ROWS] if isinstance(row, Mapping)]
            if not objects:
                continue
            accumulator._resolve(objects)
        assert accumulator.fields is not None
        groups.setdefault(accumulator.fields, []).append((accumulator, rows, sizes))
    for fields, members in groups.items():
        rows = [row for _, member_rows, _ in members for row in member_rows]
        columns = row_columns(rows, fields)
        x = np.asarray([size for _, _, sizes in members for size in sizes], dtype=np.int64)
        length = columns.length
        lengths = np.zeros(length, dtype=np.int64)
        characters = np.zeros(length, dtype=np.int64)
        valid = np.zeros(length, dtype=bool)
        texts: list[str | None] = [None] * length
        figures: dict[str, list[int]] = {}
        languages: list[list[tuple[str, int]]] = []
        if columns.text is not None and length:
            text = columns.text
            lengths = pc.binary_length(text).fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
            characters = pc.utf8_length(text).fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
            valid = text.is_valid().to_numpy(zero_copy_only=False)
            texts = text.to_pylist()
            present = [t for t in texts if t is not None]
            figures, languages = _text_figures(members[0][0].tokenizer, present, lengths[valid].tolist())
        domains = _domain_resolver().domains(columns.url) if columns.url is not None and length else None
        days = _days(columns.date) if columns.date is not None and length else None
        start = valid_start = 0
        for accumulator, member_rows, _ in members:
            end = start + len(member_rows)
            valid_end = valid_start + int(valid[start:end].sum())
            accumulator._take_sampled(start, end, valid_start, valid_end, x, lengths, characters, valid, texts,
                                      figures, languages, domains, days)
            start, valid_start = end, valid_end


def add_rows_together(parts: Sequence[tuple[ProfileAccumulator, Sequence[Any]]]) -> None:
    """`accumulator.add(rows)` for each part (JSON rows, a batch of one shard's records; one accumulator may
    have several parts, in order), the rows of parts with the same fields profiled together: what costs a call
    per batch (Arrow arrays and compute, the tokenizer's batch, the URLs' hosts) is paid once for them all. Each
    accumulator ends as `add` would leave it: a file of a few records costs a fraction of its own batch."""
    groups: dict[tuple[Fields, Any], list[tuple[ProfileAccumulator, Sequence[Any]]]] = {}
    for accumulator, rows in parts:
        if not accumulator._has_fields(rows):  # as `add` does
            continue
        assert accumulator.fields is not None
        groups.setdefault((accumulator.fields, id(accumulator.tokenizer)), []).append((accumulator, rows))
    for (fields, _), members in groups.items():
        _add_columns_together([(accumulator, len(rows)) for accumulator, rows in members],
                              row_columns([row for _, rows in members for row in rows], fields))


def _add_columns_together(parts: Sequence[tuple[ProfileAccumulator, int]], columns: Columns) -> None:
    """Profile `columns`, whose records are the parts' in order (each part: an accumulator and its number of
    records), every accumulator its own records: each column's figures are computed once for all of them."""
    import numpy as np
    import pyarrow.compute as pc

    length = columns.length
    starts = []  # each part's first record in `columns`, and its first record in its accumulator
    at = 0
    for accumulator, count in parts:
        starts.append((at, accumulator.records))
        accumulator.records += count
        at += count
    if not length:
        return
    lengths = np.zeros(length, dtype=np.int64)
    if columns.text is not None:
        text = columns.text
        lengths = pc.binary_length(text).fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
        valid = text.is_valid().to_numpy(zero_copy_only=False)
        characters = pc.utf8_length(text).fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
        keep = np.zeros(length, dtype=bool)
        for (accumulator, count), (first, start) in zip(parts, starts, strict=True):
            end = first + count
            part_lengths, part_valid = lengths[first:end], valid[first:end]
            accumulator.text_records += int(part_valid.sum())
            accumulator.text_bytes += int(part_lengths.sum())
            accumulator.x_total += int(part_lengths.sum())
            accumulator.characters += int(characters[first:end].sum())
            part_keep = accumulator.sample.select(accumulator.shard_key, start, count) & part_valid
            keep[first:end] = part_keep
            if part_keep.any():
                sizes = part_lengths[part_keep]
                accumulator.sampled_bytes += int(sizes.sum())
                accumulator.sampled_xx += int((sizes * sizes).sum())
                if not accumulator.sample.exact:  # for a dataset whose other shards were presampled (see profile_of)
                    accumulator.sums["text_bytes"].add(sizes.tolist(), sizes.tolist())
                    accumulator.sums["characters"].add(sizes.tolist(), characters[first:end][part_keep].tolist())
        if keep.any():  # the words, tokens, languages and personal data of the texts drawn, all at once
            texts = pc.filter(text, keep).to_pylist()
            sizes = lengths[keep].tolist()
            figures, languages = _text_figures(parts[0][0].tokenizer, texts, sizes)
            done = 0
            for (accumulator, count), (first, _) in zip(parts, starts, strict=True):
                drawn = int(keep[first:first + count].sum())
                if drawn:
                    part = slice(done, done + drawn)
                    accumulator._add_text_figures(texts[part], sizes[part],
                                                  {name: values[part] for name, values in figures.items()},
                                                  languages[part])
                    done += drawn
    if columns.url is not None:
        names, indices = _domain_resolver().domains(columns.url)
        for (accumulator, count), (first, _) in zip(parts, starts, strict=True):
            accumulator._count_domain_slots(names, indices[first:first + count], lengths[first:first + count])
    if columns.date is not None:
        days = _days(columns.date)
        for (accumulator, count), (first, _) in zip(parts, starts, strict=True):
            accumulator._take_days(days[first:first + count])


def _text_figures(tokenizer: TokenCounter | None, texts: list[str], sizes: list[int]
                  ) -> tuple[dict[str, list[int]], list[list[tuple[str, int]]]]:
    """Per text: its words, tokens (with a tokenizer) and personal data by kind; and its languages' bytes."""
    figures: dict[str, list[int]] = {"words": [len(text.split()) for text in texts]}
    if tokenizer is not None:
        figures["tokens"] = tokenizer.count(texts)
    matches = [count_pii(text) for text in texts]
    for position, kind in enumerate(PII_KINDS):
        figures[kind] = [row[position] for row in matches]
    identify = _language_identifier().languages
    return figures, [list(identify(text, size)) for text, size in zip(texts, sizes, strict=True)]


def _days(dates: Any) -> Any:
    """A date field's values as days since 1970-01-01 (numpy int64; `_NO_DAY` where there is no date)."""
    import numpy as np
    import pyarrow as pa

    days = _as_dates(dates).cast(pa.int32()).fill_null(_NO_DAY)
    return days.to_numpy(zero_copy_only=False).astype(np.int64)


def _as_dates(dates: Any) -> Any:
    """A date field's values as an Arrow date32 array: dates, timestamps as their UTC date, strings starting
    `YYYY-MM-DD`; null where there is none."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_string(dates.type) or pa.types.is_large_string(dates.type):
        dates = pc.strptime(pc.utf8_slice_codeunits(dates, 0, 10), format="%Y-%m-%d", unit="s", error_is_null=True)
    if pa.types.is_timestamp(dates.type) and dates.type.tz is not None:
        dates = dates.cast(pa.timestamp(dates.type.unit))  # the UTC instant, read as the UTC date
    return dates.cast(pa.date32())
