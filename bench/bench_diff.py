"""Benchmark `dbom diff` on two DBOMs of 100,000 shards each: time and peak memory.

Run from the repository root with the project's virtualenv active::

    python bench/bench_diff.py [--workdir DIR] [--shards N] [--datasets D] [--runs R]

It builds two DBOMs in Python (the internal model, written with `dbom.write`, so both are real,
validated CycloneDX 1.6 files) in a work folder outside the repository (default
/tmp/dbom-bench-diff): the old one has N shards (default 100,000) in D datasets (default 10),
each with SHA-256, record count, schema and records digest, as `dbom scan --records-digest`
writes them; the new one is the old one with 1% of the shards added, 1% removed, 1% changed
(same path, new content), 1% moved (same content, new path), one dataset re-sharded, one
renamed, one added, one removed and one license escalated.

Then it times, over R rounds (default 5), with the page cache warm:

- `dbom diff OLD NEW` as a subprocess, for each of `--format text`, `markdown` and `json`,
  with the child's peak resident memory (from `os.wait4`);
- in this process: `dbom.load` of each file, `dbom.compare.diff.diff`, and rendering each format, and
  the peak of Python allocations during load + diff (tracemalloc, in a separate round: it
  slows everything down).

It prints a Markdown table for bench/RESULTS.md and writes the figures as JSON beside the DBOMs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
from dataclasses import replace
from pathlib import Path

GENERATOR_FORMAT = 1  # bump when the generated DBOMs change: old ones are then rebuilt


def _hex(seed: int, width: int) -> str:
    import hashlib

    return hashlib.sha256(seed.to_bytes(8, "little")).hexdigest()[:width]


def build_pair(shards: int, datasets: int) -> tuple[object, object]:
    """The old and the new Dbom (see the module docstring)."""
    from dbom.model import Column, Dataset, Dbom, License, ModelInfo, Shard
    from dbom.scanning.scanner import dataset_digest

    columns = (Column("id", "int64"), Column("text", "string"), Column("url", "string"))
    licenses = ["CC-BY-4.0", "MIT", "ODC-By-1.0", "CC0-1.0", "Apache-2.0"]
    per = shards // datasets
    old_sets = []
    for d in range(datasets):
        items = []
        for i in range(per):
            n = d * per + i
            records = 1000 + n % 997
            items.append(Shard(path=f"data/{n // 1000:03d}/part-{n:06d}.parquet", bytes=4_000_000 + n % 65_536,
                               format="parquet", xxh3_128=_hex(n, 32), sha256=_hex(n + 10**9, 64), records=records,
                               columns=columns, records_digest=f"arrow:{_hex(n + 2 * 10**9, 16)}"))
        shard_tuple = tuple(sorted(items, key=lambda s: s.path))
        old_sets.append(Dataset(name=f"dataset-{d:02d}", shards=shard_tuple, version="2024-01",
                                license=License(licenses[d % len(licenses)], source="card"),
                                facts={"osaid_class": "open"}, digest=dataset_digest(shard_tuple)))
    model = ModelInfo(name="bench-lm", version="1.0", license="Apache-2.0")
    old = Dbom(model=model, datasets=tuple(old_sets), timestamp="2026-01-01T00:00:00Z", tool_version="0.1.0")

    step = max(4, per // 100)  # 1% of each dataset's shards changed, moved, removed and added
    new_sets = []
    for d, ds in enumerate(old_sets):
        if d == datasets - 1:
            continue  # removed
        items = list(ds.shards)
        if d == 0:  # re-sharded: the same records in half as many files, same digests summed
            items = _reshard(items)
        else:
            for k in range(0, len(items), step):
                s = items[k]
                items[k] = replace(s, xxh3_128=_hex(k + 3 * 10**9, 32), records=(s.records or 0) + 1,
                                   records_digest=f"arrow:{_hex(k + 4 * 10**9, 16)}")  # changed
                if k + 1 < len(items):
                    items[k + 1] = replace(items[k + 1], path=items[k + 1].path.replace("data/", "moved/"))  # moved
                if k + 2 < len(items):
                    items[k + 2] = None  # type: ignore[call-overload]  # removed
                items.append(replace(s, path=s.path.replace(".parquet", "-extra.parquet"),
                                     xxh3_128=_hex(k + 5 * 10**9, 32)))  # added
        shard_tuple = tuple(sorted((s for s in items if s is not None), key=lambda s: s.path))
        name = "dataset-renamed" if d == 1 else ds.name
        license_ = License("CC-BY-NC-4.0", source="card") if d == 2 else ds.license
        new_sets.append(replace(ds, name=name, shards=shard_tuple, license=license_,
                                digest=dataset_digest(shard_tuple)))
    extra = tuple(replace(s, path="new/" + s.path) for s in old_sets[0].shards[: per // 10])
    new_sets.append(Dataset(name="dataset-new", shards=extra, license=License("CC-BY-SA-4.0"),
                            digest=dataset_digest(extra)))
    new = replace(old, model=replace(model, version="2.0"), datasets=tuple(sorted(new_sets, key=lambda d: d.name)))
    return old, new


def _reshard(items: list) -> list:  # type: ignore[type-arg]
    """Pairs of shards merged into one: same records, same sum of records digests."""
    from dataclasses import replace

    merged = []
    for i in range(0, len(items) - 1, 2):
        a, b = items[i], items[i + 1]
        total = (int(a.records_digest.split(":")[1], 16) + int(b.records_digest.split(":")[1], 16)) % (1 << 64)
        merged.append(replace(a, path=f"resharded/{i // 2:06d}.parquet", xxh3_128=_hex(i + 6 * 10**9, 32),
                              records=a.records + b.records, bytes=a.bytes + b.bytes,
                              records_digest=f"arrow:{total:016x}"))
    if len(items) % 2:
        merged.append(items[-1])
    return merged


def ensure_dboms(workdir: Path, shards: int, datasets: int) -> tuple[Path, Path]:
    """Write the two DBOMs unless files for these parameters are already there."""
    import dbom

    old_path, new_path = workdir / f"old-{shards}.cdx.json", workdir / f"new-{shards}.cdx.json"
    stamp = workdir / f"dboms-{shards}.json"
    params = {"shards": shards, "datasets": datasets, "format": GENERATOR_FORMAT}
    if stamp.exists() and json.loads(stamp.read_text()) == params and old_path.exists() and new_path.exists():
        print(f"reusing {old_path} and {new_path}", flush=True)
        return old_path, new_path
    started = time.perf_counter()
    old, new = build_pair(shards, datasets)
    dbom.write(old, old_path)
    dbom.write(new, new_path)
    stamp.write_text(json.dumps(params))
    print(f"wrote {old_path} ({old_path.stat().st_size:,} bytes) and {new_path} ({new_path.stat().st_size:,} bytes) "
          f"in {time.perf_counter() - started:.1f} s", flush=True)
    return old_path, new_path


def run_child(args: list[str]) -> tuple[float, int, int]:
    """Run a command; (wall seconds, peak RSS in bytes, exit code), the RSS of that child alone."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read() if proc.stderr else b""
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}): {err.decode(errors='replace')}")
    return seconds, usage.ru_maxrss * 1024, proc.returncode


def main(argv: list[str] | None = None) -> int:
    """Generate, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/dbom-bench-diff"))
    parser.add_argument("--shards", type=int, default=100_000)
    parser.add_argument("--datasets", type=int, default=10)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    old_path, new_path = ensure_dboms(args.workdir, args.shards, args.datasets)

    import dbom
    from dbom.compare.diff import diff
    from dbom.compare.render import render

    cli: dict[str, list[tuple[float, int]]] = {fmt: [] for fmt in ("text", "markdown", "json")}
    steps: dict[str, list[float]] = {k: [] for k in ("load old", "load new", "diff", "text", "markdown", "json")}
    for fmt in cli:  # warm-up, and the exit code
        _, _, code = run_child([sys.executable, "-m", "dbom", "diff", str(old_path), str(new_path), "--format", fmt])
        assert code == 1, code
    for _ in range(args.runs):
        for fmt in cli:
            seconds, rss, _ = run_child([sys.executable, "-m", "dbom", "diff", str(old_path), str(new_path),
                                         "--format", fmt])
            cli[fmt].append((seconds, rss))
        t0 = time.perf_counter()
        old = dbom.load(old_path)
        t1 = time.perf_counter()
        new = dbom.load(new_path)
        t2 = time.perf_counter()
        result = diff(old, new)
        t3 = time.perf_counter()
        steps["load old"].append(t1 - t0)
        steps["load new"].append(t2 - t1)
        steps["diff"].append(t3 - t2)
        for fmt in ("text", "markdown", "json"):
            t = time.perf_counter()
            render(result, fmt, old_path.name, new_path.name)
            steps[fmt].append(time.perf_counter() - t)
        del old, new, result
    tracemalloc.start()
    result = diff(dbom.load(old_path), dbom.load(new_path))
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    s = result.summary

    def med(values: list[float]) -> float:
        return statistics.median(values)

    figures = {
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "shards_old": s.old_shards, "shards_new": s.new_shards,
        "bytes_old_file": old_path.stat().st_size, "bytes_new_file": new_path.stat().st_size,
        "cli": {fmt: {"median_s": med([t for t, _ in v]), "min_s": min(t for t, _ in v),
                      "max_s": max(t for t, _ in v), "peak_rss_bytes": max(r for _, r in v)} for fmt, v in cli.items()},
        "in_process_median_s": {k: med(v) for k, v in steps.items()},
        "traced_peak_bytes_load_and_diff": traced_peak,
        "result": {"added": s.added, "removed": s.removed, "changed": s.changed, "renamed": s.renamed,
                   "escalations": s.escalations,
                   "shards_added": sum(len(d.shards_added) for d in result.datasets),
                   "shards_removed": sum(len(d.shards_removed) for d in result.datasets),
                   "shards_changed": sum(len(d.shards_changed) for d in result.datasets),
                   "shards_moved": sum(len(d.shards_moved) for d in result.datasets),
                   "resharded": [d.name for d in result.datasets if d.reshard]},
    }
    (args.workdir / f"results-{args.shards}.json").write_text(json.dumps(figures, indent=1))
    mib = 1 << 20
    print()
    print(f"Machine: {figures['machine']}. Old DBOM: {s.old_shards:,} shards, "
          f"{figures['bytes_old_file'] / mib:.0f} MiB; new: {s.new_shards:,} shards, "
          f"{figures['bytes_new_file'] / mib:.0f} MiB. {args.runs} rounds, warm cache.")
    print()
    print("| `dbom diff OLD NEW` | median | min | max | peak RSS |")
    print("|---|---|---|---|---|")
    for fmt, f in figures["cli"].items():
        print(f"| `--format {fmt}` | {f['median_s']:.2f} s | {f['min_s']:.2f} s | {f['max_s']:.2f} s | "
              f"{f['peak_rss_bytes'] / mib:.0f} MiB |")
    print()
    print("| in process (median) | seconds |")
    print("|---|---|")
    for k, v in figures["in_process_median_s"].items():
        label = f"render {k}" if k in ("text", "markdown", "json") else k
        print(f"| {label} | {v:.3f} |")
    print()
    print(f"Peak of Python allocations during load + load + diff (tracemalloc): {traced_peak / mib:.0f} MiB.")
    print(f"Found: {json.dumps(figures['result'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
