"""Compare two DBOMs: what changed in the training data between two releases.

`diff(old, new)` is pure: two internal models in, a `DiffResult` out (rendering is in
dbom.compare.render). What it compares:

- Datasets are matched by name first. The datasets left over on both sides are then matched
  by content, so that a renamed dataset is a rename rather than a removal plus an addition:
  the same dataset digest (same shards, same paths), else the same records digest (the same
  records, re-sharded), else more than half of the shards of both sides by content (XXH3-128).
- Within a matched dataset, shards are matched by path (same path, other content: changed),
  then the rest by content (same content, other path: moved); what is left was added or
  removed. Cards, license files and the other documents likewise, by path.
- Re-sharding: when both DBOMs carry records digests (`dbom scan --records-digest`) and the
  dataset's combined digests (the sum over its shards) and record counts are equal while its
  shards were added, removed or rewritten, the records are the same, split differently.
- Licenses, with their class (dbom.licensing.classes): a dataset whose license class became
  more restrictive, or an added dataset more restrictive than every dataset of the old DBOM,
  is an escalation, the headline of the report.
- The content profile (`dbom scan --profile`): tokens and characters, the languages whose share
  moved by more than LANGUAGE_POINTS percentage points or that appeared or went, the registered
  domains that entered or left the top list, and every other `dbom:profile:*` value that differs.
- Every other attribute of datasets (version, git and Hub revisions, location, facts...),
  of processing steps (matched by name: code commit, arguments, inputs...) and of the model,
  field by field, so that fields added to the model later are compared too.

Each change has a category (`CATEGORIES`); `DiffResult.differs(categories)` says whether any
change of those categories was found, which `dbom diff --fail-on` turns into the exit code.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from xxhash import xxh3_128_digest

from dbom.licensing.classes import is_more_restrictive, license_class, restrictiveness
from dbom.model import NOASSERTION, Dataset, Dbom, DocFile, License, LicenseShare, ProcessingStep, Shard
from dbom.profile import recorded

# Change categories, with what each one means (the README lists them from here).
CATEGORIES: dict[str, str] = {
    "added-dataset": "a dataset is in the new DBOM only",
    "removed-dataset": "a dataset is in the old DBOM only",
    "renamed-dataset": "a dataset was matched by content under another name",
    "added-shard": "a shard was added to a dataset",
    "removed-shard": "a shard was removed from a dataset",
    "changed-shard": "a shard's content changed (same path)",
    "moved-shard": "a shard's path changed (same content)",
    "records": "a dataset's record count changed, or its records digest did",
    "license": "a dataset's license changed",
    "license-class": "a license became more restrictive (an escalation)",
    "version": "a dataset's version, the last commit that touched its files, or its Hub revision changed",
    "schema": "a dataset's columns or their types changed",
    "metadata": "another attribute of a dataset changed (location, facts, include globs...)",
    "profile": "a dataset's content profile changed (tokens, characters, languages, top domains, the rest)",
    "docs": "a card, license file or other document changed",
    "steps": "a processing step was added, removed or changed",
    "model": "the model's name, version, license or weights changed",
}
# What counts for the exit code when --fail-on is not given: the data, not the model it trained.
DEFAULT_FAIL_ON: frozenset[str] = frozenset(CATEGORIES) - {"model"}

ADDED = "added"
REMOVED = "removed"
CHANGED = "changed"
UNCHANGED = "unchanged"

_LONG_VALUE = 200  # attribute values longer than this (as text) are shown by size and digest


def parse_categories(values: Iterable[str]) -> frozenset[str]:
    """The categories of `--fail-on` values (each comma-separated); the default set when none.

    `all` stands for every category, `model` included. Raises ValueError naming an unknown one.
    """
    chosen: set[str] = set()
    for value in values:
        for name in value.split(","):
            name = name.strip()
            if not name:
                continue
            if name == "all":
                chosen.update(CATEGORIES)
            elif name in CATEGORIES:
                chosen.add(name)
            else:
                raise ValueError(f"unknown category {name!r} (use {', '.join(CATEGORIES)} or all)")
    return frozenset(chosen) if chosen else DEFAULT_FAIL_ON


@dataclass(frozen=True)
class Totals:
    """A dataset's size: records (None when a shard's count is unknown), bytes and shards."""

    records: int | None
    bytes: int
    shards: int


@dataclass(frozen=True)
class FieldChange:
    """One attribute that differs: its dotted name and both values as text (None: absent)."""

    name: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class LicenseChange:
    """A dataset's license before and after, with both classes."""

    old: str
    new: str
    old_class: str
    new_class: str

    @property
    def direction(self) -> str:
        """`more-restrictive`, `less-restrictive` or `same-class`."""
        if is_more_restrictive(self.new_class, self.old_class):
            return "more-restrictive"
        if is_more_restrictive(self.old_class, self.new_class):
            return "less-restrictive"
        return "same-class"


@dataclass(frozen=True)
class Escalation:
    """A dataset whose license became more restrictive, or an added one beyond the old DBOM's worst."""

    dataset: str
    old_license: str | None  # None for an added dataset
    old_class: str
    new_license: str
    new_class: str


@dataclass(frozen=True)
class ShardInfo:
    """A shard added or removed."""

    path: str
    bytes: int
    records: int | None
    xxh3_128: str


@dataclass(frozen=True)
class ShardChange:
    """A shard whose content changed under the same path."""

    path: str
    old_bytes: int
    new_bytes: int
    old_records: int | None
    new_records: int | None
    old_xxh3_128: str
    new_xxh3_128: str


@dataclass(frozen=True)
class ShardMove:
    """A shard with the same content under a new path."""

    old_path: str
    new_path: str
    bytes: int
    records: int | None


@dataclass(frozen=True)
class DocChange:
    """A card, license file or other document added, removed or changed."""

    path: str
    kind: str
    change: str  # added | removed | changed


@dataclass(frozen=True)
class Reshard:
    """The same records (by records digest) in shards that were added, removed or rewritten."""

    records: int
    old_shards: int
    new_shards: int


@dataclass(frozen=True)
class LanguageChange:
    """A language whose share of the text moved, appeared (old None) or went (new None)."""

    language: str
    old: float | None
    new: float | None


@dataclass(frozen=True)
class ProfileDiff:
    """How a dataset's content profile changed; each field empty (or None) when that part did not."""

    tokens: tuple[int | None, int | None] | None = None  # (old, new) when they differ
    characters: tuple[int | None, int | None] | None = None
    languages: tuple[LanguageChange, ...] = ()
    domains_entered: tuple[str, ...] = ()  # into the top domains by bytes
    domains_left: tuple[str, ...] = ()
    other: tuple[FieldChange, ...] = ()  # the other `dbom:profile:*` values, by their short name

    def __bool__(self) -> bool:
        return any((self.tokens, self.characters, self.languages, self.domains_entered, self.domains_left,
                    self.other))


@dataclass(frozen=True)
class DatasetDiff:
    """How one dataset changed. `name` is its new name (its old one when removed)."""

    name: str
    status: str  # added | removed | changed | unchanged
    old_name: str | None = None  # when renamed
    matched_by: str = "name"  # name | digest | records-digest | shards
    old: Totals | None = None
    new: Totals | None = None
    old_license: str | None = None
    new_license: str | None = None
    license: LicenseChange | None = None
    shards_added: tuple[ShardInfo, ...] = ()
    shards_removed: tuple[ShardInfo, ...] = ()
    shards_changed: tuple[ShardChange, ...] = ()
    shards_moved: tuple[ShardMove, ...] = ()
    records_same: bool | None = None  # by records digest; None when either side has none
    reshard: Reshard | None = None
    attributes: tuple[FieldChange, ...] = ()
    schema: tuple[FieldChange, ...] = ()  # name = column, old/new = its type (None: absent)
    docs: tuple[DocChange, ...] = ()
    profile: ProfileDiff | None = None
    categories: frozenset[str] = frozenset()


@dataclass(frozen=True)
class StepDiff:
    """A processing step added, removed or changed (matched by name)."""

    name: str
    status: str
    fields: tuple[FieldChange, ...] = ()


@dataclass(frozen=True)
class Summary:
    """The figures at the top of the report."""

    added: int
    removed: int
    changed: int
    renamed: int
    unchanged: int
    old_records: int | None
    new_records: int | None
    old_bytes: int
    new_bytes: int
    old_shards: int
    new_shards: int
    escalations: int

    @property
    def net_records(self) -> int | None:
        """New minus old record count, None when either is unknown."""
        if self.old_records is None or self.new_records is None:
            return None
        return self.new_records - self.old_records

    @property
    def net_bytes(self) -> int:
        """New minus old bytes of shards."""
        return self.new_bytes - self.old_bytes


@dataclass(frozen=True)
class DiffResult:
    """Everything that changed from one DBOM to another."""

    old_model: str
    new_model: str
    summary: Summary
    escalations: tuple[Escalation, ...]
    datasets: tuple[DatasetDiff, ...]  # every dataset, unchanged ones included, sorted by name
    steps: tuple[StepDiff, ...] = ()
    model: tuple[FieldChange, ...] = ()
    categories: frozenset[str] = field(default_factory=frozenset)

    def differs(self, categories: Iterable[str] | None = None) -> bool:
        """True when a change of one of `categories` (default: DEFAULT_FAIL_ON) was found."""
        wanted = DEFAULT_FAIL_ON if categories is None else frozenset(categories)
        return bool(self.categories & wanted)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict of the whole result (the `--format json` document)."""
        doc = _jsonable(self)
        doc["summary"]["net_records"] = self.summary.net_records
        doc["summary"]["net_bytes"] = self.summary.net_bytes
        for entry, ds in zip(doc["datasets"], self.datasets, strict=True):
            if ds.license is not None:
                entry["license"]["direction"] = ds.license.direction
        return doc


def diff(old: Dbom, new: Dbom) -> DiffResult:
    """Compare two DBOMs (see the module's docstring); `old` is the earlier release."""
    pairs, added, removed = _match_datasets(old.datasets, new.datasets)
    datasets: list[DatasetDiff] = []
    for old_ds, new_ds, how in pairs:
        datasets.append(_dataset_diff(old_ds, new_ds, how))
    worst_old = max((license_class(_expression(d.license)) for d in old.datasets), key=restrictiveness,
                    default=None)
    escalations: list[Escalation] = []
    for ds in added:
        datasets.append(DatasetDiff(name=ds.name, status=ADDED, new=_totals(ds), new_license=_expression(ds.license),
                                    categories=frozenset({"added-dataset"})))
        new_class = license_class(_expression(ds.license))
        if worst_old is not None and is_more_restrictive(new_class, worst_old):
            escalations.append(Escalation(ds.name, None, worst_old, _expression(ds.license), new_class))
    for ds in removed:
        datasets.append(DatasetDiff(name=ds.name, status=REMOVED, old=_totals(ds),
                                    old_license=_expression(ds.license), categories=frozenset({"removed-dataset"})))
    for d in datasets:
        if d.license is not None and d.license.direction == "more-restrictive":
            escalations.append(Escalation(d.name, d.license.old, d.license.old_class, d.license.new,
                                          d.license.new_class))
    datasets.sort(key=lambda d: (d.name, d.status))
    escalations.sort(key=lambda e: e.dataset)
    steps = _steps_diff(old.steps, new.steps)
    model = _field_changes(_flatten(old.model, exclude={"files"}) | _weights(old),
                           _flatten(new.model, exclude={"files"}) | _weights(new))
    categories: set[str] = set()
    for d in datasets:
        categories |= d.categories
    if escalations:
        categories.add("license-class")
    if steps:
        categories.add("steps")
    if model:
        categories.add("model")
    return DiffResult(
        old_model=_model_label(old),
        new_model=_model_label(new),
        summary=_summary(old, new, datasets, len(escalations)),
        escalations=tuple(escalations),
        datasets=tuple(datasets),
        steps=steps,
        model=model,
        categories=frozenset(categories),
    )


# --- matching datasets -------------------------------------------------------------------------


def _match_datasets(old: Sequence[Dataset], new: Sequence[Dataset]) -> tuple[
        list[tuple[Dataset, Dataset, str]], list[Dataset], list[Dataset]]:
    """Pairs (old, new, how matched), then the added and the removed datasets."""
    new_by_name = {d.name: d for d in new}
    pairs = [(d, new_by_name[d.name], "name") for d in old if d.name in new_by_name]
    matched = {d.name for d in old if d.name in new_by_name}
    left_old = [d for d in old if d.name not in matched]
    left_new = [d for d in new if d.name not in matched]
    for how, key in (("digest", _digest_key), ("records-digest", _records_key)):
        by_key: dict[str, list[Dataset]] = defaultdict(list)
        for d in left_new:
            k = key(d)
            if k:
                by_key[k].append(d)
        still_old = []
        for d in left_old:
            candidates = by_key.get(key(d) or "")
            if candidates:
                partner = candidates.pop(0)
                pairs.append((d, partner, how))
                left_new.remove(partner)
            else:
                still_old.append(d)
        left_old = still_old
    left_old, left_new = _match_by_shards(left_old, left_new, pairs)
    return pairs, left_new, left_old


def _digest_key(d: Dataset) -> str | None:
    return d.digest if d.summary.shards and d.digest else None


def _records_key(d: Dataset) -> str | None:
    digest = d.records_digest
    return f"{digest}/{d.total_records}" if digest else None


def _match_by_shards(left_old: list[Dataset], left_new: list[Dataset],
                     pairs: list[tuple[Dataset, Dataset, str]]) -> tuple[list[Dataset], list[Dataset]]:
    """Pair datasets sharing more than half of both sides' shards (by content), most shared first."""
    owners: dict[str, set[int]] = defaultdict(set)
    for j, d in enumerate(left_new):
        for s in d.shards:
            if s.xxh3_128:
                owners[s.xxh3_128].add(j)
    candidates = []
    for i, d in enumerate(left_old):
        shared: dict[int, int] = defaultdict(int)
        for digest in {s.xxh3_128 for s in d.shards if s.xxh3_128}:
            for j in owners.get(digest, ()):
                shared[j] += 1
        for j, count in shared.items():
            if 2 * count > max(len(d.shards), len(left_new[j].shards)):
                candidates.append((-count, d.name, left_new[j].name, i, j))
    used_old: set[int] = set()
    used_new: set[int] = set()
    for _, _, _, i, j in sorted(candidates):
        if i not in used_old and j not in used_new:
            used_old.add(i)
            used_new.add(j)
            pairs.append((left_old[i], left_new[j], "shards"))
    return ([d for i, d in enumerate(left_old) if i not in used_old],
            [d for j, d in enumerate(left_new) if j not in used_new])


# --- one dataset -------------------------------------------------------------------------------


def _dataset_diff(old: Dataset, new: Dataset, how: str) -> DatasetDiff:
    added, removed, changed, moved = _shards_diff(old.shards, new.shards)
    categories: set[str] = set()
    renamed = old.name != new.name
    if renamed:
        categories.add("renamed-dataset")
    for items, category in ((added, "added-shard"), (removed, "removed-shard"), (changed, "changed-shard"),
                            (moved, "moved-shard")):
        if items:
            categories.add(category)
    old_totals, new_totals = _totals(old), _totals(new)
    old_digest, new_digest = old.records_digest, new.records_digest
    records_same = None
    if old_digest and new_digest:
        records_same = old_digest == new_digest and old_totals.records == new_totals.records
    if old_totals.records != new_totals.records or records_same is False:
        categories.add("records")
    reshard = None
    if records_same and (added or removed or changed) and new_totals.records is not None:
        reshard = Reshard(new_totals.records, old_totals.shards, new_totals.shards)
    license_change = None
    old_expr, new_expr = _expression(old.license), _expression(new.license)
    if old_expr != new_expr:
        license_change = LicenseChange(old_expr, new_expr, license_class(old_expr), license_class(new_expr))
        categories.add("license")
    attributes = _field_changes(_dataset_attributes(old), _dataset_attributes(new))
    for change in attributes:
        categories.add("version" if _is_revision(change.name) else "metadata")
    schema = _schema_diff(old, new)
    if schema:
        categories.add("schema")
    docs = _docs_diff(old.docs, new.docs)
    if docs:
        categories.add("docs")
    profile = _profile_diff(old, new) or None
    if profile:
        categories.add("profile")
    return DatasetDiff(
        name=new.name,
        status=CHANGED if categories else UNCHANGED,
        old_name=old.name if renamed else None,
        matched_by=how,
        old=old_totals,
        new=new_totals,
        old_license=old_expr,
        new_license=new_expr,
        license=license_change,
        shards_added=added,
        shards_removed=removed,
        shards_changed=changed,
        shards_moved=moved,
        records_same=records_same,
        reshard=reshard,
        attributes=attributes,
        schema=schema,
        docs=docs,
        profile=profile,
        categories=frozenset(categories),
    )


def _shards_diff(old: Iterable[Shard], new: Iterable[Shard]) -> tuple[
        tuple[ShardInfo, ...], tuple[ShardInfo, ...], tuple[ShardChange, ...], tuple[ShardMove, ...]]:
    """Shards added, removed, changed (same path) and moved (same content), each sorted by path.

    `new` is read twice and `old` once, in their order; what is kept of the new side is compact
    (about 150 bytes a shard: digests of its path and content), so two DBOMs read with their shards
    on disk compare in memory far below that of their shards.
    """
    at: dict[int, int] = {}  # digest of a new shard's path -> its number
    contents = bytearray()  # per new shard: the digests of its XXH3-128 and of its SHA-256 (zeros: none)
    for number, s in enumerate(new):
        at[_path_key(s.path)] = number
        contents += _content_digests(s)
    partnered = bytearray(len(contents) // 32)  # a new shard that has an old one with its path
    changed_from: dict[int, Shard] = {}  # new shard number -> the old shard of the same path, other content
    gone: dict[str, list[Shard]] = defaultdict(list)  # old shards without a same-path partner, by content
    for s in old:
        number = at.get(_path_key(s.path))
        if number is None:
            gone[_content_key(s)].append(s)
            continue
        partnered[number] = 1
        if not _same_digests(_content_digests(s), contents[32 * number:32 * number + 32]):
            changed_from[number] = s
    del at, contents
    for group in gone.values():
        group.sort(key=lambda s: s.path, reverse=True)  # pop() takes the first path
    changed: list[ShardChange] = []
    moved: list[ShardMove] = []
    added: list[ShardInfo] = []
    for number, s in enumerate(new):
        if partnered[number]:
            before = changed_from.get(number)
            if before is not None:
                changed.append(ShardChange(before.path, before.bytes, s.bytes, before.records, s.records,
                                           before.xxh3_128, s.xxh3_128))
            continue
        group = gone.get(_content_key(s)) if _content_key(s) else None
        if group:
            source = group.pop()
            moved.append(ShardMove(source.path, s.path, s.bytes, s.records))
        else:
            added.append(_shard_info(s))
    removed = [_shard_info(s) for group in gone.values() for s in group]
    return (tuple(sorted(added, key=lambda s: s.path)), tuple(sorted(removed, key=lambda s: s.path)),
            tuple(sorted(changed, key=lambda s: s.path)), tuple(sorted(moved, key=lambda s: s.new_path)))


_NO_DIGEST = bytes(16)


def _path_key(path: str) -> int:
    """A shard path as a 128-bit number (XXH3-128): a dictionary key a third the size of the path."""
    return int.from_bytes(xxh3_128_digest(path.encode("utf-8", "surrogatepass")), "little")


def _content_digests(s: Shard) -> bytes:
    """32 bytes: the XXH3-128 of the shard's `xxh3_128` text and of its `sha256` text (zeros for none)."""
    return ((xxh3_128_digest(s.xxh3_128.encode()) if s.xxh3_128 else _NO_DIGEST)
            + (xxh3_128_digest(s.sha256.encode()) if s.sha256 else _NO_DIGEST))


def _same_digests(a: bytes, b: bytes | bytearray) -> bool:
    """Whether two shards (their `_content_digests`) hold the same bytes, compared like with like: XXH3-128
    when both have it, else SHA-256 (a remote shard described by its store's SHA-256 has no XXH3-128: a
    re-hash is no change)."""
    if a[:16] != _NO_DIGEST and b[:16] != _NO_DIGEST:
        return a[:16] == b[:16]
    return a[16:] != _NO_DIGEST and a[16:] == b[16:]


def _content_key(s: Shard) -> str:
    """The digest a moved shard is recognised by: XXH3-128, else `sha256:<hex>`, else '' (none)."""
    return s.xxh3_128 or (f"sha256:{s.sha256}" if s.sha256 else "")


def _shard_info(s: Shard) -> ShardInfo:
    return ShardInfo(s.path, s.bytes, s.records, s.xxh3_128)


def _docs_diff(old: Sequence[DocFile], new: Sequence[DocFile]) -> tuple[DocChange, ...]:
    old_by_path = {d.path: d for d in old}
    new_by_path = {d.path: d for d in new}
    changes = []
    for path in sorted(old_by_path.keys() | new_by_path.keys()):
        before, after = old_by_path.get(path), new_by_path.get(path)
        if before is None and after is not None:
            changes.append(DocChange(path, after.kind, ADDED))
        elif after is None and before is not None:
            changes.append(DocChange(path, before.kind, REMOVED))
        elif before is not None and after is not None and before.xxh3_128 != after.xxh3_128:
            changes.append(DocChange(path, after.kind, CHANGED))
    return tuple(changes)


def _schema_diff(old: Dataset, new: Dataset) -> tuple[FieldChange, ...]:
    """Columns (over all shards) added, removed or retyped; several types of a column are joined with ` / `."""
    before, after = _columns(old), _columns(new)
    return tuple(FieldChange(name, before.get(name), after.get(name))
                 for name in sorted(before.keys() | after.keys()) if before.get(name) != after.get(name))


def _columns(d: Dataset) -> dict[str, str]:
    return {name: " / ".join(types) for name, types in d.summary.column_types}


_DATASET_HANDLED = {"name", "shards", "docs", "license", "digest", "profile"}


def _dataset_attributes(d: Dataset) -> dict[str, str]:
    attributes = _flatten(d, exclude=_DATASET_HANDLED)
    if d.vcs is not None and d.vcs.last_commit:
        # the checkout's commit moves with any commit in the repository; the data changed only if the last
        # commit that touched its path did (or its files did: the shards are compared by digest)
        attributes.pop("vcs.commit", None)
    return attributes


LANGUAGE_POINTS = 0.01  # a language's share must move by more than one percentage point to be shown
_PROFILE_HANDLED = {"tokens", "tokens-ci", "characters", "languages", "domains"}  # compared part by part


def _profile_diff(old: Dataset, new: Dataset) -> ProfileDiff:
    """The changes of the dataset's content profile (see the module's docstring)."""
    old_tokens, new_tokens = recorded.tokens(old.profile), recorded.tokens(new.profile)
    tokens = (old_tokens.value if old_tokens else None, new_tokens.value if new_tokens else None)
    characters = (recorded.characters(old.profile), recorded.characters(new.profile))
    old_shares, new_shares = dict(recorded.languages(old.profile)), dict(recorded.languages(new.profile))
    languages = tuple(LanguageChange(code, old_shares.get(code), new_shares.get(code))
                      for code in sorted(old_shares.keys() | new_shares.keys())
                      if code not in old_shares or code not in new_shares
                      or abs(new_shares[code] - old_shares[code]) > LANGUAGE_POINTS)
    old_domains = [d["domain"] for d in recorded.domains(old.profile) or ()]
    new_domains = [d["domain"] for d in recorded.domains(new.profile) or ()]
    prefix = "dbom:profile:"
    rest_old, rest_new = ({name[len(prefix):]: value for name, value in d.profile
                           if name.startswith(prefix) and name[len(prefix):] not in _PROFILE_HANDLED}
                          for d in (old, new))
    return ProfileDiff(
        tokens=tokens if tokens[0] != tokens[1] else None,
        characters=characters if characters[0] != characters[1] else None,
        languages=languages,
        domains_entered=tuple(d for d in new_domains if d not in old_domains),
        domains_left=tuple(d for d in old_domains if d not in new_domains),
        other=_field_changes({k: _text(v) for k, v in rest_old.items()}, {k: _text(v) for k, v in rest_new.items()}),
    )


def _is_revision(name: str) -> bool:
    return name == "version" or name.startswith(("vcs.", "hub."))


# --- steps and model ---------------------------------------------------------------------------


def _steps_diff(old: Sequence[ProcessingStep], new: Sequence[ProcessingStep]) -> tuple[StepDiff, ...]:
    old_by_name = {s.name: s for s in old}
    new_by_name = {s.name: s for s in new}
    result = []
    for name in sorted(old_by_name.keys() | new_by_name.keys()):
        before, after = old_by_name.get(name), new_by_name.get(name)
        if before is None:
            result.append(StepDiff(name, ADDED))
        elif after is None:
            result.append(StepDiff(name, REMOVED))
        else:
            fields = _field_changes(_step_attributes(before), _step_attributes(after))
            if fields:
                result.append(StepDiff(name, CHANGED, fields))
    return tuple(result)


def _step_attributes(step: ProcessingStep) -> dict[str, str]:
    """A step's fields; a code or config file is compared by content: its commits moving is no change."""
    attributes = _flatten(step, exclude={"name"})
    for ref in ("code_ref", "config"):
        if attributes.get(f"{ref}.sha256"):
            for key in (f"{ref}.vcs.commit", f"{ref}.vcs.last_commit", f"{ref}.vcs.ref"):
                attributes.pop(key, None)
    return attributes


def _weights(d: Dbom) -> dict[str, str]:
    digest = d.model.weights_digest
    return {"weights": digest} if digest else {}


def _model_label(d: Dbom) -> str:
    return f"{d.model.name} {d.model.version}" if d.model.version else d.model.name


# --- helpers -----------------------------------------------------------------------------------


def _expression(license_: License) -> str:
    """A license as one string: its SPDX expression, else its name, else NOASSERTION."""
    if license_.expression != NOASSERTION:
        return license_.expression
    return license_.name or NOASSERTION


def _totals(d: Dataset) -> Totals:
    return Totals(d.total_records, d.total_bytes, d.summary.shards)


def _summary(old: Dbom, new: Dbom, datasets: Sequence[DatasetDiff], escalations: int) -> Summary:
    def records(dbom: Dbom) -> int | None:
        counts = [d.total_records for d in dbom.datasets]
        return None if None in counts else sum(c for c in counts if c is not None)

    return Summary(
        added=sum(d.status == ADDED for d in datasets),
        removed=sum(d.status == REMOVED for d in datasets),
        changed=sum(d.status == CHANGED for d in datasets),
        renamed=sum(d.old_name is not None for d in datasets),
        unchanged=sum(d.status == UNCHANGED for d in datasets),
        old_records=records(old),
        new_records=records(new),
        old_bytes=sum(d.total_bytes for d in old.datasets),
        new_bytes=sum(d.total_bytes for d in new.datasets),
        old_shards=sum(d.summary.shards for d in old.datasets),
        new_shards=sum(d.summary.shards for d in new.datasets),
        escalations=escalations,
    )


def _field_changes(old: Mapping[str, str], new: Mapping[str, str]) -> tuple[FieldChange, ...]:
    return tuple(FieldChange(name, old.get(name), new.get(name))
                 for name in sorted(old.keys() | new.keys()) if old.get(name) != new.get(name))


def _flatten(obj: Any, exclude: set[str] | frozenset[str] = frozenset(), prefix: str = "") -> dict[str, str]:
    """The fields of a dataclass as dotted names and text values; None and empty values are left out."""
    out: dict[str, str] = {}
    for f in dataclasses.fields(obj):
        if f.name in exclude:
            continue
        value = getattr(obj, f.name)
        name = prefix + f.name
        if value is None or value == () or value == {}:
            continue
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            out.update(_flatten(value, prefix=name + "."))
        elif isinstance(value, tuple) and all(isinstance(item, License | LicenseShare) for item in value):
            for item in value:  # one field per statement, named by where it came from: what changed reads as such
                key, text = _statement(item)
                out[f"{name}[{key}]"] = text
        elif isinstance(value, Mapping):
            for key in sorted(value):
                out[f"{name}.{key}"] = _text(value[key])
        else:
            out[name] = _text(value)
    return out


def _statement(item: License | LicenseShare) -> tuple[str, str]:
    """(what names it, what it says) of a license statement or of a per-record license share."""
    if isinstance(item, LicenseShare):
        return item.license, f"{item.records:,} records, {item.bytes:,} bytes"
    where = " ".join(filter(None, (item.source or "stated", item.path)))
    return where, item.expression if item.expression != NOASSERTION or not item.name else f"{item.name} (no SPDX id)"


def _text(value: Any) -> str:
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int | float):
        text = str(value)
    else:
        text = json.dumps(_jsonable(value), ensure_ascii=False, sort_keys=True)
    if len(text) > _LONG_VALUE:
        count = f"{len(value)} items, " if isinstance(value, list | tuple) else ""
        return f"({count}{len(text)} characters, sha256:{hashlib.sha256(text.encode()).hexdigest()[:16]})"
    return text


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, frozenset | set):
        return sorted(_jsonable(v) for v in value)
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value

