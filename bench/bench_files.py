"""Benchmark many files: small files against `cat`, and cached and incremental rescans of 10^6 files (issue 17).

Run from the repository root with the project's virtualenv active::

    python bench/bench_files.py [--workdir DIR] [--small N] [--rescan-files M] [--runs R]

Corpora, built once in the work folder (default /tmp/dbom-bench/files) and reused while their
parameters match:

- "64k": N Parquet files (default 20,000) of 64 KiB, and "4k": N of 4 KiB, in folders of 1,000
  (one binary column of seeded random bytes; Parquet's footer is all that is inspected);
- "rescan": M tiny JSON Lines files (default 10^6), in folders of 1,000.

Each command runs as a whole process (wall time, CPU time of it and its children, peak RSS from
os.wait4), R times (default 3), median kept; the page cache is warmed by one untimed run first.

- goal 3: `dbom scan DIR --no-cache -q` of "64k" and "4k" against `cat` of the same files
  (`find DIR -type f -print0 | xargs -0 cat`), and the CPUs busy (CPU time / wall time);
- goal 4: on "rescan", with a private cache (one for each `--profile`, default `sample`, the CLI's
  default when dbom[profile] is installed): a cached rescan (the same output path, as a user's
  second `dbom scan` is), a rescan after 1% of the files were touched (new mtime: their keys
  change, their content does not; R times, each after a touch of its own), and a rescan after the
  same 1% were rewritten with other content of the same size (R times, the content going back and
  forth between two versions), each against that cached rescan. The DBOM after a touch must be the
  same; after a rewrite, the one of the last rescan of the same version (the first version's is the
  cached rescan's). The files are put back as built at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

import launcher

GENERATOR_FORMAT = 1


def run(args: list[str], env: dict[str, str] | None = None) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak RSS MB) of a whole process (bench/launcher.py)."""
    return launcher.run(args, env, "bench_files")


def _parquet_corpus(folder: Path, files: int, file_bytes: int) -> None:
    import random

    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = random.Random(17)
    payload = file_bytes - 600  # the footer and page headers: the file comes out close to file_bytes
    for i in range(files):
        sub = folder / f"part-{i // 1000:03d}"
        sub.mkdir(parents=True, exist_ok=True)
        table = pa.table({"blob": pa.array([rng.randbytes(max(payload, 64))], pa.binary())})
        pq.write_table(table, sub / f"{i:06d}.parquet", compression="none", use_dictionary=False,
                       write_statistics=False)


def _tiny_corpus(folder: Path, files: int) -> None:
    for i in range(files):
        sub = folder / f"part-{i // 1000:04d}"
        if i % 1000 == 0:
            sub.mkdir(parents=True, exist_ok=True)
        fd = os.open(sub / f"{i % 1000:04d}.jsonl", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.write(fd, _tiny_record(i, 0))
        os.close(fd)


def corpus(workdir: Path, name: str, params: dict[str, int]) -> Path:
    """The corpus `name` in `workdir`, built when missing or made with other parameters."""
    folder = workdir / name
    stamp = workdir / f"{name}.json"
    wanted = {"format": GENERATOR_FORMAT, **params}
    if stamp.exists() and folder.exists() and json.loads(stamp.read_text()) == wanted:
        return folder
    print(f"bench_files: building {name} ...", file=sys.stderr)
    subprocess.run(["rm", "-rf", str(folder)], check=True)
    if name == "rescan":
        _tiny_corpus(folder, params["files"])
    else:
        _parquet_corpus(folder, params["files"], params["bytes"])
    stamp.write_text(json.dumps(wanted))
    return folder


def median_of(runs: int, args: list[str], env: dict[str, str] | None = None) -> tuple[float, float, float]:
    """The median wall, CPU and RSS of `runs` runs after one untimed run."""
    run(args, env)
    samples = [run(args, env) for _ in range(runs)]
    return (statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples),
            max(s[2] for s in samples))


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/dbom-bench/files"))
    parser.add_argument("--small", type=int, default=20_000)
    parser.add_argument("--rescan-files", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=("small", "rescan"), help="run one part only")
    parser.add_argument("--profile", choices=("off", "sample"), default="sample",
                        help="the rescans' content profile (default: sample, the CLI's default with dbom[profile])")
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    dbom = [sys.executable, "-m", "dbom"]
    out = args.workdir / "out.json"

    if args.only != "rescan":
        small(args, dbom, out)
    return 0 if args.only == "small" else rescan(args, dbom)


def small(args: argparse.Namespace, dbom: list[str], out: Path) -> None:
    """Goal 3: small files against `cat`."""
    print("| corpus | dbom scan --no-cache (s) | cat (s) | ratio | dbom CPUs busy | goal |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, size, goal in (("64k", 64 << 10, 2.0), ("4k", 4 << 10, 4.0)):
        folder = corpus(args.workdir, name, {"files": args.small, "bytes": size})
        scan = median_of(args.runs, [*dbom, "scan", str(folder), "--no-cache", "-q", "--profile", "off", "-o",
                                     str(out)])
        cat = median_of(args.runs, ["sh", "-c", f"find {folder} -type f -print0 | xargs -0 cat > /dev/null"])
        print(f"| {args.small:,} x {name} | {scan[0]:.2f} | {cat[0]:.2f} | {scan[0] / cat[0]:.2f}x | "
              f"{scan[1] / scan[0]:.2f} | {goal:.1f}x |")


def rescan(args: argparse.Namespace, dbom: list[str]) -> int:
    """Goal 4: cached and incremental rescans; 0 when the DBOM after the touch is the same bytes."""
    folder = corpus(args.workdir, "rescan", {"files": args.rescan_files})
    cache = "rescan-cache" if args.profile == "off" else f"rescan-cache-{args.profile}"  # one cache each
    env = {**os.environ, "DBOM_CACHE_DIR": str(args.workdir / cache), "SOURCE_DATE_EPOCH": "0"}
    target = args.workdir / "rescan.cdx.json"  # not rescan.json: that is the corpus stamp
    command = [*dbom, "scan", str(folder), "-q", "--profile", args.profile, "-o", str(target)]
    run(command, env)  # fills the cache (or refreshes it)
    cached = median_of(args.runs, command, env)
    before = target.read_bytes()
    samples = []
    same = True
    for _ in range(args.runs):  # each run after its own touch: new mtimes, so the same files change every time
        touched = 0
        for i in range(0, args.rescan_files, 100):
            path = folder / f"part-{i // 1000:04d}" / f"{i % 1000:04d}.jsonl"
            st = path.stat()
            os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
            touched += 1
        samples.append(run(command, env))
        same = same and target.read_bytes() == before
    changed = (statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples),
               max(s[2] for s in samples))
    rewritten, same_rewritten = _rewritten_rescans(args, folder, command, env, target, before)
    print(f"\n`--profile {args.profile}`\n")
    print(f"| {args.rescan_files:,} files | seconds | CPU seconds | peak RSS (MB) | vs cached | goal |")
    print("|---|---:|---:|---:|---:|---:|")
    print(f"| cached rescan | {cached[0]:.2f} | {cached[1]:.2f} | {cached[2]:.0f} | 1.00x | under 5 s, 600 MB |")
    print(f"| rescan, {touched:,} files (1%) touched | {changed[0]:.2f} | {changed[1]:.2f} | {changed[2]:.0f} | "
          f"{changed[0] / cached[0]:.2f}x | 1.3x |")
    print(f"| rescan, {touched:,} files (1%) rewritten (other content) | {rewritten[0]:.2f} | {rewritten[1]:.2f} | "
          f"{rewritten[2]:.0f} | {rewritten[0] / cached[0]:.2f}x | 1.3x |")
    print(f"\nthe DBOM after the touch is the same bytes: {same}; after each rewrite, the same bytes as the "
          f"last of its version: {same_rewritten}")
    return 0 if same and same_rewritten else 1


def _tiny_record(i: int, version: int) -> bytes:
    """File i's content in `version` 0 (as built, see `_tiny_corpus`) or 1 (as long, other characters)."""
    return b'{"text": "record %d"}\n' % i if version == 0 else b'{"text": "RECORD %d"}\n' % i


def _rewritten_rescans(args: argparse.Namespace, folder: Path, command: list[str], env: dict[str, str],
                       target: Path, before: bytes) -> tuple[tuple[float, float, float], bool]:
    """Goal 4 with content changed: R rescans, each after 1% of the files were rewritten, versions 1, 0, 1...;
    (the median wall and CPU seconds and the peak RSS, whether each DBOM was the last of its version's)."""
    written = {0: before}
    samples = []
    same = True
    version = 0
    for _ in range(args.runs):
        version = 1 - version
        for i in range(0, args.rescan_files, 100):
            (folder / f"part-{i // 1000:04d}" / f"{i % 1000:04d}.jsonl").write_bytes(_tiny_record(i, version))
        samples.append(run(command, env))
        now = target.read_bytes()
        same = same and written.setdefault(version, now) == now
    if version:  # back as built (the corpus is reused), and the cache with it
        for i in range(0, args.rescan_files, 100):
            (folder / f"part-{i // 1000:04d}" / f"{i % 1000:04d}.jsonl").write_bytes(_tiny_record(i, 0))
        run(command, env)
        same = same and target.read_bytes() == before
    return (statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples),
            max(s[2] for s in samples)), same


if __name__ == "__main__":
    raise SystemExit(main())
