"""Benchmark the content profile inside `dbom scan` (issue 18): `--profile sample` against `--profile off`.

Run from the repository root with the project's virtualenv (and the `dbom[profile]` extra) active::

    python bench/bench_profile_scan.py [--workdir DIR] [--files N] [--megabytes M] [--runs R] [--exact]

The corpus ("large shards", built once in the work folder, default /tmp/dbom-bench/profile-scan, and
reused while its parameters match): N JSON Lines files (default 16) of about M MB each (default 128),
one record a line, `{"text", "url", "date"}`. The texts are the prose paragraphs of the manual pages
under /usr/share/man (14 languages, a third English, as bench/bench_profile.py reads them), drawn with a
seeded generator; the URLs are over 20,000 sites, Zipf-like (bench_profile.urls); the dates in 2023.

Each command runs as a whole process (`dbom scan DIR --no-cache -q --profile MODE`), started by a small
launcher that reports its wall time, CPU time and peak RSS; R runs (default 3) after one untimed run
(which warms the page cache), median kept. The table gives each mode against `--profile off`, whose
scan reads and hashes every byte too. `--exact` adds `--profile exact` (slow: every record profiled).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import launcher
from bench_profile import corpus as paragraphs
from bench_profile import urls

GENERATOR_FORMAT = 1

def run(args: list[str]) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak RSS MB) of a whole process (bench/launcher.py)."""
    return launcher.run(args, None, "bench_profile_scan")


def build(folder: Path, files: int, megabytes: int) -> Path:
    """The corpus in `folder`, built when missing or made with other parameters."""
    stamp = folder.with_suffix(".json")
    wanted = {"format": GENERATOR_FORMAT, "files": files, "megabytes": megabytes}
    if stamp.exists() and folder.exists() and json.loads(stamp.read_text()) == wanted:
        return folder
    print("bench_profile_scan: building the corpus ...", file=sys.stderr)
    subprocess.run(["rm", "-rf", str(folder)], check=True)
    folder.mkdir(parents=True)
    texts = paragraphs(32)
    links = urls(200_000)
    rng = random.Random(3)
    for index in range(files):
        with open(folder / f"part-{index:03d}.jsonl", "wb") as out:
            written = 0
            while written < megabytes * 1_000_000:
                lines = [json.dumps({"text": rng.choice(texts), "url": rng.choice(links),
                                     "date": f"2023-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"},
                                    ensure_ascii=False).encode() + b"\n" for _ in range(1000)]
                chunk = b"".join(lines)
                out.write(chunk)
                written += len(chunk)
    stamp.write_text(json.dumps(wanted))
    return folder


def main() -> None:
    """Build the corpus, time the scans, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/dbom-bench"))
    parser.add_argument("--files", type=int, default=16)
    parser.add_argument("--megabytes", type=int, default=128)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--exact", action="store_true", help="also time --profile exact")
    args = parser.parse_args()
    folder = build(args.workdir / "profile-scan", args.files, args.megabytes)
    size = sum(path.stat().st_size for path in folder.iterdir())
    out = args.workdir / "profile-scan.cdx.json"
    modes = ["off", "sample", *(["exact"] if args.exact else [])]
    results = {}
    for mode in modes:
        command = [sys.executable, "-m", "dbom", "scan", str(folder), "--no-cache", "-q", "--profile", mode,
                   "-o", str(out)]
        run(command)
        samples = [run(command) for _ in range(args.runs)]
        results[mode] = (statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples),
                         max(s[2] for s in samples), min(s[0] for s in samples), max(s[0] for s in samples))
    print(f"\n{args.files} JSON Lines files, {size / 1e9:.2f} GB, `dbom scan --no-cache`, median of {args.runs}")
    print("\n| --profile | wall s (min-max) | CPU s | peak RSS MB | vs off | goal |")
    print("|---|---:|---:|---:|---:|---:|")
    base = results["off"][0]
    for mode in modes:
        wall, cpu, rss, low, high = results[mode]
        goal = "1.2x" if mode == "sample" else ""
        print(f"| {mode} | {wall:.2f} ({low:.2f}-{high:.2f}) | {cpu:.2f} | {rss:.0f} | {wall / base:.2f}x | {goal} |")


if __name__ == "__main__":
    main()
