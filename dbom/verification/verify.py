"""Check data against a DBOM: every shard it names is there with the same bytes, and no other shard is.

Each dataset of the DBOM is scanned again at its root (given with `--root NAME=PATH_OR_URL`, taken
from a manifest, or for a remote dataset its recorded URL), with the include and exclude globs it
was scanned with, reading every byte unless the cache may be trusted. Its shards are then compared
by path with those the DBOM holds, streamed: a shard is missing (in the DBOM, not found), changed
(another size, or another digest: XXH3-128 when the DBOM holds it, else SHA-256), unreadable (found
but cannot be read), or extra (found, but not in the DBOM). Documentation files (cards, license
texts) are not compared: they are not training data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dbom.errors import DbomError
from dbom.manifest import DatasetEntry, Manifest, load_manifest
from dbom.model import Dataset, Dbom, Shard
from dbom.sources.remote import parse_remote


@dataclass
class DatasetCheck:
    """What was found for one dataset."""

    name: str
    root: str
    matched: int = 0
    missing: list[str] = field(default_factory=list)
    changed: list[tuple[str, str]] = field(default_factory=list)  # (path, what changed)
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (path, cause)
    extra: list[str] = field(default_factory=list)

    @property
    def differs(self) -> bool:
        """Whether anything does not match."""
        return bool(self.missing or self.changed or self.unreadable or self.extra)

    def to_json(self) -> dict[str, Any]:
        """This check as JSON data."""
        return {"name": self.name, "matched": self.matched, "missing": self.missing,
                "changed": [{"path": p, "what": w} for p, w in self.changed],
                "unreadable": [{"path": p, "cause": c} for p, c in self.unreadable], "extra": self.extra}


@dataclass
class Verification:
    """The checks of every dataset of a DBOM."""

    datasets: list[DatasetCheck]
    trusted_cache: bool

    @property
    def differs(self) -> bool:
        """Whether any dataset does not match."""
        return any(d.differs for d in self.datasets)

    def to_json(self) -> dict[str, Any]:
        """The verification as JSON data (`dbom verify --format json`)."""
        return {"matches": not self.differs, "trusted_cache": self.trusted_cache,
                "totals": {kind: sum(_count(d, kind) for d in self.datasets)
                           for kind in ("matched", "missing", "changed", "unreadable", "extra")},
                "datasets": [d.to_json() for d in self.datasets]}


def _count(check: DatasetCheck, kind: str) -> int:
    value = getattr(check, kind)
    return value if isinstance(value, int) else len(value)


def parse_roots(given: Iterable[str]) -> dict[str, str]:
    """`NAME=PATH_OR_URL` options as a dict; a malformed one is a DbomError."""
    roots: dict[str, str] = {}
    for text in given:
        name, sep, where = text.partition("=")
        if not sep or not name or not where:
            raise DbomError(None, f"--root {text!r}: write it as NAME=PATH_OR_URL")
        roots[name] = where
    return roots


def verify(dbom: Dbom, roots: Mapping[str, str], manifest: Path | None = None, trust_cache: bool = False,
           jobs: int = 0, executor: str = "local", ray_address: str | None = None) -> Verification:
    """Check the data of every dataset of `dbom` (read with its shards on disk: `dbom.load(stream=True)`)."""
    declared = {entry.name: entry for entry in (load_manifest(manifest).datasets if manifest else ())}
    unknown = sorted(set(roots) - {d.name for d in dbom.datasets})
    if unknown:
        raise DbomError(None, f"--root {unknown[0]}=...: the DBOM has no dataset of that name "
                              f"(it has {', '.join(d.name for d in dbom.datasets) or 'none'})")
    checks = []
    for dataset in dbom.datasets:
        entry = _entry(dataset, roots, declared)
        checks.append(_check(dataset, entry, trust_cache, jobs, executor, ray_address))
    return Verification(checks, trust_cache)


def _entry(dataset: Dataset, roots: Mapping[str, str], declared: Mapping[str, DatasetEntry]) -> DatasetEntry:
    """Where to find `dataset` again, scanned with the globs it was scanned with."""
    where = roots.get(dataset.name)
    if where is None and dataset.name in declared:
        entry = declared[dataset.name]
        where = str(entry.path) if entry.path is not None else entry.url
    if where is None and dataset.url:
        where = dataset.url
    if where is None:
        raise DbomError(None, f"dataset {dataset.name}: where is it? give --root {dataset.name}=PATH_OR_URL "
                              "or the manifest it was scanned with (-c)")
    base = DatasetEntry(name=dataset.name, include=tuple(dataset.include), exclude=tuple(dataset.exclude))
    remote = parse_remote(where)
    if remote is not None:
        return DatasetEntry(**{**base.__dict__, "url": remote.url})
    path = Path(where)
    if not path.exists():
        raise DbomError(where, f"no such file or directory (the root of dataset {dataset.name})")
    return DatasetEntry(**{**base.__dict__, "path": path.resolve()})


def _check(dataset: Dataset, entry: DatasetEntry, trust_cache: bool, jobs: int, executor: str,
           ray_address: str | None) -> DatasetCheck:
    from dbom.scanning.scanner import ScanOptions
    from dbom.scanning.scanner import scan as run_scan

    expected = _expected(dataset)  # the shards stream from the DBOM: read once
    hashes = () if all(xxh for _, xxh, _ in expected.values()) else ("sha256",)
    quiet: Callable[[str], None] = lambda message: None  # noqa: E731 (what is left out is told by the comparison)
    options = ScanOptions(hashes=hashes, use_cache=trust_cache, keep_going=True, jobs=jobs, warn=quiet,
                          executor=executor, ray_address=ray_address)
    found = run_scan(manifest=Manifest(datasets=(entry,)), options=options).datasets[0]
    return _compare(expected, dataset.name, found, entry.url or str(entry.path))


def compare(recorded: Dataset, found: Dataset, root: str = "") -> DatasetCheck:
    """The shards of `found` (scanned now) checked against those of `recorded` (in the DBOM), by path."""
    return _compare(_expected(recorded), recorded.name, found, root)


def _expected(recorded: Dataset) -> dict[str, tuple[int, str, str]]:
    """path: (bytes, xxh3-128, sha-256) of each shard the DBOM records for the dataset."""
    return {shard.path: (shard.bytes, shard.xxh3_128, shard.sha256 or "") for shard in recorded.shards}


def _compare(expected: dict[str, tuple[int, str, str]], name: str, found: Dataset, root: str) -> DatasetCheck:
    by_xxh3 = all(xxh for _, xxh, _ in expected.values())
    check = DatasetCheck(name, root)
    seen: set[str] = set()
    for shard in found.shards:
        seen.add(shard.path)
        want = expected.get(shard.path)
        if want is None:
            check.extra.append(shard.path)
        elif shard.error:
            check.unreadable.append((shard.path, shard.error))
        else:
            what = _difference(want, shard, by_xxh3)
            if what:
                check.changed.append((shard.path, what))
            else:
                check.matched += 1
    check.missing = sorted(path for path in expected if path not in seen)
    return check


def describe(check: DatasetCheck) -> str:
    """What differs, in one line: `1 missing (a.parquet), 1 changed (b.parquet: size 1 -> 2 bytes)...`."""
    parts = []
    for kind, items in (("missing", check.missing), ("changed", [f"{p}: {w}" for p, w in check.changed]),
                        ("unreadable", [f"{p}: {c}" for p, c in check.unreadable]), ("extra", check.extra)):
        if items:
            shown = "; ".join(items[:3]) + (f"; and {len(items) - 3} more" if len(items) > 3 else "")
            parts.append(f"{len(items)} {kind} ({shown})")
    return ", ".join(parts)


def _difference(want: tuple[int, str, str], shard: Shard, by_xxh3: bool) -> str | None:
    size, xxh3, sha256 = want
    if shard.bytes != size:
        return f"size {size} -> {shard.bytes} bytes"
    if by_xxh3 and shard.xxh3_128 != xxh3:
        return "content (XXH3-128 differs)"
    if not by_xxh3 and sha256 and shard.sha256 != sha256:
        return "content (SHA-256 differs)"
    return None


def render_text(result: Verification, file: str, max_items: int = 20) -> str:
    """The verification for a terminal: one paragraph per dataset, then the totals."""
    lines = []
    for check in result.datasets:
        state = "differs" if check.differs else "matches"
        lines.append(f"{check.name}: {state} ({check.matched} shards match)")
        rows = [*(("missing", p, "") for p in check.missing), *(("changed", p, w) for p, w in check.changed),
                *(("unreadable", p, c) for p, c in check.unreadable), *(("extra", p, "") for p in check.extra)]
        for kind, path, why in rows[: max_items or None]:
            lines.append(f"  {kind:<10} {path}" + (f": {why}" if why else ""))
        if max_items and len(rows) > max_items:
            lines.append(f"  ... and {len(rows) - max_items} more (--max-items 0 lists all)")
    totals = result.to_json()["totals"]
    summary = ", ".join(f"{totals[k]} {k}" for k in ("matched", "missing", "changed", "unreadable", "extra"))
    verdict = "the data differs from" if result.differs else "the data matches"
    cache = " (files whose stat is unchanged were taken from the cache, not read)" if result.trusted_cache else ""
    lines.append(f"{verdict} {file}: {summary}{cache}")
    return "\n".join(lines) + "\n"
