"""Record a Hugging Face `datasets` object (Dataset, DatasetDict, IterableDataset) as a dataset of the model.

What the object says about itself (its info: description, citation, homepage, license,
features, splits; its `_fingerprint`; its builder, config, version and revision) goes into
`Dataset.datasets_info` and the usual fields. Its cache files (the Arrow files it is backed
by) are fingerprinted and inspected by the scanner, like the shards of any folder: one scan
entry per folder holding cache files, restricted to exactly those files. An in-memory dataset
(or split) has no cache file: its table is recorded as one shard named `in-memory` (`SPLIT/in-memory`
in a DatasetDict), format `arrow-stream`, with its rows, its columns and the digests of the Arrow
IPC stream of its rows (in batches of fresh arrays, see MEMORY_BATCH_ROWS, so that the digest
follows the content, which the object's `_fingerprint`, a hash of how it was made, does not).
A streaming dataset is recorded from its info alone.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from dbom.errors import DbomError
from dbom.licensing.hf_licenses import hf_license
from dbom.manifest import DatasetEntry, Manifest
from dbom.model import HASH_BLAKE3, HASH_SHA256, Column, Dataset, DatasetsInfo, License, Shard

_REVISION = re.compile(r"@([0-9a-f]{40})(?:/|$)")
KINDS = ("DatasetDict", "IterableDatasetDict", "IterableDataset", "Dataset")
IN_MEMORY = "in-memory"  # the shard name of an in-memory table


def is_datasets_object(obj: Any) -> bool:
    """True when `obj` is one of the `datasets` library's dataset types (without importing it needlessly)."""
    module = type(obj).__module__ or ""
    return module.startswith("datasets.") and _kind(obj) is not None


def _kind(obj: Any) -> str | None:
    import datasets

    for name in KINDS:
        if isinstance(obj, getattr(datasets, name)):
            return name
    return None


def record_datasets_object(obj: Any, name: str | None = None, options: Any = None,
                           entry: DatasetEntry | None = None) -> Dataset:
    """The Dataset for a `datasets` object: its cache files scanned, its info and fingerprints read.

    `options` are the scanner's ScanOptions; `entry` (a manifest entry of the same name, if any)
    adds the facts people stated. Raises DbomError when a cache file is gone.
    """
    from dbom.scanning.scanner import ScanOptions

    kind = _kind(obj)
    if kind is None:
        raise DbomError(None, f"not a datasets object: {type(obj).__name__}")
    parts = dict(obj) if kind.endswith("Dict") else {"": obj}
    info = getattr(next(iter(parts.values()), None), "info", None)
    label = name or (entry.name if entry else None) or datasets_object_name(obj)
    options = options or ScanOptions()
    files = [Path(f["filename"]) for part in parts.values() for f in _cache_files(part)]
    for path in files:
        if not path.is_file():
            raise DbomError(path.name, f"a cache file of dataset {label!r} no longer exists")
    # the files scanned without the profile: it is made from the object's tables below, once
    scanned = _scan_files(label, files, replace(options, profile="off"), entry)
    in_memory = [_memory_shard(f"{split}/{IN_MEMORY}" if split else IN_MEMORY, part, options)
                 for split, part in parts.items() if not _cache_files(part) and _table(part) is not None]
    if in_memory:
        from dbom.scanning.scanner import dataset_digest

        shards = tuple(sorted((*scanned.shards, *in_memory), key=lambda s: s.path))
        scanned = replace(scanned, shards=shards, digest=dataset_digest(shards))
    if options.profile != "off":
        scanned = replace(scanned, profile=_profile(parts, scanned, in_memory, options, entry))
    return _with_info(scanned, kind, parts, info, entry, options.warn)


def _profile(parts: Mapping[str, Any], scanned: Dataset, in_memory: Sequence[Shard], options: Any,
             entry: DatasetEntry | None) -> tuple[tuple[str, str], ...]:
    """The content profile of the object's rows, read from its tables (the rows a model is trained on: the
    indices mapping applied), with the modality the scan found for its files. A split's records are drawn by
    its content: an in-memory split's digest, else the digest of the cache files' digests and the split."""
    import xxhash

    from dbom.profile.dataset_profile import table_profile_properties
    from dbom.profile.modality import modality_property
    from dbom.scanning.scanner import profile_settings_of

    memory = {shard.path.rpartition("/")[0]: shard.xxh3_128 for shard in in_memory}
    digests = "".join(sorted(s.xxh3_128 for s in scanned.shards if s not in in_memory))
    files = xxhash.xxh3_128_hexdigest(digests.encode())
    tables = []
    for split, part in parts.items():
        table = _table(part)
        if table is not None:
            tables.append((memory.get(split) or xxhash.xxh3_128_hexdigest(f"{split}\0{files}".encode()), table))
    settings, spec = profile_settings_of(options, entry)
    return table_profile_properties(tables, settings, spec) + modality_property(scanned.shards, None)


def datasets_object_name(obj: Any) -> str:
    """What a `datasets` object calls itself: its info's dataset name, else its builder's, else "dataset"."""
    parts = list(obj.values()) if (_kind(obj) or "").endswith("Dict") else [obj]
    info = getattr(parts[0], "info", None) if parts else None
    for attr in ("dataset_name", "builder_name"):
        value = getattr(info, attr, None)
        if value:
            return str(value)
    return "dataset"


def _cache_files(part: Any) -> list[Mapping[str, str]]:
    return list(getattr(part, "cache_files", None) or [])


def _table(part: Any) -> Any:
    """The Arrow table of the rows of a `datasets` Dataset (its indices mapping applied), or None for another object."""
    import datasets

    if not isinstance(part, datasets.Dataset):
        return None
    table = part.data.table
    indices = getattr(part, "_indices", None)
    return table if indices is None else table.take(indices.column(0))


class _HashingSink:
    """A write-only file that feeds what is written to the digests asked for, and counts it."""

    def __init__(self, algorithms: Sequence[str]) -> None:
        import xxhash

        self.xxh3 = xxhash.xxh3_128()
        self.sha256 = hashlib.sha256() if HASH_SHA256 in algorithms else None
        self.blake3 = None
        if HASH_BLAKE3 in algorithms:
            from blake3 import blake3

            self.blake3 = blake3(max_threads=1)
        self.size = 0
        self.closed = False

    def write(self, data: Any) -> int:
        """Digest `data` (bytes or a buffer)."""
        view = memoryview(data)
        for digest in (self.xxh3, self.sha256, self.blake3):
            if digest is not None:
                digest.update(view)
        self.size += view.nbytes
        return view.nbytes

    def flush(self) -> None:
        """Nothing to flush: the digests have it all."""

    def close(self) -> None:
        """Mark the sink closed (pyarrow asks)."""
        self.closed = True


# The rows of an in-memory table are digested as an Arrow IPC stream of batches of this many rows
# (the last one shorter), each made of fresh arrays: the same rows give the same bytes however the
# table is chunked or sliced (a slice's buffers serialise otherwise), and one batch at a time is copied.
MEMORY_BATCH_ROWS = 4096


def _memory_shard(path: str, part: Any, options: Any) -> Shard:
    """The shard of an in-memory Dataset's table: rows, columns, and the digests of its Arrow IPC stream."""
    import pyarrow as pa
    import pyarrow.ipc

    from dbom.formats.records_digest import SCHEME_ARROW, arrow_batch_sum, format_digest

    table = _table(part)
    sink = _HashingSink(options.hashes)
    total = 0
    with pyarrow.ipc.new_stream(pa.PythonFile(sink, mode="w"), table.schema) as writer:
        for start in range(0, table.num_rows, MEMORY_BATCH_ROWS):
            window = table.slice(start, MEMORY_BATCH_ROWS)
            batch = pa.record_batch([pa.concat_arrays(column.chunks) for column in window.columns],
                                    schema=table.schema)
            writer.write_batch(batch)
            if options.records_digest:
                total += arrow_batch_sum(batch)
    records_digest = format_digest(SCHEME_ARROW, total) if options.records_digest else None
    return Shard(path=path, bytes=sink.size, format="arrow-stream", xxh3_128=sink.xxh3.hexdigest(),
                 sha256=sink.sha256.hexdigest() if sink.sha256 else None,
                 blake3=sink.blake3.hexdigest() if sink.blake3 else None, records=table.num_rows,
                 columns=tuple(Column(f.name, str(f.type)) for f in table.schema), records_digest=records_digest)


def _glob_literal(name: str) -> str:
    """A glob matching exactly `name` (the scanner's globs treat `*`, `?` and `[` specially)."""
    return re.sub(r"([*?\[])", r"[\1]", name)


def _scan_files(name: str, files: Sequence[Path], options: Any, entry: DatasetEntry | None) -> Dataset:
    """One scanned Dataset over exactly `files`: one scan entry per folder, merged."""
    from dbom.scanning.scanner import dataset_digest, scan

    base = entry or DatasetEntry(name=name)
    folders: dict[Path, list[str]] = {}
    splits: dict[Path, set[str]] = {}  # the split folders recorded, by saved DatasetDict folder
    for path in dict.fromkeys(files):  # a file listed twice is one shard
        dict_folder = _saved_dataset_dict(path.parent)
        if dict_folder is None:
            folders.setdefault(path.parent, []).append(path.name)
        else:  # its root is the DatasetDict's folder, which holds its card; the split stays in the shard's path
            folders.setdefault(dict_folder, []).append(f"{path.parent.name}/{path.name}")
            splits.setdefault(dict_folder, set()).add(path.parent.name)
    if not folders:
        return Dataset(name=name, version=base.version, description=base.description, homepage=base.homepage,
                       location=base.location, facts=dict(base.facts), digest=dataset_digest(()),
                       license=_manifest_license(base) or License())
    keys = {folder: f"part-{i:06d}" for i, folder in enumerate(folders)}
    entries = tuple(replace(base, name=keys[folder], path=folder, include=tuple(_glob_literal(n) for n in names),
                            exclude=()) for folder, names in folders.items())
    model = scan(manifest=Manifest(datasets=entries), options=options)
    by_key = {d.name: d for d in model.datasets}
    scanned = [_only_splits(by_key[keys[folder]], splits.get(folder)) for folder in folders]
    # The scan's link to its kept lines (dbom.scanning.snapshot_lines) is dropped: they would be kept for the
    # folder's entry but hold this dataset's lines (renamed, its splits chosen, folders merged), and a
    # rescan of the folder would copy them as its own.
    if len(scanned) == 1:
        return replace(scanned[0], name=name, include=(), exclude=(), snapshot=None)
    prefixes = _unique_names([folder.name or "root" for folder in folders])
    shards = tuple(sorted((replace(s, path=f"{p}/{s.path}") for p, d in zip(prefixes, scanned, strict=True)
                           for s in d.shards), key=lambda s: s.path))
    docs = tuple(sorted((replace(f, path=f"{p}/{f.path}") for p, d in zip(prefixes, scanned, strict=True)
                         for f in d.docs), key=lambda f: f.path))
    first = scanned[0]

    def same(attr: str) -> Any:
        """The folders' common value of `attr`, or None when they differ."""
        value = getattr(first, attr)
        return value if all(getattr(d, attr) == value for d in scanned) else None

    return replace(first, name=name, shards=shards, docs=docs, digest=dataset_digest(shards), include=(), exclude=(),
                   snapshot=None,
                   vcs=same("vcs"), hub=None, license=same("license") or License(),
                   description=same("description"), homepage=same("homepage"))


def _saved_dataset_dict(folder: Path) -> Path | None:
    """The folder of the DatasetDict saved with `save_to_disk` of which `folder` is a split, else None."""
    index = folder.parent / "dataset_dict.json"
    try:
        listed = json.loads(index.read_text(encoding="utf-8")).get("splits")
    except (OSError, ValueError, AttributeError):  # no such file, or not the index save_to_disk writes
        return None
    return folder.parent if isinstance(listed, list) and folder.name in listed else None


def _only_splits(dataset: Dataset, splits: set[str] | None) -> Dataset:
    """`dataset` (scanned from a saved DatasetDict's folder) without the documents of the splits not recorded."""
    if splits is None:
        return dataset
    docs = tuple(d for d in dataset.docs if "/" not in d.path or d.path.split("/", 1)[0] in splits)
    listed = {s.path for s in dataset.shards} | {d.path for d in docs}
    hub = replace(dataset.hub, blobs=tuple(b for b in dataset.hub.blobs if b[0] in listed)) if dataset.hub else None
    return replace(dataset, docs=docs, hub=hub)


def _unique_names(names: list[str]) -> list[str]:
    out: list[str] = []
    for name in names:
        candidate, n = name, 2
        while candidate in out:
            candidate, n = f"{name}-{n}", n + 1
        out.append(candidate)
    return out


def _manifest_license(entry: DatasetEntry) -> License | None:
    return License(expression=entry.license, source="manifest") if entry.license else None


def _with_info(dataset: Dataset, kind: str, parts: Mapping[str, Any], info: Any, entry: DatasetEntry | None,
               warn: Callable[[str], None]) -> Dataset:
    """`dataset` completed with what the object's info says, where the scan and the manifest said nothing."""
    fingerprints = tuple((str(split) or str(getattr(part, "split", "") or ""), str(part._fingerprint))
                         for split, part in parts.items() if getattr(part, "_fingerprint", None))
    extra = DatasetsInfo(
        kind=kind,
        builder=_text(getattr(info, "builder_name", None)),
        config=_text(getattr(info, "config_name", None)),
        version=_text(getattr(info, "version", None)),
        revision=_revision(info),
        fingerprints=fingerprints,
        splits=_splits(info),
        features=_features(info),
        citation=_text(getattr(info, "citation", None)),
    )
    license_, evidence = _info_license(dataset, info, entry, warn)
    return replace(
        dataset,
        datasets_info=extra,
        description=dataset.description or _text(getattr(info, "description", None)),
        homepage=dataset.homepage or _text(getattr(info, "homepage", None)),
        license=license_,
        license_evidence=evidence,
    )


def _info_license(dataset: Dataset, info: Any, entry: DatasetEntry | None,
                  warn: Callable[[str], None]) -> tuple[License, tuple[License, ...]]:
    """The dataset's license and evidence once the `datasets` object's info license is weighed in.

    The manifest wins, then the card; the info (the dataset's own statement, carried with its data)
    wins over license files, which may be the license of a repository's code. A disagreement is
    reported through `warn`, as the scanner reports a card that disagrees with a license file.
    """
    license_, evidence = dataset.license, dataset.license_evidence
    info_license = _text(getattr(info, "license", None))
    # a one-line license identifier only: a license's full text is no identifier, and never a guess
    found = hf_license(info_license) if info_license and "\n" not in info_license else License()
    if not found.is_known:
        return license_, evidence
    stated = replace(found, source="datasets-info", acknowledgement="declared")
    evidence = (*evidence, stated)
    if (entry and entry.license) or stated.expression == license_.expression:
        return license_, evidence
    if license_.is_known and license_.source == "card":
        warn(f"{dataset.name}: the datasets object's info declares {stated.expression}, but the card declares "
             f"{license_.expression}; keeping the card's license")
        return license_, evidence
    if license_.is_known:
        warn(f"{dataset.name}: {license_.path or 'a license file'}: reads as {license_.expression}, but the datasets "
             f"object's info declares {stated.expression}; keeping the info's license")
    return stated, evidence


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _revision(info: Any) -> str | None:
    """The Hub revision the data files were downloaded at, when the info's download checksums name it."""
    for url in (getattr(info, "download_checksums", None) or {}):
        match = _REVISION.search(str(url))
        if match:
            return match.group(1)
    return None


def _splits(info: Any) -> tuple[tuple[str, int | None, int | None], ...]:
    splits = getattr(info, "splits", None) or {}
    out = []
    for split_name, split in splits.items():
        examples = getattr(split, "num_examples", None)
        size = getattr(split, "num_bytes", None)
        out.append((str(split_name), int(examples) if examples is not None else None,
                    int(size) if size is not None else None))
    return tuple(out)


def _features(info: Any) -> str | None:
    features = getattr(info, "features", None)
    if features is None:
        return None
    return json.dumps(features.to_dict(), ensure_ascii=False, separators=(",", ":"))


def cache_file_paths(obj: Any) -> list[str]:
    """The cache files backing a `datasets` object, as absolute paths (for tests and diagnostics)."""
    parts = dict(obj) if (_kind(obj) or "").endswith("Dict") else {"": obj}
    return [os.path.abspath(f["filename"]) for part in parts.values() for f in _cache_files(part)]
