"""The one internal model of a data bill of materials.

Every stage produces or consumes these frozen dataclasses: the scanner builds them, the
CycloneDX writer serialises them, the CycloneDX reader rebuilds them from a file. Nothing
here knows about folders, formats or JSON.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from functools import cached_property
from operator import attrgetter
from typing import Any

# Which digests a shard may carry. "xxh3-128" is always computed; it is not in CycloneDX's
# hash list, so the writer puts it in a property, never in `hashes`.
HASH_XXH3 = "xxh3-128"
HASH_SHA256 = "sha256"
HASH_BLAKE3 = "blake3"

NOASSERTION = "NOASSERTION"


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a shard's schema: its name and a type name as the file states it."""

    name: str
    type: str

    def __reduce__(self) -> tuple[type[Column], tuple[str, str]]:
        """Pickled as its values (see Shard.__reduce__)."""
        return Column, (self.name, self.type)


@dataclass(frozen=True, slots=True)
class Shard:
    """One data file of a dataset, identified by its path relative to the dataset root."""

    path: str
    bytes: int
    format: str
    xxh3_128: str
    compression: str | None = None
    sha256: str | None = None
    blake3: str | None = None
    records: int | None = None
    uncompressed_bytes: int | None = None
    columns: tuple[Column, ...] | None = None
    error: str | None = None
    # `<scheme>:<hex>`, the order-independent digest of the records (dbom.formats.records_digest);
    # only with `dbom scan --records-digest`
    records_digest: str | None = None
    # An object in a remote store: its ETag and version id as listed, and where its digest came from
    # ("computed" by reading it, "store": the store's own SHA-256, with --trust-store-checksums)
    etag: str | None = None
    version_id: str | None = None
    hash_source: str | None = None

    @property
    def digest(self) -> str:
        """The content identity of the shard: XXH3-128, or `sha256:<hex>` when no XXH3 was computed."""
        return self.xxh3_128 or f"sha256:{self.sha256 or ''}"

    def __reduce__(self) -> tuple[type[Shard], tuple[Any, ...]]:
        """Pickled as its fields' values, remade by `__init__`: a worker process sends a Shard a file, and
        dataclasses' own pickling of a slotted class (state lists, a setattr a field) cost 2.5 times as much."""
        return Shard, _SHARD_VALUES(self)


@dataclass(frozen=True, slots=True)
class DocFile:
    """A file under a dataset root that is not data: a card, a license text, code, other."""

    path: str
    kind: str  # "card" | "license" | "code" | "metadata" | "other"
    bytes: int
    xxh3_128: str
    sha256: str | None = None

    def __reduce__(self) -> tuple[type[DocFile], tuple[Any, ...]]:
        """Pickled as its fields' values (see Shard.__reduce__)."""
        return DocFile, (self.path, self.kind, self.bytes, self.xxh3_128, self.sha256)


_SHARD_VALUES = attrgetter(*(f.name for f in fields(Shard)))  # a Shard's values, in its fields' (__init__'s) order


@dataclass(frozen=True)
class FormatTotals:
    """The shards of one format and compression of a dataset: how many, their records (unknown counts
    taken as 0) and bytes."""

    format: str
    compression: str | None
    shards: int
    records: int
    bytes: int

    @property
    def name(self) -> str:
        """`parquet`, `jsonl+gzip`..."""
        return f"{self.format}+{self.compression}" if self.compression else self.format


# Where a remote shard's digest came from (`Shard.hash_source`): read and computed, or the store's own SHA-256
HASH_SOURCE_COMPUTED = "computed"
HASH_SOURCE_STORE = "store"


@dataclass(frozen=True)
class ShardSummary:
    """What the commands that do not list shards need of a dataset's shards, in memory independent of
    their number: counts, totals, formats, columns, and the first shard of each kind of trouble.

    Shards read in streaming (dbom.cyclonedx.reader.ShardsOnDisk) stay on disk and come with theirs;
    otherwise `Dataset.summary` computes it from the shards.
    """

    shards: int = 0
    bytes: int = 0
    records: int | None = 0  # None when any shard's count is unknown
    text_bytes: int = 0  # uncompressed bytes where known, else file bytes
    errors: int = 0
    first_error: str | None = None
    uncounted: int = 0
    first_uncounted: str | None = None
    schemaless: int = 0
    first_schemaless: str | None = None
    columns: tuple[Column, ...] = ()  # every column name met, with the first type seen, in order
    column_types: tuple[tuple[str, tuple[str, ...]], ...] = ()  # every column name met, with all its types sorted
    formats: tuple[FormatTotals, ...] = ()  # in order of first appearance
    license_column_bytes: int = 0  # bytes of the readable shards that have a per-record license column
    records_digest: str | None = None  # of all the shards together (combine_records_digests)

    @staticmethod
    def of(shards: Iterable[Shard]) -> ShardSummary:
        """The summary of `shards`."""
        tally = ShardTally()
        for shard in shards:
            tally.add(shard)
        return tally.summary()


class ShardTally:
    """Builds a ShardSummary one shard at a time (the streaming reader feeds it as it reads)."""

    def __init__(self) -> None:
        self.shards = self.bytes = self.records = self.text_bytes = 0
        self.errors = self.uncounted = self.schemaless = 0
        self.first_error: str | None = None
        self.first_uncounted: str | None = None
        self.first_schemaless: str | None = None
        self.columns: dict[str, str] = {}
        self.column_types: dict[str, set[str]] = {}
        self.formats: dict[tuple[str, str | None], list[int]] = {}
        self.license_column_bytes = 0
        self._schemas: dict[int, tuple[tuple[Column, ...], bool]] = {}  # by id: the shards share their tuple
        self._digest_scheme: str | None = None
        self._digest_sum = 0
        self._digests_ok = True

    def add(self, shard: Shard) -> None:
        """Count `shard` in."""
        self.add_fields(shard.path, shard.bytes, shard.format, shard.compression, shard.records,
                        shard.uncompressed_bytes, shard.columns, shard.error, shard.records_digest)

    def add_fields(self, path: str, size: int, format: str, compression: str | None, records: int | None,
                   uncompressed_bytes: int | None, columns: tuple[Column, ...] | None, error: str | None,
                   records_digest: str | None) -> None:
        """Count in a shard given by the fields of `Shard` that matter here (no Shard need be built)."""
        self.shards += 1
        self.bytes += size
        self.text_bytes += uncompressed_bytes or size
        if records is None:
            self.uncounted += 1
            if self.first_uncounted is None:
                self.first_uncounted = path
        else:
            self.records += records
        if error:
            self.errors += 1
            if self.first_error is None:
                self.first_error = path
        kind = (format, compression)
        totals = self.formats.get(kind)
        if totals is None:
            totals = self.formats[kind] = [0, 0, 0]
        totals[0] += 1
        totals[1] += records or 0
        totals[2] += size
        if columns is None:
            self.schemaless += 1
            if self.first_schemaless is None:
                self.first_schemaless = path
        else:
            known = self._schemas.get(id(columns))
            if known is None:
                from dbom.licensing.record_licenses import license_column  # it imports this module

                for column in columns:
                    self.columns.setdefault(column.name, column.type)
                    self.column_types.setdefault(column.name, set()).add(column.type)
                known = self._schemas[id(columns)] = (columns, license_column(columns) is not None)
            if known[1] and not error:
                self.license_column_bytes += size
        if self._digests_ok:
            self._add_digest(records_digest)

    def _add_digest(self, digest: str | None) -> None:
        scheme, _, hex_sum = (digest or "").partition(":")
        try:
            value = int(hex_sum, 16) if len(hex_sum) == 16 else None
        except ValueError:
            value = None
        if not scheme or value is None or (self._digest_scheme is not None and scheme != self._digest_scheme):
            self._digests_ok = False
            return
        self._digest_scheme = scheme
        self._digest_sum = (self._digest_sum + value) % (1 << 64)

    def summary(self) -> ShardSummary:
        """The summary of the shards added so far."""
        digest = None
        if self._digests_ok and self._digest_scheme is not None:
            digest = f"{self._digest_scheme}:{self._digest_sum:016x}"
        return ShardSummary(
            shards=self.shards, bytes=self.bytes, records=None if self.uncounted else self.records,
            text_bytes=self.text_bytes, errors=self.errors, first_error=self.first_error,
            uncounted=self.uncounted, first_uncounted=self.first_uncounted, schemaless=self.schemaless,
            first_schemaless=self.first_schemaless, columns=tuple(Column(n, t) for n, t in self.columns.items()),
            column_types=tuple((n, tuple(sorted(t))) for n, t in self.column_types.items()),
            formats=tuple(FormatTotals(f, c, *t) for (f, c), t in self.formats.items()),
            license_column_bytes=self.license_column_bytes, records_digest=digest)


@dataclass(frozen=True)
class License:
    """A license statement: an SPDX expression, or a free-form name when no SPDX id applies.

    `source` says where it came from ("card", "license-file", "manifest"), `acknowledgement`
    is CycloneDX's "declared" (stated by the author) or "concluded" (determined by a tool).
    `path` names the file a "license-file" statement was read from, relative to the dataset
    root (`../LICENSE` for one higher up in its repository).
    """

    expression: str = NOASSERTION
    name: str | None = None
    source: str | None = None
    acknowledgement: str = "declared"
    url: str | None = None
    path: str | None = None

    @property
    def is_known(self) -> bool:
        """True when the license is a real SPDX expression or a named license."""
        return self.expression != NOASSERTION or bool(self.name)


@dataclass(frozen=True)
class LicenseShare:
    """One license's share of a dataset whose records state their own license (a `license` column).

    `bytes` is the records' size: their lines in JSON Lines and CSV, the summed lengths of their
    string and binary values in Parquet and Arrow (see dbom.licensing.record_licenses).
    """

    license: str
    records: int
    bytes: int


@dataclass(frozen=True)
class VcsInfo:
    """Where a path sits in version control (git), as read from the working tree.

    `url` is the remote's URL without credentials, or "local" for a remote that is a local path
    (or None when the repository has no remote). `ref` is the branch, or the tag when HEAD is
    detached on one. `dirty` says whether the working tree differs from `commit` under `path`
    (or anywhere, for training code); `diff_digest` is then the SHA-256 defined in
    dbom.provenance.git.diff_digest. `path` is the POSIX path within the repository ("" = its top).
    """

    commit: str
    url: str | None = None
    ref: str | None = None
    dirty: bool = False
    diff_digest: str | None = None
    path: str = ""
    # the last commit that touched `path` (`git log -1 -- path`): a commit elsewhere in the repository
    # moves `commit` but not this, and is no change of what lies under `path`
    last_commit: str | None = None


@dataclass(frozen=True)
class DatasetsInfo:
    """What a Hugging Face `datasets` object says about itself (read by dbom.sources.hf_datasets).

    `kind` is its Python type (Dataset, DatasetDict, IterableDataset, IterableDatasetDict);
    `fingerprints` pairs each split ("" when unknown) with the object's `_fingerprint`;
    `splits` are the info's (name, examples, bytes); `features` is the info's features as JSON.
    """

    kind: str
    builder: str | None = None
    config: str | None = None
    version: str | None = None
    revision: str | None = None
    fingerprints: tuple[tuple[str, str], ...] = ()
    splits: tuple[tuple[str, int | None, int | None], ...] = ()
    features: str | None = None
    citation: str | None = None


@dataclass(frozen=True)
class CodeRef:
    """Code (or a configuration file) pinned: its path, the SHA-256 of its content, its git commit.

    `path` is the path within the repository when `vcs` is known, else relative to the
    manifest's folder (or the file name alone, for a file outside it). `sha256` is None when
    the content could not be read (a remote `repo@commit:path` reference); for a folder it is
    the digest over its files defined in dbom.provenance.pipeline.
    """

    path: str
    sha256: str | None = None
    vcs: VcsInfo | None = None


@dataclass(frozen=True)
class HubInfo:
    """Where a dataset sits on the Hugging Face Hub, as read from a local hub cache.

    `revision` is the exact commit of the repository snapshot; `path` is the dataset root's
    path within that snapshot ("" = the whole repository); `blobs` pairs each file's path
    (relative to the dataset root) with its blob identity in the cache (the git blob id, or
    the SHA-256 of the content for LFS files), sorted by path.
    """

    repo_id: str
    revision: str
    repo_type: str = "dataset"  # "dataset" | "model" | "space"
    path: str = ""
    blobs: tuple[tuple[str, str], ...] = ()

    @property
    def url(self) -> str:
        """The repository on the Hub, pinned at the revision (plus the path, when not the whole repository)."""
        prefix = {"dataset": "datasets/", "space": "spaces/"}.get(self.repo_type, "")
        tail = f"/{self.path}" if self.path else ""
        return f"https://huggingface.co/{prefix}{self.repo_id}/tree/{self.revision}{tail}"

    @property
    def purl(self) -> str:
        """`pkg:huggingface/ORG/NAME@REVISION`."""
        from packageurl import PackageURL  # cyclonedx-python-lib's own dependency

        namespace, _, name = self.repo_id.rpartition("/")
        return PackageURL(type="huggingface", namespace=namespace or None, name=name,
                          version=self.revision).to_string()


@dataclass(frozen=True)
class Dataset:
    """A named collection of shards, as trained on.

    `facts` holds what only people know (the manifest's per-dataset fields such as how the
    data was obtained), keyed by manifest key; the tool writes them through unchanged.
    """

    name: str
    shards: Sequence[Shard] = ()  # a tuple, or a sequence that reads them from disk (streaming)
    docs: tuple[DocFile, ...] = ()
    version: str | None = None
    description: str | None = None
    homepage: str | None = None
    location: str | None = None
    license: License = field(default_factory=License)
    facts: Mapping[str, str] = field(default_factory=dict)
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    digest: str = ""
    vcs: VcsInfo | None = None  # the dataset root's git provenance (dbom.provenance.git)
    hub: HubInfo | None = None  # the Hugging Face Hub snapshot it was read from (dbom.provenance.hub)
    ancestors: tuple[str, ...] = ()  # names of the datasets it was derived from (inputs of the steps writing it)
    datasets_info: DatasetsInfo | None = None  # when recorded from a `datasets` object at training time
    code_license: License | None = None  # the repository's code license, when a separate data license exists
    license_evidence: tuple[License, ...] = ()  # every license statement found, with where it came from
    record_licenses: tuple[LicenseShare, ...] = ()  # per-record licenses, by records and bytes
    # what the walk left out and why (`<path>: <why>`, paths relative to the root), sorted: dbom:warning
    warnings: tuple[str, ...] = ()
    card_facts: tuple[str, ...] = ()  # the keys of `facts` taken from the card (the manifest states the others)
    url: str | None = None  # the URL it was scanned from (no credentials), for a remote corpus
    hub_ref: str | None = None  # for hf://: the branch or tag given, resolved to `hub.revision`
    # the cache snapshot it was scanned from, whose written file components a later write may copy
    # (dbom.scanning.snapshot_lines.SnapshotLink); not part of what the dataset is
    snapshot: Any = field(default=None, compare=False, repr=False)
    # the content profile (dbom.profile): its `dbom:profile:*` properties, in order; () when not profiled
    profile: tuple[tuple[str, str], ...] = ()

    # Totals are asked for several times per dataset (writer, summary, reports): one pass over the shards,
    # computed once. A frozen dataclass: the value can never go stale.
    @cached_property
    def summary(self) -> ShardSummary:
        """Counts and totals over the shards; shards read in streaming come with theirs (`shards.summary`)."""
        known = getattr(self.shards, "summary", None)
        return known if isinstance(known, ShardSummary) else ShardSummary.of(self.shards)

    @property
    def total_records(self) -> int | None:
        """Sum of shard record counts, or None when any shard's count is unknown."""
        return self.summary.records

    @property
    def total_bytes(self) -> int:
        """Sum of shard sizes in bytes."""
        return self.summary.bytes

    @property
    def records_digest(self) -> str | None:
        """The records digest of all the shards together (see `combine_records_digests`), or None."""
        return self.summary.records_digest


@dataclass(frozen=True)
class ModelInfo:
    """The model being trained, as the manifest describes it.

    `files` are the model's weight files (kind "weights", paths relative to the model folder),
    fingerprinted by `dbom attach`; empty until the DBOM is attached to a model. `facts` are the
    manifest's model facts for the EU summary (dbom.manifest.MODEL_FACT_KEYS, as text) and
    `eu_comments` its additional comments by template section.
    """

    name: str
    version: str | None = None
    license: str | None = None
    commercial: bool | None = None
    group: str | None = None
    supplier: str | None = None
    description: str | None = None
    files: tuple[DocFile, ...] = ()
    # what the manifest states for the EU summary (dbom.manifest.MODEL_FACT_KEYS), as text: dbom:model:fact:<key>
    facts: Mapping[str, str] = field(default_factory=dict)
    eu_comments: Mapping[str, str] = field(default_factory=dict)

    @property
    def weights_digest(self) -> str | None:
        """SHA-256 over the sorted `path<TAB>sha256<LF>` lines of `files`; None when there are none.

        It changes if and only if a weight file's path or content changes (the model's own hash).
        """
        if not self.files:
            return None
        import hashlib

        h = hashlib.sha256()
        for f in sorted(self.files, key=lambda f: f.path):
            h.update(f"{f.path}\t{f.sha256 or ''}\n".encode())
        return h.hexdigest()


@dataclass(frozen=True)
class ProcessingStep:
    """One processing step from raw to trained-on data: its code, how it was run, what it read and wrote.

    `inputs` and `outputs` are dataset names. `code` is the code reference as text (for a
    resolved one, `<url>@<commit>:<path>` or the path); `code_ref` and `config` are the code
    and the configuration file pinned by commit and digest. `args` are the arguments and
    settings used, as (name, value-as-text) pairs in the manifest's order. The counts are
    optional figures of what went in and came out.
    """

    name: str
    inputs: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()
    command: str | None = None
    code: str | None = None
    kind: str | None = None
    code_ref: CodeRef | None = None
    entrypoint: str | None = None
    args: tuple[tuple[str, str], ...] = ()
    config: CodeRef | None = None
    documents_in: int | None = None
    documents_out: int | None = None
    bytes_in: int | None = None
    bytes_out: int | None = None
    license: str | None = None  # the code's license (SPDX), as the manifest states it


@dataclass(frozen=True)
class Dbom:
    """A whole data bill of materials: the model and the datasets it was trained on."""

    model: ModelInfo
    datasets: tuple[Dataset, ...] = ()
    steps: tuple[ProcessingStep, ...] = ()
    dbom_license: str | None = None
    timestamp: str | None = None
    tool_version: str | None = None
    hash_algorithms: tuple[str, ...] = (HASH_XXH3, HASH_SHA256)
    warnings: tuple[str, ...] = ()
    # At training time (dbom.Recorder): the training code pinned, and the interpreter's packages
    # as (name, version) pairs ("python" first, for the interpreter itself).
    training_code: CodeRef | None = None
    environment: tuple[tuple[str, str], ...] = ()
    # The document's `serialNumber` (`urn:uuid:...`) when read from a file: a digest of its bytes, from which
    # exports derive their ids; None for a DBOM built in memory (the writer derives it from what it writes).
    serial_number: str | None = field(default=None, compare=False)

    @property
    def trained_on(self) -> tuple[Dataset, ...]:
        """The datasets the model was trained on: those no processing step consumed (an input of a step is an
        intermediate, kept in the DBOM as an ancestor of what the step wrote). All of them without steps."""
        consumed = {name for step in self.steps for name in step.inputs}
        kept = tuple(d for d in self.datasets if d.name not in consumed)
        return kept or self.datasets


def combine_records_digests(digests: Iterable[str | None]) -> str | None:
    """The records digest of several shards together: `<scheme>:<hex>` of the sum modulo 2^64 of theirs.

    Each shard's digest is a sum of record hashes (dbom.formats.records_digest), so the sum over
    shards is the digest of all their records, however they are split into files. None when any
    digest is missing or malformed, or when the schemes differ (they cannot be added up).
    """
    scheme: str | None = None
    total = 0
    for digest in digests:
        part_scheme, _, hex_sum = (digest or "").partition(":")
        if not part_scheme or len(hex_sum) != 16 or (scheme is not None and part_scheme != scheme):
            return None
        try:
            total += int(hex_sum, 16)
        except ValueError:
            return None
        scheme = part_scheme
    return None if scheme is None else f"{scheme}:{total % (1 << 64):016x}"
