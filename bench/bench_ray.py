"""Benchmark `--executor ray`: scaling from one to two workers, its overhead, and the driver's cost per shard.

Run as root from the repository root with the project's virtualenv active (the ray extra installed).
Ray probes outside addresses when it starts, so the script re-runs itself in a network namespace
with loopback only (`unshare -n`, `ip link set lo up`)::

    python bench/bench_ray.py [--big-files 8] [--big-mib 256] [--small-files 100000] [--rounds 3]

In one process, in rounds (each round runs every case once, so drift affects all alike):

- corpus "big": N Parquet files of M MiB of random bytes (footer-only inspection: the time is reading
  and hashing, XXH3-128 and SHA-256), scanned `--no-cache` by the local executor, and by Ray with a
  local instance of 1 CPU and one of 2 CPUs (each started before its timing, so the figure is the
  scan, not Ray's start-up). Efficiency = T(1 worker) / (2 x T(2 workers)).
- corpus "small": K files of 64 bytes (JSON Lines, one record each): the driver's cost per shard with
  Ray (walk, batching, collecting, the model) against the local executor; both `--no-cache`.
- `--driver CORPUS...` (one round, after the rest): for each folder of tiny files given (say 10^5 and
  10^6 files), a Ray scan with 2 workers, `--no-cache`, then its write; the driver process's own CPU
  time (walk, batching, sending, collecting, building the model; then writing), per shard. The
  workers' CPU is not in it: that is the part a bigger cluster divides.

Every DBOM of a case is checked to be the same bytes as the local executor's (SOURCE_DATE_EPOCH=0).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _in_namespace() -> None:
    if os.environ.get("DBOM_BENCH_NETNS") == "1":
        return
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        raise SystemExit("run as root, with unshare: the Ray cluster is kept in a loopback-only network namespace")
    command = ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$0" "$@"', sys.executable, *sys.argv]
    raise SystemExit(subprocess.call(command, env={**os.environ, "DBOM_BENCH_NETNS": "1"}))


def _big_corpus(folder: Path, files: int, mib: int) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    marker = folder / f".made-{files}x{mib}"
    if marker.exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    generator = random.Random(16)
    for index in range(files):
        rows = [generator.randbytes(1 << 20) for _ in range(mib)]
        pq.write_table(pa.table({"blob": rows}), folder / f"part-{index:03d}.parquet", compression="none",
                       use_dictionary=False, write_statistics=False, row_group_size=mib)
    marker.touch()
    return folder


def _small_corpus(folder: Path, files: int) -> Path:
    marker = folder / f".made-{files}"
    if marker.exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    for index in range(files):
        sub = folder / f"{index // 1000:04d}"
        if index % 1000 == 0:
            sub.mkdir(parents=True)
        (sub / f"f-{index:07d}.jsonl").write_text(f'{{"id": {index}}}\n')
    marker.touch()
    return folder


def _scan_seconds(corpus: Path, out: Path, executor: str) -> float:
    import dbom

    started = time.perf_counter()
    model = dbom.scan([corpus], options=dbom.ScanOptions(use_cache=False, executor=executor))
    seconds = time.perf_counter() - started
    dbom.write(model, out)
    return seconds


def _with_ray(cpus: int | None, action):  # type: ignore[no-untyped-def]
    import ray

    if cpus is not None:
        ray.init(num_cpus=cpus, include_dashboard=False, log_to_driver=False, logging_level="ERROR",
                 _node_ip_address="127.0.0.1")
    try:
        return action()
    finally:
        if cpus is not None:
            ray.shutdown()


def main() -> None:
    """Make the corpora, time the cases in rounds, print the tables."""
    _in_namespace()
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "dbom-bench-ray")
    parser.add_argument("--big-files", type=int, default=8)
    parser.add_argument("--big-mib", type=int, default=256)
    parser.add_argument("--small-files", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--driver", type=Path, nargs="*", default=[], metavar="CORPUS",
                        help="folders of tiny files: the driver's own CPU per shard on each")
    parser.add_argument("--driver-only", action="store_true", help="skip the other cases")
    args = parser.parse_args()
    if args.driver_only:
        _driver_costs(args.driver, args.workdir)
        return
    os.environ["SOURCE_DATE_EPOCH"] = "0"
    os.environ["RAY_BACKEND_LOG_LEVEL"] = "error"
    big = _big_corpus(args.workdir / "big", args.big_files, args.big_mib)
    small = _small_corpus(args.workdir / "small", args.small_files)
    out = args.workdir / "out"
    out.mkdir(exist_ok=True)
    for path in big.iterdir():  # page cache warm: the figures are reading and hashing, not the disk
        path.read_bytes()
    cases = {
        "big, local executor": lambda: _scan_seconds(big, out / "big-local.json", "local"),
        "big, ray 1 worker": lambda: _with_ray(1, lambda: _scan_seconds(big, out / "big-ray1.json", "ray")),
        "big, ray 2 workers": lambda: _with_ray(2, lambda: _scan_seconds(big, out / "big-ray2.json", "ray")),
        "small, local executor": lambda: _scan_seconds(small, out / "small-local.json", "local"),
        "small, ray 2 workers": lambda: _with_ray(2, lambda: _scan_seconds(small, out / "small-ray2.json", "ray")),
    }
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(args.rounds):
        for name, case in cases.items():
            times[name].append(case())
    for prefix in ("big", "small"):
        expected = (out / f"{prefix}-local.json").read_bytes()
        for other in out.glob(f"{prefix}-ray*.json"):
            assert other.read_bytes() == expected, f"{other.name} differs from the local executor's DBOM"
    median = {name: statistics.median(samples) for name, samples in times.items()}
    size = sum(p.stat().st_size for p in big.glob("*.parquet"))
    print(f"big: {args.big_files} x {args.big_mib} MiB Parquet ({size / 1e9:.2f} GB); small: {args.small_files:,} "
          f"files of one record; {args.rounds} rounds; medians (min-max); every Ray DBOM = the local one, byte "
          f"for byte\n")
    print("| case | seconds | GB/s or us/shard |\n|---|---|---|")
    for name, samples in times.items():
        rate = (f"{size / median[name] / 1e9:.2f} GB/s" if name.startswith("big")
                else f"{median[name] / args.small_files * 1e6:.0f} us/shard")
        print(f"| {name} | {median[name]:.2f} ({min(samples):.2f}-{max(samples):.2f}) | {rate} |")
    efficiency = median["big, ray 1 worker"] / (2 * median["big, ray 2 workers"])
    print(f"\nscaling efficiency 1 -> 2 workers: {efficiency:.2f}; ray (2) against local: "
          f"{median['big, ray 2 workers'] / median['big, local executor']:.2f}x on big, "
          f"{median['small, ray 2 workers'] / median['small, local executor']:.2f}x on small")
    if args.driver:
        _driver_costs(args.driver, args.workdir)


def _driver_costs(corpora: list[Path], workdir: Path) -> None:
    """The Ray driver's own CPU per shard, scanning and writing, on each corpus (one run each)."""
    import resource

    import dbom

    print("\n| shards | scan wall (s) | driver CPU, scan (us/shard) | write (s) | driver CPU, write (us/shard) "
          "| driver peak RSS (MB) |\n|---:|---:|---:|---:|---:|---:|")
    for corpus in corpora:
        def run(corpus: Path = corpus) -> tuple[int, float, float, float, float]:
            started, cpu = time.perf_counter(), time.process_time()
            model = dbom.scan([corpus], options=dbom.ScanOptions(use_cache=False, executor="ray"))
            scan_wall, scan_cpu = time.perf_counter() - started, time.process_time() - cpu
            started, cpu = time.perf_counter(), time.process_time()
            dbom.write(model, workdir / "driver.json")
            shards = model.datasets[0].summary.shards
            return shards, scan_wall, scan_cpu, time.perf_counter() - started, time.process_time() - cpu

        shards, scan_wall, scan_cpu, write_wall, write_cpu = _with_ray(2, run)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"| {shards:,} | {scan_wall:.1f} | {scan_cpu / shards * 1e6:.0f} | {write_wall:.1f} | "
              f"{write_cpu / shards * 1e6:.0f} | {peak:.0f} |")


if __name__ == "__main__":
    main()
