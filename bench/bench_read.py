"""Benchmark the read side on a large DBOM, against json.load of the same file in the same run; and the
write of a 10^7-shard DBOM.

Run from the repository root with the project's virtualenv active::

    python bench/bench_read.py [--shards N] [--write-shards M] [--workdir DIR] [--runs R]

It builds, once (kept in the work folder, default /tmp/dbom-bench/read, while the generator is the
same), a DBOM of N shards (default 10^6; bench_writer.build_dbom: ten datasets, each shard with
SHA-256, XXH3-128, record count and schema) and a pair of N-shard DBOMs for diff (bench_diff.build_pair:
1% of the shards added, removed, changed and moved, datasets renamed, re-sharded...).

Then, each command in a child process of its own (its wall time, and its peak RSS from os.wait4),
R times (default 1) with the median kept:

- the baseline: `json.load` of the file in a bare Python process (the default collector, as a
  program that calls it gets), and the same with the collector off (the parse alone, its fastest);
  for diff, json.load of both files in one process;
- `dbom validate`, `dbom check`, `dbom report --format md`, `dbom diff OLD NEW --format json`;
- from Python: `dbom.load(path, stream=True)` and one pass over every shard;
- goal 5: `dbom.write` of a model of M shards (default 10^7) whose shards are generated as they are
  read (a Sequence, so the bench process holds no shard), and of M/10 shards, for linearity.

It prints a Markdown table for bench/RESULTS.md and writes the figures as JSON beside the DBOMs.
The issue's bounds (#17) are printed beside each figure: validate, check and report under 300 MB and
no slower than json.load; diff under 1 GB; the 10^7 write under 2 GB, in linear time.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, overload

GENERATOR_FORMAT = 1  # bump when the generated DBOMs change: old ones are then rebuilt
HERE = Path(__file__).resolve().parent


def run_child(args: list[str]) -> tuple[float, float, int, float, str]:
    """(wall seconds, peak RSS in MB, exit code, CPU seconds, the last line of its output) of a child process."""
    import tempfile

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(args, stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - started
        child.returncode = code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):
            err.seek(0)
            cause = err.read().decode(errors="replace")[-500:]
            raise SystemExit(f"bench_read: {' '.join(args)} failed ({code}): {cause}")
        out.seek(max(0, out.seek(0, os.SEEK_END) - 4096))
        tail = (out.read().decode(errors="replace").strip().splitlines() or [""])[-1]
    return elapsed, usage.ru_maxrss * 1024 / 1e6, code, usage.ru_utime + usage.ru_stime, tail


def _python(code: str) -> list[str]:
    return [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(HERE)!r}); " + code]


def ensure_inputs(workdir: Path, shards: int) -> tuple[Path, Path, Path]:
    """The N-shard DBOM and the diff pair, built in child processes when missing or stale."""
    workdir.mkdir(parents=True, exist_ok=True)
    stamp = workdir / f"inputs-{shards}.json"
    single, old, new = (workdir / f"dbom-{shards}.json", workdir / f"old-{shards}.json",
                        workdir / f"new-{shards}.json")
    params = {"format": GENERATOR_FORMAT, "shards": shards}
    if stamp.exists() and json.loads(stamp.read_text()) == params and single.exists() and old.exists() \
            and new.exists():
        return single, old, new
    print(f"bench_read: building the {shards:,}-shard DBOMs in {workdir} ...", file=sys.stderr)
    subprocess.run(_python(
        f"import dbom; from bench_writer import build_dbom; dbom.write(build_dbom({shards}, 10), {str(single)!r})"),
        check=True)
    subprocess.run(_python(
        "import dbom; from bench_diff import build_pair; "
        f"o, n = build_pair({shards}, 10); dbom.write(o, {str(old)!r}); dbom.write(n, {str(new)!r})"), check=True)
    stamp.write_text(json.dumps(params))
    return single, old, new


class SyntheticShards(Sequence[Any]):
    """`count` shards made as they are read: what a dataset of 10^7 files looks like to the writer,
    without the bench holding them."""

    def __init__(self, name: str, count: int) -> None:
        from dbom.model import Column

        self.name = name
        self.count = count
        self.columns = (Column("id", "int64"), Column("text", "string"))

    def __len__(self) -> int:
        return self.count

    def _shard(self, i: int) -> Any:
        from dbom.model import Shard

        seed = f"{self.name}/{i}".encode()
        return Shard(path=f"data/part-{i:08d}.parquet", bytes=1 << 27, format="parquet",
                     xxh3_128=hashlib.md5(seed).hexdigest(), sha256=hashlib.sha256(seed).hexdigest(),
                     records=100_000, columns=self.columns)

    def __iter__(self) -> Iterator[Any]:
        return (self._shard(i) for i in range(self.count))

    @overload
    def __getitem__(self, index: int) -> Any: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Any]: ...

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [self._shard(i) for i in range(*index.indices(self.count))]
        if not -self.count <= index < self.count:
            raise IndexError(index)
        return self._shard(index % self.count)


def write_synthetic(shards: int, target: Path) -> None:
    """`dbom.write` of a model of `shards` generated shards in 10 datasets (run in a child process)."""
    import dbom
    from dbom.model import Dataset, Dbom, ModelInfo

    datasets = []
    for d in range(10):
        sequence = SyntheticShards(f"corpus-{d}", shards // 10)
        digest = hashlib.sha256()
        for shard in sequence:
            digest.update(f"{shard.path}\t{shard.xxh3_128}\n".encode())
        datasets.append(Dataset(name=f"corpus-{d}", shards=sequence, digest=digest.hexdigest()))
    started = time.perf_counter()
    dbom.write(Dbom(model=ModelInfo(name="bench-lm", version="1"), datasets=tuple(datasets),
                    timestamp="1970-01-01T00:00:00Z", tool_version="0.1.0"), target)
    print(json.dumps({"write_s": time.perf_counter() - started}))


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shards", type=int, default=1_000_000)
    parser.add_argument("--write-shards", type=int, default=10_000_000, help="0: skip the write stage")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/dbom-bench/read"))
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--only-write", action="store_true", help="only the dbom.write stage (goal 5)")
    args = parser.parse_args(argv)

    single, old, new = ensure_inputs(args.workdir, args.shards)
    dbom_cmd = [sys.executable, "-m", "dbom"]
    report = args.workdir / "report.md"
    stages: list[tuple[str, list[str], str]] = [
        ("json.load (baseline)", _python(f"import json; json.load(open({str(single)!r}, 'rb'))"), ""),
        ("json.load, collector off", _python(f"import gc, json; gc.disable(); json.load(open({str(single)!r}, 'rb'))"),
         "json.load (baseline)"),
        ("dbom validate", [*dbom_cmd, "validate", str(single)], "json.load (baseline)"),
        ("dbom check", [*dbom_cmd, "check", str(single)], "json.load (baseline)"),
        ("dbom report --format md", [*dbom_cmd, "report", str(single), "-o", str(report)], "json.load (baseline)"),
        ("dbom.load(stream=True) + every shard", _python(
            f"import dbom; d = dbom.load({str(single)!r}, stream=True); "
            "n = sum(1 for ds in d.datasets for s in ds.shards); "
            "assert n == sum(ds.summary.shards for ds in d.datasets)"),
         "json.load (baseline)"),
        ("json.load of both (diff baseline)", _python(
            f"import json; a = json.load(open({str(old)!r}, 'rb')); b = json.load(open({str(new)!r}, 'rb'))"), ""),
        ("dbom diff --format json", [*dbom_cmd, "diff", str(old), str(new), "--format", "json"],
         "json.load of both (diff baseline)"),
    ]
    rows: dict[str, dict[str, Any]] = {}
    for name, command, baseline in [] if args.only_write else stages:
        samples = [run_child(command) for _ in range(args.runs)]
        rows[name] = {"seconds": statistics.median(s[0] for s in samples),
                      "cpu_s": statistics.median(s[3] for s in samples),
                      "peak_rss_mb": max(s[1] for s in samples), "baseline": baseline}
        print(f"  {name}: {rows[name]['seconds']:.2f} s, {rows[name]['peak_rss_mb']:.0f} MB", file=sys.stderr)
    writes: dict[int, dict[str, Any]] = {}
    if args.write_shards:
        for count in (args.write_shards // 10, args.write_shards):
            target = args.workdir / f"written-{count}.json"
            elapsed, rss, _, cpu, tail = run_child(_python(
                f"from bench_read import write_synthetic; from pathlib import Path; "
                f"write_synthetic({count}, Path({str(target)!r}))"))
            writes[count] = {"seconds": json.loads(tail)["write_s"], "process_s": elapsed, "cpu_s": cpu,
                             "peak_rss_mb": rss, "bytes": target.stat().st_size}
            target.unlink()
            print(f"  dbom.write of {count:,} shards: {writes[count]['seconds']:.1f} s (process {elapsed:.1f} s, "
                  f"CPU {cpu:.1f} s), {rss:.0f} MB", file=sys.stderr)

    size_mb = single.stat().st_size / 1e6
    print(f"\n{args.shards:,}-shard DBOM: {size_mb:.0f} MB; diff pair: {old.stat().st_size / 1e6:.0f} + "
          f"{new.stat().st_size / 1e6:.0f} MB; Python {platform.python_version()}, {os.cpu_count()} CPUs\n")
    print("| command | seconds | vs baseline | CPU seconds | peak RSS (MB) |")
    print("|---|---:|---:|---:|---:|")
    for name, row in rows.items():
        ratio = f"{row['seconds'] / rows[row['baseline']]['seconds']:.2f}x" if row["baseline"] else "1.00x"
        print(f"| {name} | {row['seconds']:.2f} | {ratio} | {row['cpu_s']:.2f} | {row['peak_rss_mb']:.0f} |")
    if writes:
        small, big = sorted(writes)
        per = [writes[c]["seconds"] / c * 1e6 for c in (small, big)]
        cpu = [writes[c]["cpu_s"] / c * 1e6 for c in (small, big)]
        print("\n| dbom.write, generated shards | write seconds | µs per shard | process CPU µs per shard "
              "| peak RSS (MB) | file (GB) |")
        print("|---|---:|---:|---:|---:|---:|")
        for count, us, cpu_us in zip((small, big), per, cpu, strict=True):
            w = writes[count]
            print(f"| {count:,} | {w['seconds']:.1f} | {us:.1f} | {cpu_us:.1f} | {w['peak_rss_mb']:.0f} "
                  f"| {w['bytes'] / 1e9:.2f} |")
        print(f"\nlinearity (per shard, {big:,} against {small:,}): wall {per[1] / per[0]:.2f}, "
              f"CPU {cpu[1] / cpu[0]:.2f}")
    (args.workdir / "figures.json").write_text(json.dumps({"rows": rows, "writes": writes}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
