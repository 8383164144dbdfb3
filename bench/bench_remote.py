"""Benchmark `dbom scan s3://...` against a loopback S3-compatible server, with a boto3 download as baseline.

Run from the repository root with the project's virtualenv active (the test extra has moto and boto3)::

    python bench/bench_remote.py [--objects N] [--object-mib M] [--rounds R]

It starts moto's S3 server on 127.0.0.1, uploads N Parquet objects of about M MiB each (random,
incompressible bytes from a seeded generator, four row groups; each with its full-object
`ChecksumSHA256`), then times whole commands in rounds (each round runs every command once, so drift
affects all alike) and reports median, minimum and maximum:

- baseline: a separate Python process that downloads every object with boto3 (`get_object`, the body
  read to its end), sixteen at a time, as dbom keeps sixteen in flight;
- `dbom scan s3://BUCKET/PREFIX --no-cache -q`: every byte read once (XXH3-128 and SHA-256);
- `dbom scan ... --no-cache --trust-store-checksums -q`: the store's SHA-256, Parquet footers by range reads;
- `dbom scan ... -q` with a filled cache: the listing only.

Bytes transferred are dbom's own count of the bytes it fetched (the summary's `read ... (N)`),
against the bytes stored. The server is on the same machine: latency is near zero and the server's
own CPU competes with the client's, so the figures are a floor for the work, not a network benchmark.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BUCKET = "bench-corpus"
PREFIX = "web-text"
DOWNLOAD = """
import sys
from concurrent.futures import ThreadPoolExecutor
import boto3
client = boto3.client("s3")
keys = [o["Key"] for page in client.get_paginator("list_objects_v2").paginate(Bucket=sys.argv[1], Prefix=sys.argv[2])
        for o in page.get("Contents", [])]
def fetch(key):
    body = client.get_object(Bucket=sys.argv[1], Key=key)["Body"]
    total = 0
    while chunk := body.read(8 << 20):
        total += len(chunk)
    return total
with ThreadPoolExecutor(16) as pool:
    print(sum(pool.map(fetch, keys)))
"""


def _upload(client: object, objects: int, mib: float) -> int:
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    generator = random.Random(20261205)
    rows = max(4, int(mib * 1024))  # rows of 1 KiB
    stored = 0
    client.create_bucket(Bucket=BUCKET)  # type: ignore[attr-defined]
    for index in range(objects):
        table = pa.table({"id": list(range(rows)), "blob": [generator.randbytes(1024) for _ in range(rows)]})
        buffer = io.BytesIO()
        pq.write_table(table, buffer, row_group_size=rows // 4, compression="none", use_dictionary=False)
        data = buffer.getvalue()
        stored += len(data)
        client.put_object(Bucket=BUCKET, Key=f"{PREFIX}/part-{index:05d}.parquet", Body=data,  # type: ignore[attr-defined]
                          ChecksumAlgorithm="SHA256")
    return stored


def _timed(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed: {done.stderr}")
    return seconds, done.stderr + done.stdout


def _fetched(summary: str) -> int:
    match = re.search(r"read [\d,]+ files? \(([\d.]+) (B|KiB|MiB|GiB)", summary)
    if match is None:
        return -1
    return int(float(match[1]) * {"B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30}[match[2]])


def main() -> None:
    """Upload the corpus, time the commands in rounds, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--objects", type=int, default=64)
    parser.add_argument("--object-mib", type=float, default=4.0)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    import boto3
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    cache = tempfile.mkdtemp(prefix="dbom-bench-remote-cache-")
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench-secret",
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL": f"http://{host}:{port}", "SOURCE_DATE_EPOCH": "0",
           "DBOM_CACHE_DIR": cache}
    os.environ.update({k: env[k] for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION",
                                           "AWS_ENDPOINT_URL")})
    stored = _upload(boto3.client("s3"), args.objects, args.object_mib)
    out = Path(tempfile.mkdtemp(prefix="dbom-bench-remote-")) / "out.json"
    url = f"s3://{BUCKET}/{PREFIX}"
    dbom = [sys.executable, "-m", "dbom", "scan", url, "--profile", "off", "-o", str(out)]
    commands = {
        "boto3 download (baseline)": [sys.executable, "-c", DOWNLOAD, BUCKET, PREFIX],
        "dbom scan --no-cache": [*dbom, "--no-cache"],
        "dbom scan --no-cache --trust-store-checksums": [*dbom, "--no-cache", "--trust-store-checksums"],
        "dbom scan (cached rescan)": dbom,
    }
    _timed(dbom, env)  # fills the cache, and warms the server and the page cache
    times: dict[str, list[float]] = {name: [] for name in commands}
    fetched: dict[str, int] = {}
    for _ in range(args.rounds):
        for name, command in commands.items():
            seconds, text = _timed(command, env)
            times[name].append(seconds)
            fetched[name] = int(text.strip()) if name.startswith("boto3") else _fetched(text)
    server.stop()
    base = statistics.median(times["boto3 download (baseline)"])
    print(f"{args.objects} Parquet objects, {stored / (1 << 20):.1f} MiB stored; {args.rounds} rounds; "
          f"moto on 127.0.0.1; medians (min-max)")
    print("| command | seconds | x baseline | bytes transferred | of stored |\n|---|---|---|---|---|")
    for name, samples in times.items():
        median = statistics.median(samples)
        moved = fetched[name]
        print(f"| {name} | {median:.2f} ({min(samples):.2f}-{max(samples):.2f}) | {median / base:.2f} | "
              f"{moved:,} | {moved / stored:.2%} |")


if __name__ == "__main__":
    main()
