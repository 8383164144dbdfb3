"""Benchmark the content profile's parts (dbom/profile) in MB/s per core, each against a baseline in the same run.

Run from the repository root with the project's virtualenv (and the `dbom[profile]` extra) active::

    python bench/bench_profile.py [--runs R] [--megabytes M] [--json OUT]

The text is real prose in 14 languages: the paragraphs of the translated manual pages under /usr/share/man
(de, fr, es, it, ja, ko, nl, pl, pt, ru, sv, tr, cs, and English from man1), with roff requests and escapes
stripped, cut to about M MB (default 8) of which a third is English. One record is one paragraph (median
about 350 bytes). Each part runs on one thread (RAYON_NUM_THREADS=1 for the tokenizer) and is timed by the
process's CPU time (user + system), which other people's processes on the machine do not inflate; the table
gives the median of R runs (default 5) with the min and max, in MB/s (10^6 bytes of UTF-8 text per second):

- language: LanguageIdentifier.languages on each paragraph (pycld2);
- tokenizer: TokenCounter.count (batch encode, batches of 1,000 paragraphs) against `tokenizers`'
  `encode_batch` and `encode_batch_fast` alone on the same batches. The tokenizer is a BPE of 32,000
  tokens trained here on the same text with the tokenizers library (nothing is downloaded);
- url: DomainResolver.domains on Arrow arrays of 10,000 URLs (hosts drawn from 20,000 sites under
  twelve public suffixes), in MB/s of URL text and URLs/s, against urllib.parse.urlsplit(url).hostname
  alone (which finds the host but not the registered domain);
- pii: count_pii on each paragraph, against one `re` search for a digit or `@` (the cheapest pass over
  the text a pattern can make);
- words: `len(text.split())`, the word count, for scale;
- accumulator: ProfileAccumulator.add on Arrow batches of 1,000 records (text and url), exact, with and
  without the tokenizer, and with a 10% sample; MB/s of text fed.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import random
import re
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

os.environ.setdefault("RAYON_NUM_THREADS", "1")  # before tokenizers is imported: one core
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

LANGUAGES = ("de", "fr", "es", "it", "ja", "ko", "nl", "pl", "pt", "ru", "sv", "tr", "cs")
_ESCAPE = re.compile(r"\\f[BIRPC]|\\f\[[A-Z]*\]|\\\(..|\\\*\(..|\\\*.|\\[&\-e|^~0/,:%]|\\s[-+]?\d")
_BREAKS = (".PP", ".SH", ".TP", ".IP", ".P", ".LP", ".SS")
SUFFIXES = ("com", "org", "net", "co.uk", "de", "fr", "com.au", "co.jp", "io", "info", "gov.uk", "edu")


def man_paragraphs(folder: Path) -> list[str]:
    """The prose paragraphs (over 200 characters) of the gzip'd manual pages under `folder`."""
    paragraphs: list[str] = []
    for page in sorted(folder.rglob("*.gz")):
        try:
            raw = gzip.decompress(page.read_bytes()).decode("utf-8", "replace")
        except (OSError, EOFError):
            continue
        current: list[str] = []
        for line in raw.splitlines():
            if line.startswith((".", "'")):
                if line.split(" ", 1)[0] in _BREAKS and current:
                    paragraphs.append(" ".join(current))
                    current = []
                continue
            line = _ESCAPE.sub("", line).strip()
            if line:
                current.append(line)
        if current:
            paragraphs.append(" ".join(current))
    return [p for p in paragraphs if len(p) > 200]


def corpus(megabytes: float) -> list[str]:
    """About `megabytes` MB of paragraphs: the translations whole (as far as they go), then English."""
    budget = int(megabytes * 1e6)
    texts: list[str] = []
    for language in LANGUAGES:
        texts += man_paragraphs(Path("/usr/share/man") / language)
    other = sum(len(t.encode()) for t in texts)
    english = man_paragraphs(Path("/usr/share/man/man1")) + man_paragraphs(Path("/usr/share/man/man8"))
    if not texts and not english:
        sys.exit("bench_profile: no manual pages under /usr/share/man to read text from")
    if other > budget * 2 // 3:
        random.Random(0).shuffle(texts)
        texts = _cut(texts, budget * 2 // 3)
    texts += _cut(english, budget - sum(len(t.encode()) for t in texts))
    random.Random(1).shuffle(texts)
    return texts


def _cut(texts: list[str], budget: int) -> list[str]:
    kept, size = [], 0
    for text in texts:
        if size >= budget:
            break
        kept.append(text)
        size += len(text.encode())
    return kept


def urls(count: int) -> list[str]:
    """`count` URLs over 20,000 sites (Zipf-like), with subdomains, paths and queries."""
    rng = random.Random(2)
    sites = [f"site{i}-{rng.randrange(10**6)}.{SUFFIXES[i % len(SUFFIXES)]}" for i in range(20_000)]
    weights = [1 / (rank + 1) for rank in range(len(sites))]
    chosen = rng.choices(sites, weights, k=count)
    subdomains = ("www.", "", "blog.", "news.", "m.")
    return [f"https://{rng.choice(subdomains)}{site}/articles/{rng.randrange(10**6)}/some-title-here?ref={i}"
            for i, site in enumerate(chosen)]


def cpu_seconds(work: Callable[[], object]) -> float:
    """The CPU time (user + system) of this process while `work` runs."""
    start = time.process_time()
    work()
    return time.process_time() - start


def measure(work: Callable[[], object], runs: int) -> list[float]:
    work()  # warm: imports, caches, the first allocation
    return [cpu_seconds(work) for _ in range(runs)]


def train_tokenizer(texts: list[str], folder: Path) -> Path:
    """A 32,000-token BPE trained on `texts` (byte-level pre-tokenizer, like GPT-2's), saved as tokenizer.json."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=32_000, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tokenizer.train_from_iterator(texts, trainer=trainer)
    folder.mkdir(parents=True, exist_ok=True)
    tokenizer.save(str(folder / "tokenizer.json"))
    return folder / "tokenizer.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--megabytes", type=float, default=8.0)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/dbom-bench-profile"))
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    from urllib.parse import urlsplit

    import pyarrow as pa
    import tokenizers

    from dbom.profile import ProfileAccumulator, RecordSample, TokenCounter
    from dbom.profile.domains import DomainResolver
    from dbom.profile.languages import LanguageIdentifier
    from dbom.profile.pii import count_pii

    texts = corpus(args.megabytes)
    text_bytes = sum(len(t.encode()) for t in texts)
    batches = [texts[i : i + 1000] for i in range(0, len(texts), 1000)]
    tokenizer_path = train_tokenizer(texts, args.workdir / "bpe-32k")
    counter = TokenCounter.from_path(tokenizer_path)
    reference = tokenizers.Tokenizer.from_file(str(tokenizer_path))
    url_list = urls(100_000)
    url_arrays = [pa.array(url_list[i : i + 10_000], pa.string()) for i in range(0, len(url_list), 10_000)]
    url_bytes = sum(len(u) for u in url_list)
    record_urls = urls(len(texts))
    tables = [pa.table({"text": pa.array(batch, pa.string()),
                        "url": pa.array(record_urls[i * 1000 : i * 1000 + len(batch)], pa.string())})
              for i, batch in enumerate(batches)]
    identify = LanguageIdentifier().languages
    resolver = DomainResolver()
    cheapest = re.compile(r"[\d@]")

    def each(function: Callable[[Any], object], items: Iterable[Any]) -> None:
        for item in items:  # results are dropped as they come, as the profile drops them
            function(item)

    def profile(tokenizer: TokenCounter | None, rate: float) -> None:
        acc = ProfileAccumulator(tokenizer=tokenizer, sample=RecordSample(rate, seed=0), shard_key="bench")
        for table in tables:
            acc.add(table)

    parts: list[tuple[str, str, int, Callable[[], object]]] = [
        ("language", "LanguageIdentifier.languages (pycld2)", text_bytes, lambda: each(identify, texts)),
        ("tokenizer", "TokenCounter.count", text_bytes, lambda: each(counter.count, batches)),
        ("tokenizer", "baseline: tokenizers encode_batch", text_bytes,
         lambda: each(lambda b: reference.encode_batch(b, add_special_tokens=False), batches)),
        ("tokenizer", "baseline: tokenizers encode_batch_fast", text_bytes,
         lambda: each(lambda b: reference.encode_batch_fast(b, add_special_tokens=False), batches)),
        ("url", "DomainResolver.domains (Arrow, 10k URLs a batch)", url_bytes,
         lambda: each(resolver.domains, url_arrays)),
        ("url", "baseline: urlsplit(url).hostname", url_bytes, lambda: each(lambda u: urlsplit(u).hostname, url_list)),
        ("pii", "count_pii", text_bytes, lambda: each(count_pii, texts)),
        ("pii", "baseline: one re search for a digit or @", text_bytes, lambda: each(cheapest.search, texts)),
        ("words", "len(text.split())", text_bytes, lambda: each(lambda t: len(t.split()), texts)),
        ("accumulator", "exact, no tokenizer", text_bytes, lambda: profile(None, 1.0)),
        ("accumulator", "exact, with the tokenizer", text_bytes, lambda: profile(counter, 1.0)),
        ("accumulator", "10% sample, with the tokenizer", text_bytes, lambda: profile(counter, 0.1)),
    ]
    results = []
    for part, name, size, work in parts:
        seconds = measure(work, args.runs)
        speeds = sorted(size / s / 1e6 for s in seconds)
        row = {"part": part, "what": name, "bytes": size, "median_mb_s": statistics.median(speeds),
               "min_mb_s": speeds[0], "max_mb_s": speeds[-1], "cpu_seconds": seconds}
        if part == "url":
            row["urls_per_s"] = len(url_list) / statistics.median(seconds)
        results.append(row)
        print(f"{part:12s} {name:52s} {row['median_mb_s']:9.2f} MB/s  (min {speeds[0]:.2f}, max {speeds[-1]:.2f})"
              + (f"  {row['urls_per_s']:,.0f} URLs/s" if part == "url" else ""), flush=True)

    speed = {row["what"]: row["median_mb_s"] for row in results}
    alone = speed["baseline: tokenizers encode_batch"]
    print(f"\nexact profile with the tokenizer / the tokenizer alone: "
          f"{speed['exact, with the tokenizer'] / alone:.2f}; TokenCounter.count / encode_batch: "
          f"{speed['TokenCounter.count'] / alone:.2f}")
    print(f"text: {len(texts):,} paragraphs, {text_bytes / 1e6:.1f} MB; URLs: {len(url_list):,}, "
          f"{url_bytes / 1e6:.1f} MB; runs: {args.runs}; {platform.python_version()}, {platform.machine()}, "
          f"{os.cpu_count()} CPUs")
    if args.json:
        args.json.write_text(json.dumps({"text_bytes": text_bytes, "paragraphs": len(texts), "runs": args.runs,
                                         "results": results}, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
