"""A dataset's merged content profile that a rescan can patch: shards' profiles taken out and put in.

When 1% of a dataset's 10^6 shards changed, its profile is the last scan's with the changed shards'
cached profiles subtracted and their new ones added: the 10^6 others are not merged again. The merged
profile's sums subtract exactly; what a sum does not hold is counted beside it:

- the shards that saw each field name (a name leaves the profile with the last shard that saw it);
- the shards whose earliest date is the dataset's first, and those whose latest is its last: when the
  last of them goes while other dated records remain, the new bound is unknown;
- the shards read with a sample of their lines (`presampled`), and the shards whose records the profile
  reads (a dataset with none has no profile);
- the bytes the sampling rate was set from (a rescan patches them by the changed files' sizes, rather
  than going over every file's name again);
- the dataset's bytes by modality (dbom.profile.modality), which a shard whose split needs its file (a
  WebDataset tar's members, a Parquet file's media columns) cannot be taken out of.

Domain counts subtract while they are exact (at most DOMAIN_LIMIT distinct domains); past that, the
summary depends on the order of the merges. Whatever cannot be exact raises `NotExact`: the scan then
profiles the whole dataset, as a first scan does. A patched profile is the one the whole dataset's
merge makes, byte for byte in the DBOM (tests compare the two).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from dbom.model import Shard
from dbom.profile.accumulator import ProfileAccumulator
from dbom.profile.modality import MODALITIES, file_needed, shard_modalities
from dbom.profile.sampling import UNIT, RatioSums

_ROLES = ("text", "url", "date")
_COUNTERS = ("records", "x_total", "text_records", "text_bytes", "characters", "sampled_records", "sampled_bytes",
             "sampled_xx", "sampled_characters", "dated_records")
STATE_FORMAT = 1


class NotExact(Exception):
    """The patch cannot give the profile the whole dataset's merge gives."""


class DatasetTotal:
    """A dataset's merged profile, its bytes by modality, and the counts that let a shard be taken out."""

    def __init__(self, total: ProfileAccumulator) -> None:
        self.total = total
        self.readable = 0  # shards whose records the profile reads (dbom.profile.dataset_profile.profiled_shards)
        self.rate_bytes = 0  # the bytes the sampling rate was set from (dbom.profile.dataset_profile.profiled_bytes)
        self.fields: dict[str, dict[str, int]] = {role: {} for role in _ROLES}  # role -> name -> shards
        self.at_first = 0  # shards whose earliest date is the dataset's first
        self.at_last = 0
        self.presampled = 0
        self.modality: dict[str, int] = {}

    # --- putting in ------------------------------------------------------------------------------------

    def add(self, one: ProfileAccumulator | Mapping[str, Any]) -> None:
        """Merge one shard's profile (an accumulator, or its JSON: `to_json`'s), counting what a sum does not
        hold. A damaged JSON profile raises (LookupError, TypeError, ValueError) and changes nothing."""
        total = self.total
        first, last = total.first_date, total.last_date
        if isinstance(one, ProfileAccumulator):
            total.merge(one)
            fields: Mapping[str, Iterable[str]] = one.fields_seen
            bounds, presampled = (one.first_date, one.last_date), one.presampled
        else:
            total.merge_json(one)
            fields, period = one["fields"], one["period"]
            bounds, presampled = (period["first"], period["last"]), bool(one["presampled"])
        for role in _ROLES:
            seen = self.fields[role]
            for name in fields.get(role, ()):
                seen[name] = seen.get(name, 0) + 1
        self.presampled += presampled
        low, high = _bounds(bounds)
        if low is not None:
            self.at_first = 1 if first is None or low < first else self.at_first + (low == first)
        if high is not None:
            self.at_last = 1 if last is None or high > last else self.at_last + (high == last)

    def add_modality(self, shard: Shard, path: Path | None) -> None:
        """Count a readable shard's bytes by modality (its file at `path`, where the split needs it)."""
        for modality, size in shard_modalities(shard, path).items():
            self.modality[modality] = self.modality.get(modality, 0) + size

    # --- taking out ------------------------------------------------------------------------------------

    def remove(self, data: Mapping[str, Any]) -> None:
        """Take out a shard's profile as `to_json` wrote it (NotExact when that cannot be exact; the total
        may be left part-changed then: the caller drops it)."""
        try:
            one = ProfileAccumulator.from_json(data)
        except (LookupError, TypeError, ValueError) as exc:
            raise NotExact(f"a damaged cached profile: {exc}") from None
        if one.presampled:  # as `add` merged it: counted on its sample
            one.domains = one.domains.scaled(UNIT // one.sample.threshold)
        one.first_date, one.last_date = _bounds((one.first_date, one.last_date))
        alone = DatasetTotal(one)
        alone.fields = {role: dict.fromkeys(one.fields_seen[role], 1) for role in _ROLES}
        alone.presampled = int(one.presampled)
        alone.at_first = alone.at_last = int(one.first_date is not None)
        self.subtract(alone)

    def subtract(self, removed: DatasetTotal) -> None:
        """Take out the shards' profiles `removed` holds (a DatasetTotal of a `blank` accumulator that they were
        `add`ed to): what `remove` of each gives, NotExact where it would raise (the total may be left
        part-changed then: the caller drops it). A sum subtracts at once what the shards' do one by one; the
        shards held at a bound are `removed`'s at its own bound, when that is this total's."""
        total, taken = self.total, removed.total
        if taken.tokenizer_identity != total.tokenizer_identity or (
                (taken.sample.threshold, taken.sample.seed) != (total.sample.threshold, total.sample.seed)):
            raise NotExact("a profile counted otherwise")
        for role in _ROLES:
            seen = self.fields[role]
            for name, count in removed.fields[role].items():
                left = seen.get(name, 0) - count
                if left < 0:
                    raise NotExact(f"a field no shard was counted with: {name}")
                if left:
                    seen[name] = left
                else:
                    del seen[name]
                    total.fields_seen[role].discard(name)
        for attribute in _COUNTERS:
            left = getattr(total, attribute) - getattr(taken, attribute)
            if left < 0:
                raise NotExact(f"more {attribute} taken out than counted")
            setattr(total, attribute, left)
        self.presampled -= removed.presampled
        if self.presampled < 0:
            raise NotExact("more presampled shards taken out than counted")
        total.presampled = self.presampled > 0
        for key, sums in taken.sums.items():
            held = total.sums.get(key)
            if held is None:
                raise NotExact(f"sums of {key} taken out that were never counted")
            total.sums[key] = RatioSums(held.y - sums.y, held.yy - sums.yy, held.xy - sums.xy)
        for code, size in taken.language_bytes.items():
            left = total.language_bytes.get(code, 0) - size
            if left < 0:
                raise NotExact(f"more bytes of {code} taken out than counted")
            if left:
                total.language_bytes[code] = left
            else:
                total.language_bytes.pop(code, None)
        try:
            total.domains.subtract(taken.domains)  # each presampled shard's scaled as `add` merged it
        except ValueError as exc:
            raise NotExact(str(exc)) from None
        if taken.first_date is None:
            return
        if (taken.first_date < (total.first_date or taken.first_date)
                or taken.last_date > (total.last_date or taken.last_date)):
            raise NotExact("dates taken out that the profile's period does not hold")
        self.at_first -= removed.at_first if taken.first_date == total.first_date else 0
        self.at_last -= removed.at_last if taken.last_date == total.last_date else 0
        if not total.dated_records:
            total.first_date = total.last_date = None
            self.at_first = self.at_last = 0
        elif self.at_first <= 0 or self.at_last <= 0:
            raise NotExact("the shard that held the first or last date is gone")

    def remove_modality(self, shard: Shard) -> None:
        """Take out a readable shard's bytes by modality, as `add_modality` counted them from its file."""
        if file_needed(shard):
            raise NotExact(f"{shard.path}: its bytes by modality were read from its file")
        for modality, size in shard_modalities(shard, None).items():
            left = self.modality.get(modality, 0) - size
            if left < 0:
                raise NotExact(f"more {modality} bytes taken out than counted")
            self.modality[modality] = left

    def check_exact(self) -> None:
        """NotExact when the domains merged in went past exact counting (the summary's order then matters)."""
        if not self.total.domains.exact:
            raise NotExact("the domain counts are past exact counting")

    # --- what is shown, and kept ------------------------------------------------------------------------

    def properties(self, sme: bool) -> tuple[tuple[str, str], ...]:
        """The `dbom:profile:*` properties, the bytes by modality last; () when no shard was readable."""
        import json

        from dbom.profile.result import profile_of

        shown = tuple(profile_of(self.total, sme).properties()) if self.readable else ()
        modality = {m: self.modality[m] for m in MODALITIES if self.modality.get(m)}
        return shown + ((("dbom:profile:modality", json.dumps(modality, separators=(",", ":"))),) if modality else ())

    def to_json(self) -> dict[str, Any]:
        """The state, JSON-ready, for the dataset's kept lines (dbom.scanning.snapshot_lines)."""
        return {"format": STATE_FORMAT, "total": self.total.to_json(), "readable": self.readable,
                "rate_bytes": self.rate_bytes,
                "fields": {role: dict(sorted(names.items())) for role, names in self.fields.items()},
                "at_first": self.at_first, "at_last": self.at_last, "presampled": self.presampled,
                "modality": {m: self.modality[m] for m in MODALITIES if m in self.modality}}

    @classmethod
    def from_json(cls, data: Any) -> DatasetTotal:
        """The state `to_json` wrote; NotExact when it is not one."""
        try:
            if data["format"] != STATE_FORMAT:
                raise ValueError("another format")
            state = cls(ProfileAccumulator.from_json(data["total"]))
            state.readable, state.rate_bytes = int(data["readable"]), int(data["rate_bytes"])
            state.fields = {role: {str(name): int(count) for name, count in data["fields"][role].items()}
                            for role in _ROLES}
            state.at_first, state.at_last = int(data["at_first"]), int(data["at_last"])
            state.presampled = int(data["presampled"])
            state.modality = {str(m): int(size) for m, size in data["modality"].items()}
        except (LookupError, TypeError, ValueError, AttributeError) as exc:
            raise NotExact(f"no usable kept profile: {exc}") from None
        return state


def _bounds(dates: tuple[str | None, str | None]) -> tuple[str | None, str | None]:
    """A shard's earliest and latest date (as `ProfileAccumulator.merge` takes them: either may be the other)."""
    present = [date for date in dates if date is not None]
    return (min(present), max(present)) if present else (None, None)
