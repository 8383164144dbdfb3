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
- corpus "one": a single small Parquet file, to measure the start-up cost of `dbom scan`.

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
  by one untimed scan) against `--no-cache`, and a check that both DBOMs are byte-identical
  (all scans run with SOURCE_DATE_EPOCH=0).

Sizes are in bytes; GB/s means 10^9 bytes per second.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
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
    """The start-up corpus: one Parquet file of 64 KiB."""
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


def _run(argv: Sequence[str], env: dict[str, str]) -> float:
    """Run `argv` to completion and return its wall-clock time; exit with its stderr if it fails."""
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"bench_scan: command failed ({done.returncode}): {' '.join(argv)}\n{done.stderr.decode()}")
    return elapsed


def _shell(script: str, folder: Path) -> list[str]:
    """A bash command line running `script` with the corpus folder as $1."""
    return ["bash", "-c", script, "bench", str(folder)]


def _scan(dbom: str, folder: Path, out: Path, hash_name: str, cache: bool = False) -> list[str]:
    """A `dbom scan` command line of one corpus folder."""
    argv = [dbom, "scan", str(folder), "-o", str(out), "-q", "--hash", hash_name]
    return argv if cache else [*argv, "--no-cache"]


def _pretty(argv: Sequence[str], workdir: Path) -> str:
    """A command line as text, with the script of `bash -c` unwrapped and the work folder shortened."""
    if argv[:2] == ["bash", "-c"]:
        text = argv[2].replace("set -o pipefail; ", "").replace('"$1"', argv[4])
    else:
        text = " ".join(Path(a).name if a.endswith("/dbom") else a for a in argv)
    return text.replace(str(workdir), "$W")


def measure(plan: list[tuple[Figure, list[str]]], env: dict[str, str], rounds: int) -> None:
    """Run every command of `plan` once untimed, then `rounds` timed rounds of all of them in turn."""
    for figure, argv in plan:
        print(f"  warm-up: {figure.corpus} {figure.label}", flush=True)
        _run(argv, env)
    for r in range(rounds):
        for figure, argv in plan:
            figure.times.append(_run(argv, env))
        summary = ", ".join(f"{f.corpus}/{f.label} {f.times[-1]:.2f}" for f, _ in plan)
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
          f" {'-start-up s':>12} {'GB/s':>7}")
    rows = []
    for f in [*figures, cached, startup]:
        corpus = corpora[f.corpus]
        is_scan = f.label.startswith("dbom") and f is not startup
        net = f.median - start if is_scan else None
        net_text = f"{net:12.3f} {_gbps(corpus.bytes, net)}" if net is not None else f"{'':12} {'':7}"
        print(f"{f.corpus:<7} {f.label:<40} {f.median:9.3f} {f.low:8.3f} {f.high:8.3f}"
              f" {_gbps(corpus.bytes, f.median)} {net_text}")
        rows.append({"corpus": f.corpus, "label": f.label, "command": f.command, "times": f.times,
                     "median": f.median, "min": f.low, "max": f.high,
                     "gbps": corpus.bytes / 1e9 / f.median, "net": net})

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
    print(f"{'small: cached and --no-cache DBOMs byte-identical':<58} {'yes' if identical else 'NO':>7}")
    print()
    print("commands ($W = " + str(workdir) + "):")
    for f in [*figures, cached, startup]:
        print(f"  {f.corpus:<6} {f.label:<28} {f.command}")
    return {"figures": rows, "ratios": ratios, "startup": start, "cache_speedup": speedup,
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
    return {"nproc": os.cpu_count(), "cpu": model, "python": platform.python_version(),
            "platform": platform.platform(), "openssl": openssl}


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
    print(f"machine: {info['nproc']} CPUs, {info['cpu']}, Python {info['python']}, {info['openssl']}")
    corpora = {c.name: c for c in (corpus_big(workdir, args.big_gb, args.big_files),
                                   corpus_small(workdir, args.small_files), corpus_one(workdir))}
    out = workdir / "out"
    out.mkdir(exist_ok=True)
    cache_dir = workdir / "cache"
    if cache_dir.exists():
        shutil.rmtree(cache_dir)
    env = {**os.environ, "SOURCE_DATE_EPOCH": "0", "DBOM_CACHE_DIR": str(cache_dir)}
    dbom = _dbom_executable()

    print("warming the page cache (reading every file once) ...", flush=True)
    for corpus in corpora.values():
        _run(_shell(READ_SCRIPT, corpus.path), env)

    figures: list[Figure] = []
    plan: list[tuple[Figure, list[str]]] = []
    for key in ("big", "small"):
        folder = corpora[key].path
        commands = [
            ("cat", _shell(READ_SCRIPT, folder)),
            ("openssl dgst -sha256", _shell(OPENSSL_SCRIPT, folder)),
            ("sha256sum", _shell(SHA256SUM_SCRIPT, folder)),
            ("dbom --hash none", _scan(dbom, folder, out / f"{key}-none.cdx.json", "none")),
            ("dbom --hash sha256", _scan(dbom, folder, out / f"{key}-sha256.cdx.json", "sha256")),
            ("dbom --hash blake3", _scan(dbom, folder, out / f"{key}-blake3.cdx.json", "blake3")),
        ]
        for label, cmd in commands:
            figure = Figure(label, key, _pretty(cmd, workdir))
            figures.append(figure)
            plan.append((figure, cmd))
    startup_cmd = [dbom, "scan", str(corpora["one"].path), "-o", str(out / "one.cdx.json"), "--no-cache", "-q"]
    startup = Figure("dbom start-up (1 file)", "one", _pretty(startup_cmd, workdir))
    plan.append((startup, startup_cmd))
    cached_out = out / "small-sha256-cached.cdx.json"
    cached_cmd = _scan(dbom, corpora["small"].path, cached_out, "sha256", cache=True)
    cached = Figure("dbom --hash sha256 (cached)", "small", _pretty(cached_cmd, workdir))
    plan.append((cached, cached_cmd))  # its untimed warm-up run fills the cache

    print(f"timing: 1 untimed + {args.runs} timed runs of each command ...", flush=True)
    measure(plan, env, args.runs)
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
