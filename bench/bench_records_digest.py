"""Benchmark `dbom scan --records-digest` against the same scan without it.

Run from the repository root with the project's virtualenv active::

    python bench/bench_records_digest.py [--workdir DIR] [--scale S] [--runs R] [--only NAME,...]

It generates corpora in a work folder outside the repository (default /tmp/dbom-bench-digest),
once, from seeded generators (regenerated when the parameters change):

- `text-snappy`: Parquet as the Hugging Face Hub serves web text: 8 files with columns text
  (documents of 200 to 1,600 words drawn from a Zipf distribution over a 30,000-word
  vocabulary, about 1 to 9 KiB), id, url, date, language (strings), score (double),
  token_count (int64); snappy compression (pyarrow's default), dictionary encoding where it
  applies, row groups of 10,000 rows; about 100k documents, 0.5 GB uncompressed;
- `text-zstd`: the same rows, zstd compression;
- `binary`: bench_scan.py's layout: 8 files of one uncompressed `binary` column of 1 MiB rows
  (random bytes), 1 GiB;
- `narrow`: 4 Parquet files of 5 million rows each of small columns (int64, double, int32, bool),
  the worst case per byte: many rows, little data per row;
- `jsonl`: the `text-snappy` rows as JSON Lines, 4 files, for comparison with a row format.

`--scale` multiplies the row counts. Then, with the page cache warm, in rounds (each round runs
every command once, so drift affects both alike), it times the whole command
`dbom scan DIR -o OUT --no-cache -q [--records-digest]` (SHA-256 + XXH3, the default) and records
the child's CPU time (user + system, from `os.wait4`), which other processes on the machine do
not inflate. It reports medians and the ratio with / without. For Parquet it also measures, in
this process and on one thread, the time to decode every row (pyarrow `iter_batches`) and to
decode and hash (`arrow_batch_sum`), to show how much of the cost is Arrow's decoding, which any
digest over records must pay, and how much is the hashing.
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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

CORPUS_FORMAT = 1  # bump when a generator changes: old corpora are then rebuilt
MIB = 1 << 20


@dataclass
class Corpus:
    """A generated corpus: name, folder, files and bytes on disk."""

    name: str
    path: Path
    files: int
    bytes: int
    fmt: str


@dataclass
class Sample:
    """The runs of one command: wall and CPU seconds per run."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)


# --- corpora -----------------------------------------------------------------------------------------


def _vocabulary(rng: object, size: int) -> list[str]:
    import numpy as np

    assert isinstance(rng, np.random.Generator)
    letters = np.array(list("etaoinshrdlcumwfgypbvkjxqz"))
    lengths = rng.integers(2, 11, size)
    return ["".join(rng.choice(letters, n)) for n in lengths]


def text_table(rows: int, seed: int) -> object:
    """`rows` web-text-like rows (see the module docstring) as a pyarrow Table."""
    import numpy as np
    import pyarrow as pa

    rng = np.random.default_rng(seed)
    vocab = np.array(_vocabulary(rng, 30_000), dtype=object)
    ranks = np.minimum(rng.zipf(1.2, size=rows * 900), 30_000) - 1
    lengths = rng.integers(200, 1600, rows)
    docs, pos = [], 0
    for n in lengths:
        take = ranks[pos : pos + n]
        if len(take) < n:  # rarely: draw more
            take = np.minimum(rng.zipf(1.2, size=n), 30_000) - 1
        docs.append(" ".join(vocab[take]))
        pos += n
    hosts = [f"www.{vocab[i]}.com" for i in rng.integers(0, 30_000, 2_000)]
    ids = [f"<urn:uuid:{seed:08x}-{i:012x}>" for i in range(rows)]
    urls = [f"https://{hosts[h]}/{vocab[a]}/{vocab[b]}.html" for h, a, b in
            zip(rng.integers(0, 2_000, rows), rng.integers(0, 30_000, rows), rng.integers(0, 30_000, rows),
                strict=True)]
    dates = [f"2024-{m:02d}-{d:02d}T{h:02d}:00:00Z" for m, d, h in
             zip(rng.integers(1, 13, rows), rng.integers(1, 29, rows), rng.integers(0, 24, rows), strict=True)]
    langs = rng.choice(np.array(["en", "de", "fr", "es"], dtype=object), rows, p=[0.7, 0.1, 0.1, 0.1])
    return pa.table({
        "text": pa.array(docs, pa.string()), "id": ids, "url": urls, "date": dates,
        "language": pa.array(langs, pa.string()), "score": rng.random(rows),
        "token_count": (lengths * 1.3).astype(np.int64),
    })


def _build_text(folder: Path, rows: int, files: int, compression: str) -> None:
    import pyarrow.parquet as pq

    for i in range(files):
        pq.write_table(text_table(rows // files, seed=i), folder / f"train-{i:05d}-of-{files:05d}.parquet",
                       compression=compression, row_group_size=10_000)


def _build_jsonl(folder: Path, rows: int, files: int) -> None:
    for i in range(files):
        table = text_table(rows // files, seed=100 + i)
        with open(folder / f"part-{i:03d}.jsonl", "w", encoding="utf-8") as fh:
            for row in table.to_pylist():
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def _build_binary(folder: Path, gib: float, files: int) -> None:
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(7)
    rows = int(gib * 1024 / files)
    for i in range(files):
        payload = rng.bytes(rows * MIB)
        view = memoryview(payload)
        table = pa.table({"payload": pa.array([view[j * MIB : (j + 1) * MIB] for j in range(rows)], pa.binary())})
        pq.write_table(table, folder / f"blob-{i:02d}.parquet", compression="NONE", use_dictionary=False,
                       write_statistics=False, row_group_size=rows, data_page_size=64 * MIB)


def _build_narrow(folder: Path, rows: int, files: int) -> None:
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(11)
    for i in range(files):
        n = rows // files
        table = pa.table({"id": np.arange(i * n, (i + 1) * n, dtype=np.int64), "x": rng.random(n),
                          "bucket": rng.integers(0, 1000, n).astype(np.int32), "keep": rng.random(n) < 0.9})
        pq.write_table(table, folder / f"rows-{i:02d}.parquet", row_group_size=1_000_000)


def _generate(workdir: Path, name: str, fmt: str, params: dict[str, object], build: Callable[[Path], None]) -> Corpus:
    folder = workdir / f"corpus-{name}"
    stamp = workdir / f"corpus-{name}.json"
    params = {**params, "format": CORPUS_FORMAT}
    if stamp.exists() and folder.is_dir():
        recorded = json.loads(stamp.read_text())
        if recorded.get("params") == params:
            return Corpus(name, folder, recorded["files"], recorded["bytes"], fmt)
    print(f"corpus {name}: generating in {folder} ...", flush=True)
    started = time.perf_counter()
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    build(folder)
    sizes = [p.stat().st_size for p in folder.iterdir()]
    stamp.write_text(json.dumps({"params": params, "files": len(sizes), "bytes": sum(sizes)}))
    print(f"corpus {name}: {len(sizes)} files, {sum(sizes):,} bytes in {time.perf_counter() - started:.0f} s",
          flush=True)
    return Corpus(name, folder, len(sizes), sum(sizes), fmt)


def corpora(workdir: Path, scale: float, only: set[str] | None) -> list[Corpus]:
    """Every corpus (those in `only`, when given), generated if needed."""
    text_rows = int(100_000 * scale)
    specs: list[tuple[str, str, dict[str, object], Callable[[Path], None]]] = [
        ("text-snappy", "parquet", {"rows": text_rows}, lambda f: _build_text(f, text_rows, 8, "snappy")),
        ("text-zstd", "parquet", {"rows": text_rows}, lambda f: _build_text(f, text_rows, 8, "zstd")),
        ("binary", "parquet", {"gib": scale}, lambda f: _build_binary(f, scale, 8)),
        ("narrow", "parquet", {"rows": int(20_000_000 * scale)},
         lambda f: _build_narrow(f, int(20_000_000 * scale), 4)),
        ("jsonl", "jsonl", {"rows": int(text_rows / 2)}, lambda f: _build_jsonl(f, int(text_rows / 2), 4)),
    ]
    return [_generate(workdir, name, fmt, params, build) for name, fmt, params, build in specs
            if only is None or name in only]


# --- measuring ---------------------------------------------------------------------------------------


def run_child(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run a command to completion; (wall seconds, CPU seconds of the child and its children)."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        raise SystemExit(f"{' '.join(args)} failed ({code}): {err}")
    return wall, usage.ru_utime + usage.ru_stime


def _read_all(folder: Path) -> None:
    for path in folder.iterdir():
        with open(path, "rb") as fh:
            while fh.read(16 * MIB):
                pass


def decode_vs_digest(corpus: Corpus) -> tuple[float, float]:
    """Seconds to decode every row of the corpus's Parquet files, and to decode and hash them (one thread)."""
    import pyarrow.parquet as pq

    from dbom.formats.parquet import DIGEST_BATCH_ROWS
    from dbom.formats.records_digest import arrow_batch_sum

    files = sorted(corpus.path.iterdir())
    t0 = time.perf_counter()
    for f in files:
        for _ in pq.ParquetFile(f).iter_batches(batch_size=DIGEST_BATCH_ROWS):
            pass
    t1 = time.perf_counter()
    for f in files:
        for batch in pq.ParquetFile(f).iter_batches(batch_size=DIGEST_BATCH_ROWS):
            arrow_batch_sum(batch)
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1


def main(argv: list[str] | None = None) -> int:
    """Generate, measure, print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/dbom-bench-digest"))
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", help="comma-separated corpus names")
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    only = set(args.only.split(",")) if args.only else None
    found = corpora(args.workdir, args.scale, only)
    env = {**os.environ, "SOURCE_DATE_EPOCH": "0", "DBOM_CACHE_DIR": str(args.workdir / "cache")}
    out = args.workdir / "out.cdx.json"
    base = [sys.executable, "-m", "dbom", "scan", "--profile", "off"]
    results = []
    for corpus in found:
        _read_all(corpus.path)
        commands = {
            "without": [*base, str(corpus.path), "-o", str(out), "--no-cache", "-q"],
            "with": [*base, str(corpus.path), "-o", str(out), "--no-cache", "-q", "--records-digest"],
        }
        samples = {k: Sample() for k in commands}
        for cmd in commands.values():
            run_child(cmd, env)  # warm-up
        for _ in range(args.runs):
            for key, cmd in commands.items():
                wall, cpu = run_child(cmd, env)
                samples[key].wall.append(wall)
                samples[key].cpu.append(cpu)
        entry: dict[str, object] = {
            "corpus": corpus.name, "files": corpus.files, "bytes": corpus.bytes,
            **{f"{k}_wall_s": statistics.median(s.wall) for k, s in samples.items()},
            **{f"{k}_cpu_s": statistics.median(s.cpu) for k, s in samples.items()},
        }
        entry["ratio_wall"] = entry["with_wall_s"] / entry["without_wall_s"]  # type: ignore[operator]
        entry["ratio_cpu"] = entry["with_cpu_s"] / entry["without_cpu_s"]  # type: ignore[operator]
        if corpus.fmt == "parquet":
            decode, digest = decode_vs_digest(corpus)
            entry["decode_s"], entry["decode_and_digest_s"] = decode, digest
        results.append(entry)
        print(json.dumps(entry), flush=True)
    (args.workdir / "results.json").write_text(json.dumps(results, indent=1))
    print()
    print(f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
          f"{args.runs} rounds, warm page cache, medians; `dbom scan DIR --no-cache -q` (XXH3 + SHA-256).")
    print()
    print("| corpus | files | size | scan | scan --records-digest | ratio (wall) | ratio (CPU) "
          "| decode only (1 thread) | decode + digest (1 thread) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for e in results:
        decode = f"{e['decode_s']:.2f} s" if "decode_s" in e else "n/a"
        both = f"{e['decode_and_digest_s']:.2f} s" if "decode_and_digest_s" in e else "n/a"
        print(f"| {e['corpus']} | {e['files']} | {e['bytes'] / MIB:,.0f} MiB | {e['without_wall_s']:.2f} s "
              f"| {e['with_wall_s']:.2f} s | {e['ratio_wall']:.2f} | {e['ratio_cpu']:.2f} | {decode} | {both} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
