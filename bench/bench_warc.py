"""Benchmark the WARC reader (dbom.formats.warc) against warcio and against gunzip alone, in the same run.

Run from the repository root with the project's virtualenv active (the `warc` extra and warcio installed)::

    python bench/bench_warc.py [--workdir DIR] [--files N] [--pages P] [--runs R] [--json OUT]

It generates, once, in a work folder outside the repository (default /tmp/dbom-bench-warc), a crawl
as Common Crawl writes it: `--files` WARC files of `--pages` pages, each page a `request`, a
`response` (an HTML page of 300 to 3,000 words drawn from a Zipf distribution over a 30,000-word
vocabulary) and a `metadata` record, every record its own gzip member (zlib level 6); the same
files uncompressed (`.warc`); and a WET file per WARC (a `conversion` record of the page's words).
Records are written here, not with warcio (a writer is not what is measured, and warcio takes
minutes for this size).

Then, with the page cache warm, in rounds (each round runs every measurement once, so drift
affects all alike), on one thread of this process, it times over all files of a kind:

- `inspect_warc`: what `dbom scan` does per WARC shard (count by type, media types, checks);
- `fastwarc loop`: FastWARC's iterator alone, the same records consumed, none of dbom's checks;
- `warcio count`: warcio's ArchiveIterator counting records by type (the pure-Python library);
- `gunzip`: Python's gzip module reading the files through (no parsing at all), for .warc.gz;
- `iter_warc_texts`: every text of every content record (decoded);
- `profile rows`: the content profile's rows of the shard (`record_batches`: the texts, an HTML page's
  shown text extracted by `html_text`, with their URLs and dates), what `--profile` reads before counting;

and the whole command `dbom scan DIR -o OUT --no-cache -q` (XXH3-128 + SHA-256, the default) on
the .warc.gz folder. It reports medians with min and max, and MB/s of file bytes (10^6 bytes/s).
"""

from __future__ import annotations

import argparse
import collections
import gzip
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

CORPUS_FORMAT = 1  # bump when the generator changes: old corpora are then rebuilt
REPO = Path(__file__).resolve().parent.parent


def _record(kind: str, uri: str, number: int, block: bytes, content_type: str) -> bytes:
    headers = (f"WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Date: 2024-03-01T12:00:00Z\r\n"
               f"WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-{number:012d}>\r\n"
               + (f"WARC-Target-URI: {uri}\r\n" if uri else "")
               + f"Content-Type: {content_type}\r\nContent-Length: {len(block)}\r\n\r\n")
    return headers.encode() + block + b"\r\n\r\n"


def _generate(folder: Path, files: int, pages: int) -> None:
    rng = np.random.default_rng(18)
    letters = np.array(list("etaoinshrdlcumwfgypbvkjxqz"))
    vocabulary = np.array(["".join(rng.choice(letters, n)) for n in rng.integers(2, 11, 30_000)])
    for kind in ("warc.gz", "warc", "wet.gz"):
        (folder / kind).mkdir(parents=True, exist_ok=True)
    number = 0
    for index in range(files):
        name = f"CC-MAIN-20240301-{index:05d}"
        with open(folder / "warc.gz" / f"{name}.warc.gz", "wb") as zipped, \
                open(folder / "warc" / f"{name}.warc", "wb") as plain, \
                open(folder / "wet.gz" / f"{name}.warc.wet.gz", "wb") as wet:
            info = _record("warcinfo", "", number, b"software: dbom bench\r\n", "application/warc-fields")
            zipped.write(gzip.compress(info, 6))
            plain.write(info)
            wet.write(gzip.compress(info, 6))
            for page in range(pages):
                number += 1
                uri = f"https://site{page % 997}.example.com/{index}/{page}"
                words = " ".join(vocabulary[np.minimum(rng.zipf(1.2, rng.integers(300, 3000)), 30_000) - 1])
                html = f"<html><head><title>page {page}</title></head><body><p>{words}</p></body></html>".encode()
                request = b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n"
                response = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + html
                for record in (_record("request", uri, number, request, "application/http; msgtype=request"),
                               _record("response", uri, number, response, "application/http; msgtype=response"),
                               _record("metadata", uri, number, b"fetchTimeMs: 12\r\n", "application/warc-fields")):
                    zipped.write(gzip.compress(record, 6))
                    plain.write(record)
                wet.write(gzip.compress(_record("conversion", uri, number, words.encode(), "text/plain"), 6))


def _corpus(workdir: Path, files: int, pages: int) -> Path:
    folder = workdir / "corpus"
    stamp = folder / "params.json"
    params = {"format": CORPUS_FORMAT, "files": files, "pages": pages}
    if stamp.exists() and json.loads(stamp.read_text()) == params:
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    _generate(folder, files, pages)
    stamp.write_text(json.dumps(params))
    return folder


def _fastwarc_loop(path: Path) -> int:
    from fastwarc import ArchiveIterator

    count = 0
    with open(path, "rb") as file:
        for record in ArchiveIterator(file, parse_http=True):
            record.consume()
            count += 1
    return count


def _warcio_count(path: Path) -> int:
    from warcio.archiveiterator import ArchiveIterator

    counts: collections.Counter[str] = collections.Counter()
    with open(path, "rb") as file:
        for record in ArchiveIterator(file):
            counts[record.rec_type] += 1
    return sum(counts.values())


def _gunzip(path: Path) -> int:
    size = 0
    with gzip.open(path, "rb") as file:
        while block := file.read(1 << 20):
            size += len(block)
    return size


def _texts(path: Path) -> int:
    from dbom.formats.warc import iter_warc_texts

    return sum(len(text) for _, text in iter_warc_texts(path, "gzip" if path.suffix == ".gz" else None))


def _profile_rows(path: Path) -> int:
    from dbom.profile.shard_records import record_batches

    batches = record_batches(path, "warc", "gzip" if path.suffix == ".gz" else None)
    return sum(len(row["text"] or "") for batch in batches for row in batch)


def _inspect(path: Path) -> int:
    from dbom.formats import detect, inspect_shard

    found = inspect_shard(path, detect(path, b""))
    return found.records or 0


def _scan(folder: Path, out: Path) -> Callable[[Path], int]:
    def run(_: Path) -> int:
        env = {**os.environ, "SOURCE_DATE_EPOCH": "0", "PYTHONPATH": str(REPO)}
        subprocess.run([sys.executable, "-m", "dbom", "scan", str(folder), "-o", str(out), "--no-cache", "-q",
                        "--profile", "off"],
                       check=True, env=env)
        return 0
    return run


def main() -> None:
    """Generate the corpus if needed, time every measurement in rounds, print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/dbom-bench-warc"))
    parser.add_argument("--files", type=int, default=4)
    parser.add_argument("--pages", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    corpus = _corpus(args.workdir, args.files, args.pages)
    kinds = {kind: sorted((corpus / kind).iterdir()) for kind in ("warc.gz", "warc", "wet.gz")}
    measures: list[tuple[str, str, Callable[[Path], int]]] = []
    for kind in kinds:
        measures += [(kind, "inspect_warc", _inspect), (kind, "fastwarc loop", _fastwarc_loop),
                     (kind, "warcio count", _warcio_count)]
        if kind.endswith(".gz"):
            measures.append((kind, "gunzip", _gunzip))
        measures.append((kind, "iter_warc_texts", _texts))
        measures.append((kind, "profile rows", _profile_rows))
    measures.append(("warc.gz", "dbom scan (whole command)", _scan(corpus / "warc.gz", args.workdir / "out.json")))
    times: dict[tuple[str, str], list[float]] = {(kind, name): [] for kind, name, _ in measures}
    for kind, _, measure in measures:  # warm the page cache and the imports
        measure(kinds[kind][0])
    for _ in range(args.runs):
        for kind, name, measure in measures:
            files = kinds[kind] if not name.startswith("dbom scan") else kinds[kind][:1]
            start = time.perf_counter()
            for path in files:
                measure(path)
            times[(kind, name)].append(time.perf_counter() - start)
    sizes = {kind: sum(path.stat().st_size for path in paths) for kind, paths in kinds.items()}
    print(f"corpus: {args.files} files x {args.pages} pages; {platform.python_version()}, {os.cpu_count()} CPUs")
    print("| files | measure | bytes | median s | min s | max s | MB/s |")
    print("|---|---|---:|---:|---:|---:|---:|")
    rows = []
    for (kind, name), samples in times.items():
        median = statistics.median(samples)
        rows.append({"kind": kind, "measure": name, "bytes": sizes[kind], "median": median, "min": min(samples),
                     "max": max(samples), "mb_per_s": sizes[kind] / median / 1e6})
        print(f"| {kind} | {name} | {sizes[kind]:,} | {median:.3f} | {min(samples):.3f} | {max(samples):.3f} | "
              f"{sizes[kind] / median / 1e6:.0f} |")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
