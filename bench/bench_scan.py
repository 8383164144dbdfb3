"""Benchmark `dbom scan` against plain reading and hashing of the same files.

Run from the repository root with the project's virtualenv active::

    python bench/bench_scan.py [--workdir DIR] [--small-files N] [--big-gb G] [--runs R]

It generates two corpora in a work folder outside the repository (default /tmp/dbom-bench),
once, and reuses them while their parameters and sizes match:

- corpus A ("big"): G GiB (default 2) in 16 Parquet files of equal size, each with one
  uncompressed `binary` column of random bytes in one row group (rows of 1 MiB, no
  dictionary, no statistics), so that dbom's inspection reads only the footer and the time
  goes into reading and hashing;
- corpus B ("small"): N Parquet files (default 20,000) of exactly 64 KiB each, same layout
  (16 rows of about 4 KiB), in folders of 1,000 files;
- corpus "one": a single Parquet file of about 64 KiB, to measure the start-up cost of `dbom scan`.

The random bytes come from a seeded generator, so a regenerated corpus has the same content.

Then, with the page cache warm (every file is read once before any timing, and every command
runs once untimed), it times whole commands with `subprocess` and `time.perf_counter`, in
rounds (each round runs every command once, so drift affects all of them alike), and reports
the median, minimum and maximum over the rounds:

- raw read and hash: `find DIR -type f -print0 | xargs -0 cat > /dev/null`, the same with
  `openssl dgst -sha256` and with `sha256sum` (hash output to /dev/null);
- `dbom scan DIR -o OUT --no-cache -q --hash none | sha256 | blake3`;
- start-up: `dbom scan ONE -o OUT --no-cache -q` of the one-file corpus; it is also subtracted
  from each scan time ("start-up taken out");
- the incremental cache on corpus B: a scan with the cache (a private DBOM_CACHE_DIR, filled
  by one untimed scan) against `--no-cache`, and against the scan before it: a scan that
  empties a cache folder of its own and fills it, as a user's first scan does; and a check that
  the cached and `--no-cache` DBOMs are byte-identical (all scans run with SOURCE_DATE_EPOCH=0).

On a shared machine other processes steal CPU time: each sample also measures the CPU time
the rest of the machine used while it ran (from /proc/stat, minus the command's own), and a
sample during which that exceeded `--max-foreign` (default 10%) of the machine's capacity is
discarded and run again (at most three times; the table says how many samples were redone
and the largest share of other work in a kept sample). Before each sample it also waits
(up to `--wait-idle` seconds) until the CPUs have been idle for half a second, then reads the
command's corpus once more: the kernel may evict page-cache pages at any time (proactive
reclaim), so a sample that still read more than 4 MiB + 1% of its corpus from disk (per
/proc/diskstats) is discarded as cold and run again too.

Sizes are in bytes; GB/s means 10^9 bytes per second.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

MIB = 1 << 20
KIB = 1 << 10
GIB = 1 << 30

# Bump when the way a corpus is generated changes: an older corpus is then regenerated.
CORPUS_FORMAT = 1

READ_SCRIPT = 'set -o pipefail; find "$1" -type f -print0 | xargs -0 cat > /dev/null'
OPENSSL_SCRIPT = 'set -o pipefail; find "$1" -type f -print0 | xargs -0 openssl dgst -sha256 > /dev/null'
SHA256SUM_SCRIPT = 'set -o pipefail; find "$1" -type f -print0 | xargs -0 sha256sum > /dev/null'
# $1: a cache folder emptied first; $2: dbom; $3: corpus; $4: output; then extra options
FIRST_SCAN_SCRIPT = 'rm -rf "$1" && DBOM_CACHE_DIR="$1" exec "$2" scan "$3" -o "$4" -q --hash sha256 "${@:5}"'
FIRST_LABEL = "dbom --hash sha256 (first, empty cache)"

TARGETS = {
    "xxh3_vs_cat": 1.3,  # XXH3-only scan / raw read: at most
    "sha256_vs_openssl": 0.55,  # XXH3+SHA-256 scan / openssl dgst -sha256: at most
    "startup_s": 1.0,  # start-up: under
    "cache_speedup": 10.0,  # cached / uncached on the small-file corpus: at least
}


@dataclass
class Corpus:
    """A generated corpus: its folder, number of files and total size in bytes."""

    name: str
    path: Path
    files: int
    bytes: int


@dataclass
class Figure:
    """The timings of one command over the measured rounds, in seconds."""

    label: str
    corpus: str
    command: str
    times: list[float] = field(default_factory=list)
    foreign: list[float] = field(default_factory=list)  # per kept sample: other processes' share of the CPU
    disk_read: list[int] = field(default_factory=list)  # per kept sample: bytes read from disk
    discarded: int = 0  # samples discarded because other processes used the CPU meanwhile
    disturbed: int = 0  # kept samples that were disturbed all the same (no undisturbed attempt)

    @property
    def median(self) -> float:
        """The median time."""
        return statistics.median(self.times)

    @property
    def low(self) -> float:
        """The fastest time."""
        return min(self.times)

    @property
    def high(self) -> float:
        """The slowest time."""
        return max(self.times)


# --- corpus generation -------------------------------------------------------------------------------


def _write_parquet(path: Path, payload: bytes, row_bytes: int) -> None:
    """Write `payload` as a Parquet file with one uncompressed binary column of `row_bytes`-sized rows."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    view = memoryview(payload)
    rows = [view[i : i + row_bytes] for i in range(0, len(payload), row_bytes)]
    table = pa.table({"payload": pa.array(rows, type=pa.binary())})
    pq.write_table(
        table,
        path,
        compression="NONE",
        use_dictionary=False,
        write_statistics=False,
        row_group_size=max(1, len(rows)),
        data_page_size=64 * MIB,
    )


def _payload_for(workdir: Path, file_bytes: int, row_bytes: int) -> int:
    """The payload size that makes a Parquet file of this layout exactly `file_bytes` long (found by probing)."""
    probe = workdir / ".probe.parquet"
    payload = file_bytes - 1024
    for _ in range(10):
        _write_parquet(probe, bytes(payload), row_bytes)
        fitted = file_bytes - (probe.stat().st_size - payload)
        if fitted == payload:
            break
        payload = fitted
    probe.unlink()
    return payload


def _stamp_matches(stamp: Path, folder: Path, params: dict[str, object]) -> Corpus | None:
    """The corpus described by `stamp` if its parameters match and the files on disk agree, else None."""
    try:
        recorded = json.loads(stamp.read_text())
    except (OSError, ValueError):
        return None
    if recorded.get("params") != params or not folder.is_dir():
        return None
    files = 0
    total = 0
    for dirpath, _dirs, names in os.walk(folder):
        for name in names:
            files += 1
            total += os.stat(os.path.join(dirpath, name)).st_size
    if files != recorded.get("files") or total != recorded.get("bytes"):
        return None
    return Corpus(str(params["name"]), folder, files, total)


def _generate(workdir: Path, params: dict[str, object], build: Callable[[Path], None]) -> Corpus:
    """Reuse the corpus named in `params` if it is intact, else (re)build it with `build(folder)`."""
    name = str(params["name"])
    folder = workdir / f"corpus-{name}"
    stamp = workdir / f"corpus-{name}.json"
    found = _stamp_matches(stamp, folder, params)
    if found is not None:
        print(f"corpus {name}: reusing {folder} ({found.files} files, {found.bytes} bytes)", flush=True)
        return found
    print(f"corpus {name}: generating in {folder} ...", flush=True)
    started = time.perf_counter()
    stamp.unlink(missing_ok=True)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    build(folder)
    files, total = 0, 0
    for dirpath, _dirs, names in os.walk(folder):
        for fname in names:
            files += 1
            total += os.stat(os.path.join(dirpath, fname)).st_size
    stamp.write_text(json.dumps({"params": params, "files": files, "bytes": total}, indent=1))
    print(f"corpus {name}: {files} files, {total} bytes in {time.perf_counter() - started:.1f} s", flush=True)
    return Corpus(name, folder, files, total)


def corpus_big(workdir: Path, gib: float, files: int) -> Corpus:
    """Corpus A: `gib` GiB of random bytes in `files` Parquet files of equal size."""
    import numpy as np

    file_bytes = int(gib * GIB) // files
    row_bytes = MIB
    params: dict[str, object] = {"name": "big", "format": CORPUS_FORMAT, "gib": gib, "files": files}

    def build(folder: Path) -> None:
        payload = _payload_for(workdir, file_bytes, row_bytes)
        rng = np.random.default_rng(20240601)
        for i in range(files):
            _write_parquet(folder / f"part-{i:05d}.parquet", rng.bytes(payload), row_bytes)

    return _generate(workdir, params, build)


def corpus_small(workdir: Path, count: int, file_bytes: int = 64 * KIB, per_folder: int = 1000) -> Corpus:
    """Corpus B: `count` Parquet files of exactly `file_bytes` bytes, `per_folder` to a folder."""
    import numpy as np

    row_bytes = 4 * KIB
    params: dict[str, object] = {"name": "small", "format": CORPUS_FORMAT, "files": count, "file_bytes": file_bytes}

    def build(folder: Path) -> None:
        payload = _payload_for(workdir, file_bytes, row_bytes)
        rng = np.random.default_rng(20240602)
        for i in range(count):
            sub = folder / f"shard-{i // per_folder:03d}"
            sub.mkdir(exist_ok=True)
            _write_parquet(sub / f"part-{i:06d}.parquet", rng.bytes(payload), row_bytes)

    return _generate(workdir, params, build)


def corpus_one(workdir: Path) -> Corpus:
    """The start-up corpus: one Parquet file of about 64 KiB (64 KiB of payload)."""
    import numpy as np

    params: dict[str, object] = {"name": "one", "format": CORPUS_FORMAT}

    def build(folder: Path) -> None:
        _write_parquet(folder / "part-00000.parquet", np.random.default_rng(1).bytes(64 * KIB), 4 * KIB)

    return _generate(workdir, params, build)


# --- timing ------------------------------------------------------------------------------------------


def _dbom_executable() -> str:
    """The `dbom` console script of the running interpreter's environment (else the one on PATH)."""
    beside = Path(sys.executable).parent / "dbom"
    if beside.exists():
        return str(beside)
    found = shutil.which("dbom")
    if found is None:
        sys.exit("bench_scan: `dbom` is not installed in this environment (pip install -e .)")
    return found


def busy_seconds() -> float:
    """CPU time spent busy by the whole machine so far (all CPUs, from /proc/stat), in seconds."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    ticks = [int(x) for x in fields]
    idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)  # idle + iowait
    guest = sum(ticks[8:10]) if len(ticks) > 9 else 0  # already counted in user and nice
    return (sum(ticks) - idle - guest) / os.sysconf("SC_CLK_TCK")


def children_cpu() -> float:
    """CPU time (user + system) of this process's finished and reaped descendants so far, in seconds."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Sample:
    """One timed run: wall-clock seconds, the CPU seconds other processes used and the bytes read from disk."""

    seconds: float
    foreign_cpu: float
    disk_read: int


def disk_read_bytes() -> int:
    """Bytes read from the machine's block devices so far (whole disks in /proc/diskstats)."""
    try:
        disks = {d for d in os.listdir("/sys/block") if not d.startswith(("loop", "ram", "zram"))}
        total = 0
        for line in Path("/proc/diskstats").read_text().splitlines():
            parts = line.split()
            if len(parts) > 5 and parts[2] in disks:
                total += int(parts[5]) * 512  # sectors read; a sector here is always 512 bytes
        return total
    except OSError:
        return 0


def _run(argv: Sequence[str], env: dict[str, str]) -> Sample:
    """Run `argv` to completion and time it; exit with its stderr if it fails.

    Besides the wall-clock time, it measures how much CPU time the rest of the machine used
    while the command ran (machine-wide busy time minus the command's own CPU time): other
    work on a shared machine slows the command down and makes the sample unfair.
    """
    busy, own, disk = busy_seconds(), children_cpu(), disk_read_bytes()
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - started
    foreign = max(0.0, (busy_seconds() - busy) - (children_cpu() - own))
    if done.returncode != 0:
        sys.exit(f"bench_scan: command failed ({done.returncode}): {' '.join(argv)}\n{done.stderr.decode()}")
    return Sample(elapsed, foreign, disk_read_bytes() - disk)


def _shell(script: str, folder: Path) -> list[str]:
    """A bash command line running `script` with the corpus folder as $1."""
    return ["bash", "-c", script, "bench", str(folder)]


def _scan(dbom: str, folder: Path, out: Path, hash_name: str, cache: bool = False, jobs: int = 0) -> list[str]:
    """A `dbom scan` command line of one corpus folder."""
    argv = [dbom, "scan", str(folder), "-o", str(out), "-q", "--profile", "off", "--hash", hash_name]
    if jobs:
        argv += ["-j", str(jobs)]
    return argv if cache else [*argv, "--no-cache"]


def _pretty(argv: Sequence[str], workdir: Path) -> str:
    """A command line as text, with the script of `bash -c` unwrapped and the work folder shortened."""
    if argv[:2] == ["bash", "-c"]:
        text = argv[2].replace("set -o pipefail; ", "").replace('"$1"', argv[4])
    else:
        text = " ".join(Path(a).name if a.endswith("/dbom") else a for a in argv)
    return text.replace(str(workdir), "$W")


def wait_for_quiet(max_foreign: float, limit: float, window: float = 0.5) -> float:
    """Wait until the machine's CPUs are busy less than `max_foreign` of a `window`; give up after `limit` s.

    Returns the seconds waited.
    """
    capacity = os.cpu_count() or 1
    started = time.perf_counter()
    told = False
    while True:
        before = busy_seconds()
        time.sleep(window)
        share = (busy_seconds() - before) / (window * capacity)
        waited = time.perf_counter() - started
        if share <= max_foreign or waited >= limit:
            if told:
                print(f"    ... waited {waited:.0f} s" + (" (gave up)" if share > max_foreign else ""), flush=True)
            return waited
        if not told:
            print(f"    machine busy ({share:.0%} of the CPU used by other processes): waiting", flush=True)
            told = True


@dataclass
class Step:
    """One command to time: its figure, its command line, and the corpus it reads (warmed before each sample)."""

    figure: Figure
    argv: list[str]
    corpus: Corpus


def measure(plan: list[Step], env: dict[str, str], rounds: int, max_foreign: float, wait_limit: float) -> None:
    """Run every command of `plan` once untimed, then `rounds` timed rounds of all of them in turn.

    Before each sample, it waits (up to `wait_limit` seconds) for the machine to be quiet and
    reads the command's corpus once (the kernel may evict page-cache pages in the meantime).
    A sample is discarded and run again, up to three times per round (the last attempt is
    then kept and counted as disturbed), when other processes used more than `max_foreign` of
    the machine's CPU time meanwhile (all CPUs over the sample's wall-clock time), or when it
    read more than 4 MiB + 1% of the corpus from disk (the page cache was not warm).
    """
    capacity = os.cpu_count() or 1
    for step in plan:
        print(f"  warm-up: {step.figure.corpus} {step.figure.label}", flush=True)
        _run(step.argv, env)
    for r in range(rounds):
        for step in plan:
            figure = step.figure
            for attempt in range(4):
                wait_for_quiet(max_foreign, wait_limit)
                _run(_shell(READ_SCRIPT, step.corpus.path), env)
                sample = _run(step.argv, env)
                share = sample.foreign_cpu / (sample.seconds * capacity)
                cold = sample.disk_read > 4 * MIB + step.corpus.bytes // 100
                if share <= max_foreign and not cold:
                    break
                figure.discarded += 1
                why = f"other processes used {share:.0%} of the CPU" if share > max_foreign else \
                    f"{sample.disk_read / MIB:.0f} MiB were read from disk"
                print(f"    {figure.corpus}/{figure.label}: {sample.seconds:.2f} s discarded, {why} meanwhile"
                      + (" (kept: last attempt)" if attempt == 3 else ""), flush=True)
            else:
                figure.disturbed += 1
                figure.discarded -= 1
            figure.times.append(sample.seconds)
            figure.foreign.append(share)
            figure.disk_read.append(sample.disk_read)
        summary = ", ".join(f"{s.figure.corpus}/{s.figure.label} {s.figure.times[-1]:.2f}" for s in plan)
        print(f"  round {r + 1}/{rounds}: {summary}", flush=True)


# --- report ------------------------------------------------------------------------------------------


def _gbps(nbytes: int, seconds: float) -> str:
    return f"{nbytes / 1e9 / seconds:6.2f}" if seconds > 0 else "   n/a"


def _verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def report(figures: list[Figure], corpora: dict[str, Corpus], startup: Figure, cached: Figure,
           identical: bool, workdir: Path) -> dict[str, object]:
    """Print the table of figures and the ratios against the targets; return them as a dict."""
    start = startup.median
    print()
    print(f"{'corpus':<7} {'command':<40} {'median s':>9} {'min s':>8} {'max s':>8} {'GB/s':>7}"
          f" {'-start-up s':>12} {'GB/s':>7} {'redone':>7} {'other CPU':>9} {'disk MiB':>8}")
    rows = []
    for f in [*figures, cached, startup]:
        corpus = corpora[f.corpus]
        is_scan = f.label.startswith("dbom") and f is not startup and f is not cached
        net = f.median - start if is_scan else None
        net_text = f"{net:12.3f} {_gbps(corpus.bytes, net)}" if net is not None else f"{'':12} {'':7}"
        rate = _gbps(corpus.bytes, f.median) if f is not startup else f"{'':6}"
        redone = f"{f.discarded}" + (f"+{f.disturbed}!" if f.disturbed else "")
        print(f"{f.corpus:<7} {f.label:<40} {f.median:9.3f} {f.low:8.3f} {f.high:8.3f} {rate} {net_text}"
              f" {redone:>7} {max(f.foreign):9.0%} {max(f.disk_read) / MIB:8.1f}")
        rows.append({"corpus": f.corpus, "label": f.label, "command": f.command, "times": f.times,
                     "median": f.median, "min": f.low, "max": f.high,
                     "gbps": corpus.bytes / 1e9 / f.median, "net": net, "foreign": f.foreign,
                     "disk_read": f.disk_read,
                     "discarded": f.discarded, "disturbed": f.disturbed})

    def fig(corpus: str, label: str) -> Figure:
        return next(f for f in figures if f.corpus == corpus and f.label == label)

    ratios: list[dict[str, object]] = []
    print()
    print(f"{'ratio':<58} {'whole':>7} {'-start-up':>10}  target")
    for corpus in ("big", "small"):
        cat = fig(corpus, "cat").median
        openssl = fig(corpus, "openssl dgst -sha256").median
        sha256sum = fig(corpus, "sha256sum").median
        xxh = fig(corpus, "dbom --hash none").median
        sha = fig(corpus, "dbom --hash sha256").median
        b3 = fig(corpus, "dbom --hash blake3").median
        for name, num, den, target, key in (
            ("XXH3-only scan / cat", xxh, cat, TARGETS["xxh3_vs_cat"], "xxh3_vs_cat"),
            ("XXH3+SHA-256 scan / openssl dgst -sha256", sha, openssl, TARGETS["sha256_vs_openssl"],
             "sha256_vs_openssl"),
            ("XXH3+SHA-256 scan / sha256sum", sha, sha256sum, None, None),
            ("XXH3+BLAKE3 scan / openssl dgst -sha256", b3, openssl, None, None),
        ):
            whole, net = num / den, (num - start) / den
            target_text = f"<= {target}: whole {_verdict(whole <= target)}, -start-up {_verdict(net <= target)}" \
                if target is not None else "(no target)"
            print(f"{corpus + ': ' + name:<58} {whole:7.2f} {net:10.2f}  {target_text}")
            ratios.append({"corpus": corpus, "ratio": name, "whole": whole, "net": net, "target": target,
                           "key": key})
    nocache = fig("small", "dbom --hash sha256").median
    speedup = nocache / cached.median
    print(f"{'start-up (one-file scan), s':<58} {start:7.3f} {'':10}  < {TARGETS['startup_s']}: "
          f"{_verdict(start < TARGETS['startup_s'])}")
    print(f"{'small: cache speed-up (--no-cache / cached), x':<58} {speedup:7.1f} {'':10}  >= "
          f"{TARGETS['cache_speedup']}: {_verdict(speedup >= TARGETS['cache_speedup'])}")
    second = fig("small", FIRST_LABEL).median / cached.median
    print(f"{'small: second scan / first (which filled the cache), x':<58} {second:7.1f} {'':10}  >= "
          f"{TARGETS['cache_speedup']}: {_verdict(second >= TARGETS['cache_speedup'])}")
    print(f"{'small: cached and --no-cache DBOMs byte-identical':<58} {'yes' if identical else 'NO':>7}")
    disturbed = sum(f.disturbed for f in [*figures, cached, startup])
    if disturbed:
        print(f"WARNING: {disturbed} kept samples were disturbed by other processes or a cold page cache "
              "(marked ! in the `redone` column): their figures are pessimistic")
    print()
    print("commands ($W = " + str(workdir) + "):")
    for f in [*figures, cached, startup]:
        print(f"  {f.corpus:<6} {f.label:<28} {f.command}")
    return {"figures": rows, "ratios": ratios, "startup": start, "cache_speedup": speedup,
            "second_vs_first_scan": second,
            "identical": identical, "corpora": {k: {**asdict(v), "path": str(v.path)} for k, v in corpora.items()}}


def machine() -> dict[str, object]:
    """The machine's description: CPUs, CPU model, Python version."""
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    openssl = subprocess.run(["openssl", "version"], capture_output=True, text=True, check=False).stdout.strip()
    repo = Path(__file__).resolve().parent.parent
    commit = subprocess.run(["git", "-C", str(repo), "describe", "--always", "--dirty", "--exclude", "*"],
                            capture_output=True, text=True, check=False).stdout.strip() or "unknown"
    return {"nproc": os.cpu_count(), "cpu": model, "python": platform.python_version(),
            "platform": platform.platform(), "openssl": openssl, "commit": commit}


# --- main --------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Generate the corpora if needed, time every command and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/dbom-bench"),
                        help="where corpora, outputs and the private cache live (default /tmp/dbom-bench)")
    parser.add_argument("--small-files", type=int, default=20_000, help="files in corpus B (default 20000)")
    parser.add_argument("--big-gb", type=float, default=2.0, help="GiB in corpus A (default 2)")
    parser.add_argument("--big-files", type=int, default=16, help="files in corpus A (default 16)")
    parser.add_argument("--runs", type=int, default=5, help="timed rounds per command, at least 3 (default 5)")
    parser.add_argument("--jobs", type=int, default=0,
                        help="pass `-j JOBS` to every dbom scan (default: dbom's own default, one per CPU)")
    parser.add_argument("--max-foreign", type=float, default=0.10,
                        help="discard and rerun a sample during which other processes used more than this share "
                             "of the machine's CPU time (default 0.10)")
    parser.add_argument("--wait-idle", type=float, default=900.0,
                        help="before each sample, wait up to this many seconds for other processes to leave the "
                             "CPUs idle (default 900)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON to this file")
    args = parser.parse_args(argv)
    if args.runs < 3:
        parser.error("--runs must be at least 3")
    for tool in ("openssl", "sha256sum", "find", "xargs", "cat", "bash"):
        if shutil.which(tool) is None:
            sys.exit(f"bench_scan: `{tool}` is not on PATH")
    workdir: Path = args.workdir.resolve()
    repo = Path(__file__).resolve().parent.parent
    if workdir == repo or repo in workdir.parents:
        sys.exit(f"bench_scan: --workdir must be outside the repository ({repo})")
    workdir.mkdir(parents=True, exist_ok=True)

    info = machine()
    print(f"machine: {info['nproc']} CPUs, {info['cpu']}, Python {info['python']}, {info['openssl']}; "
          f"dbom at {info['commit']}")
    corpora = {c.name: c for c in (corpus_big(workdir, args.big_gb, args.big_files),
                                   corpus_small(workdir, args.small_files), corpus_one(workdir))}
    out = workdir / "out"
    out.mkdir(exist_ok=True)
    cache_dir = workdir / "cache"
    if cache_dir.exists():
        shutil.rmtree(cache_dir)
    env = {**os.environ, "SOURCE_DATE_EPOCH": "0", "DBOM_CACHE_DIR": str(cache_dir)}
    dbom = _dbom_executable()

    # An installed package has its bytecode compiled by pip; an editable checkout under
    # PYTHONDONTWRITEBYTECODE=1 (as on some CI machines) would compile every module on every run.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(repo / "dbom")], check=False,
                   stdout=subprocess.DEVNULL)
    print("warming the page cache (reading every file once) ...", flush=True)
    for corpus in corpora.values():
        _run(_shell(READ_SCRIPT, corpus.path), env)

    figures: list[Figure] = []
    plan: list[Step] = []
    for key in ("big", "small"):
        folder = corpora[key].path
        commands = [
            ("cat", _shell(READ_SCRIPT, folder)),
            ("openssl dgst -sha256", _shell(OPENSSL_SCRIPT, folder)),
            ("sha256sum", _shell(SHA256SUM_SCRIPT, folder)),
            ("dbom --hash none", _scan(dbom, folder, out / f"{key}-none.cdx.json", "none", jobs=args.jobs)),
            ("dbom --hash sha256", _scan(dbom, folder, out / f"{key}-sha256.cdx.json", "sha256", jobs=args.jobs)),
            ("dbom --hash blake3", _scan(dbom, folder, out / f"{key}-blake3.cdx.json", "blake3", jobs=args.jobs)),
        ]
        for label, cmd in commands:
            figure = Figure(label, key, _pretty(cmd, workdir))
            figures.append(figure)
            plan.append(Step(figure, cmd, corpora[key]))
    startup_cmd = [dbom, "scan", str(corpora["one"].path), "-o", str(out / "one.cdx.json"), "--no-cache", "-q",
                   "--profile", "off"]
    if args.jobs:
        startup_cmd += ["-j", str(args.jobs)]
    startup = Figure("dbom start-up (1 file)", "one", _pretty(startup_cmd, workdir))
    plan.append(Step(startup, startup_cmd, corpora["one"]))
    cached_out = out / "small-sha256-cached.cdx.json"
    cached_cmd = _scan(dbom, corpora["small"].path, cached_out, "sha256", cache=True, jobs=args.jobs)
    cached = Figure("dbom --hash sha256 (cached)", "small", _pretty(cached_cmd, workdir))
    plan.append(Step(cached, cached_cmd, corpora["small"]))  # its untimed warm-up run fills the cache
    # The scan before a cached one: it starts from an empty cache of its own and fills it.
    first_cmd = ["bash", "-c", FIRST_SCAN_SCRIPT, "bench", str(workdir / "cache-first"), dbom,
                 str(corpora["small"].path), str(out / "small-sha256-first.cdx.json"),
                 *(["-j", str(args.jobs)] if args.jobs else [])]
    first = Figure(FIRST_LABEL, "small", _pretty(first_cmd, workdir))
    figures.append(first)
    plan.append(Step(first, first_cmd, corpora["small"]))

    print(f"timing: 1 untimed + {args.runs} timed runs of each command ...", flush=True)
    measure(plan, env, args.runs, args.max_foreign, args.wait_idle)
    identical = (out / "small-sha256.cdx.json").read_bytes() == cached_out.read_bytes()
    results = report(figures, corpora, startup, cached, identical, workdir)
    if args.json:
        results["machine"] = info
        results["argv"] = sys.argv
        results["date"] = time.strftime("%Y-%m-%d %H:%M:%S %Z")
        args.json.write_text(json.dumps(results, indent=1))
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
