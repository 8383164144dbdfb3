"""Benchmark the CycloneDX side of dbom on a large DBOM built in memory (no files are scanned).

Run from the repository root with the project's virtualenv active::

    python bench/bench_writer.py [--shards N] [--datasets D] [--workdir DIR]

It builds an internal-model `Dbom` of N shards (default 100,000) spread over D datasets
(default 10), each shard with SHA-256, XXH3-128, a record count and a three-column schema,
plus a card and a license file per dataset, and times, each in a fresh Python process so
that peak memory is that stage's own:

- `write_dbom`: `dbom.cyclonedx.writer.write_dbom` to a file;
- `validate_file`: `dbom.cyclonedx.validate.validate_file` of that file (schema + integrity);
- `read_dbom`: `dbom.cyclonedx.reader.read_dbom` of it, back to the internal model;
- `dbom.write`: the whole public `dbom.write(...)` (write while validating each value as it goes
  out, fsync, rename).

For each it prints the seconds (the stage alone, measured with time.perf_counter inside the
process), the output size in MB (10^6 bytes) and the process's peak RSS
(resource.getrusage ru_maxrss), and for the stages that need the model, the peak RSS once the
model was built. Before each stage it waits for the machine's CPUs to be idle, and it reports
the share of the CPU other processes used during the stage (see bench_scan.py). The output
goes to a work folder outside the repository (default /tmp/dbom-bench/writer).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench_scan import busy_seconds, children_cpu, wait_for_quiet  # bench/ is on sys.path when run as a script

STAGES = ("write_dbom", "validate_file", "read_dbom", "dbom.write")


def build_dbom(shards: int, datasets: int) -> Any:
    """An internal-model Dbom of `shards` shards over `datasets` datasets, with realistic fields."""
    from dbom.model import HASH_SHA256, HASH_XXH3, Column, Dataset, Dbom, DocFile, License, ModelInfo, Shard

    columns = (Column("id", "int64"), Column("text", "string"), Column("meta", "struct<source: string, "
                                                                             "score: double>"))
    per = [shards // datasets + (1 if d < shards % datasets else 0) for d in range(datasets)]
    out = []
    for d, count in enumerate(per):
        name = f"corpus-{d:02d}"
        items = []
        for i in range(count):
            seed = f"{name}/{i}".encode()
            items.append(Shard(
                path=f"data/train/part-{i:07d}-of-{count:07d}.parquet",
                bytes=134_217_728 + i,
                format="parquet",
                xxh3_128=hashlib.md5(seed).hexdigest(),  # 32 hex digits, like XXH3-128
                sha256=hashlib.sha256(seed).hexdigest(),
                records=100_000 + i % 1000,
                columns=columns,
            ))
        docs = (
            DocFile(path="LICENSE", kind="license", bytes=11_357, xxh3_128=hashlib.md5(b"L" + name.encode())
                    .hexdigest(), sha256=hashlib.sha256(b"L" + name.encode()).hexdigest()),
            DocFile(path="README.md", kind="card", bytes=4_096, xxh3_128=hashlib.md5(b"R" + name.encode())
                    .hexdigest(), sha256=hashlib.sha256(b"R" + name.encode()).hexdigest()),
        )
        digest = hashlib.sha256("".join(f"{s.path}\t{s.xxh3_128}\n" for s in items).encode()).hexdigest()
        out.append(Dataset(
            name=name,
            shards=tuple(items),
            docs=docs,
            description=f"Benchmark dataset {d}",
            homepage=f"https://example.org/{name}",
            location=f"https://example.org/{name}/download",
            license=License(expression="Apache-2.0", source="card"),
            facts={"osaid_class": "public", "eu_category": "2.1"},
            digest=digest,
        ))
    return Dbom(
        model=ModelInfo(name="bench-lm", version="1.0", license="Apache-2.0", commercial=True),
        datasets=tuple(out),
        dbom_license="CC-BY-4.0",
        timestamp="1970-01-01T00:00:00Z",
        tool_version="0.1.0",
        hash_algorithms=(HASH_XXH3, HASH_SHA256),
    )


def _peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MB (ru_maxrss is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6


def run_stage(stage: str, shards: int, datasets: int, target: Path) -> dict[str, Any]:
    """Run one stage in this process and return its figures."""
    result: dict[str, Any] = {"stage": stage, "rss_start_mb": _peak_rss_mb()}
    if stage in ("write_dbom", "dbom.write"):
        started = time.perf_counter()
        model = build_dbom(shards, datasets)
        result["build_s"] = time.perf_counter() - started
        result["rss_model_mb"] = _peak_rss_mb()
    started = time.perf_counter()
    if stage == "write_dbom":
        from dbom.cyclonedx.writer import write_dbom

        with open(target, "w+b") as fh:
            write_dbom(model, fh)
    elif stage == "validate_file":
        from dbom.cyclonedx.validate import validate_file

        problems = validate_file(target)
        if problems:
            raise SystemExit(f"bench_writer: the written DBOM does not validate: {problems[0]}")
    elif stage == "read_dbom":
        from dbom.cyclonedx.reader import read_dbom

        back = read_dbom(target)
        result["shards_read"] = sum(len(d.shards) for d in back.datasets)
    elif stage == "dbom.write":
        import dbom

        dbom.write(model, target)
    else:
        raise SystemExit(f"bench_writer: unknown stage {stage!r}")
    result["seconds"] = time.perf_counter() - started
    result["rss_peak_mb"] = _peak_rss_mb()
    result["output_mb"] = target.stat().st_size / 1e6
    return result


def main(argv: Sequence[str] | None = None) -> int:
    """Run every stage in its own process and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shards", type=int, default=100_000, help="shards in the DBOM (default 100000)")
    parser.add_argument("--datasets", type=int, default=10, help="datasets the shards are spread over (default 10)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/dbom-bench/writer"),
                        help="where the DBOM files are written (default /tmp/dbom-bench/writer)")
    parser.add_argument("--stage", choices=STAGES, help=argparse.SUPPRESS)  # internal: run one stage, print JSON
    parser.add_argument("--max-foreign", type=float, default=0.10,
                        help="wait before each stage until other processes use at most this share of the CPU, "
                             "and warn when they used more during a stage (default 0.10)")
    parser.add_argument("--wait-idle", type=float, default=900.0,
                        help="wait at most this many seconds for the CPUs to be idle before a stage (default 900)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON to this file")
    args = parser.parse_args(argv)
    workdir: Path = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    streamed = workdir / f"dbom-{args.shards}.cdx.json"
    public = workdir / f"dbom-{args.shards}-write.cdx.json"

    if args.stage:
        target = public if args.stage == "dbom.write" else streamed
        print(json.dumps(run_stage(args.stage, args.shards, args.datasets, target)))
        return 0

    print(f"{args.shards} shards in {args.datasets} datasets; files in {workdir}")
    capacity = os.cpu_count() or 1
    results = []
    for stage in STAGES:
        wait_for_quiet(args.max_foreign, args.wait_idle)
        busy, own = busy_seconds(), children_cpu()
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, __file__, "--stage", stage, "--shards", str(args.shards),
             "--datasets", str(args.datasets), "--workdir", str(workdir)],
            capture_output=True, text=True, check=False,
        )
        elapsed = time.perf_counter() - started
        foreign = max(0.0, (busy_seconds() - busy) - (children_cpu() - own))
        if done.returncode != 0:
            sys.exit(f"bench_writer: stage {stage} failed:\n{done.stderr}{done.stdout}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        result["foreign_share"] = foreign / (elapsed * capacity)
        results.append(result)
    print(f"{'stage':<15} {'seconds':>8} {'output MB':>10} {'peak RSS MB':>12} {'RSS with model MB':>18}"
          f" {'model build s':>14} {'other CPU':>10}")
    for r in results:
        model_rss = f"{r['rss_model_mb']:18.0f}" if "rss_model_mb" in r else f"{'-':>18}"
        build = f"{r['build_s']:14.2f}" if "build_s" in r else f"{'-':>14}"
        print(f"{r['stage']:<15} {r['seconds']:8.2f} {r['output_mb']:10.1f} {r['rss_peak_mb']:12.0f}"
              f" {model_rss} {build} {r['foreign_share']:10.0%}")
    if any(r["foreign_share"] > args.max_foreign for r in results):
        print(f"warning: other processes used more than {args.max_foreign:.0%} of the CPU during a stage; "
              "its time is inflated")
    if args.json:
        args.json.write_text(json.dumps({"shards": args.shards, "datasets": args.datasets, "stages": results},
                                        indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
