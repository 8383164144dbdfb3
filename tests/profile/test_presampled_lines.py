"""`--profile sample` on JSON Lines parses the sampled lines only, and its estimates hold against `exact`.

The corpus is the sample web-text's prose (real English paragraphs) as JSON Lines, with URLs over a
skewed set of sites and dates; the sample budget is made small so that the rate is 1/8. Each figure of
the sampled profile is compared with the same scan's exact profile, computed independently of it.
"""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from corpora import SAMPLES

import dbom
from dbom.errors import DbomError
from dbom.profile import sampling
from dbom.profile.sampled_lines import LineTotals, sampled_lines
from dbom.profile.sampling import RecordSample

pytest.importorskip("pycld2", reason="the profile extra: pip install -e '.[profile]'")

SITES = [f"https://www.site{i}.org/page" for i in range(40)]


def _paragraphs() -> list[str]:
    table = pq.read_table(next((SAMPLES / "web-text" / "data").glob("*.parquet")), columns=["text"])
    return [t for t in table.column("text").to_pylist() if t and len(t) > 80]


def _rows(count: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    texts = _paragraphs()
    weights = [1 / (rank + 1) for rank in range(len(SITES))]  # site0 holds the most text
    return [{"text": rng.choice(texts), "meta": {"url": f"{rng.choices(SITES, weights)[0]}/{i}"},
             "date": f"2024-{rng.randrange(1, 13):02d}-{rng.randrange(1, 28):02d}"} for i in range(count)]


def _write_jsonl(path: Path, rows: list[dict[str, Any]], crlf: bool = False, gz: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = "".join(json.dumps(r) + ("\r\n" if crlf else "\n") for r in rows).encode()
    path.write_bytes(gzip.compress(data, mtime=0) if gz else data)


def _profile(root: Path, mode: str) -> dict[str, str]:
    options = dbom.ScanOptions(use_cache=False, profile=mode)
    dataset = dbom.scan([root], options=options).datasets[0]
    return dict(dataset.profile)


def _eighth(monkeypatch: pytest.MonkeyPatch, root: Path) -> None:
    """Make the sample budget an eighth of the files' bytes under `root` (a rate of 1/8: the rate is set from
    the files' sizes, known before any is read)."""
    total = sum(p.stat().st_size for p in root.iterdir())
    monkeypatch.setattr(sampling, "SAMPLE_BYTES", total // 8 + 8)


def test_the_sampled_profile_estimates_what_the_exact_one_counts(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "web"
    _write_jsonl(root / "a.jsonl", _rows(1500, 1))
    _write_jsonl(root / "b.jsonl.gz", _rows(1500, 2), gz=True)
    _write_jsonl(root / "c.jsonl", _rows(1000, 3), crlf=True)
    _eighth(monkeypatch, root)
    sample, exact = _profile(root, "sample"), _profile(root, "exact")
    assert sample["dbom:profile:mode"] == "sample" and exact["dbom:profile:mode"] == "exact"
    assert int(exact["dbom:profile:sampled-records"]) == 4000
    sampled = int(sample["dbom:profile:sampled-records"])
    assert 250 < sampled < 800  # about an eighth of 4,000
    for figure in ("characters", "words"):
        truth, estimate = int(exact[f"dbom:profile:{figure}"]), int(sample[f"dbom:profile:{figure}"])
        assert abs(estimate - truth) < 0.08 * truth, (figure, estimate, truth)
    languages = json.loads(sample["dbom:profile:languages"])
    truth = json.loads(exact["dbom:profile:languages"])
    assert languages[0]["language"] == truth[0]["language"] == "en"
    assert abs(languages[0]["share"] - truth[0]["share"]) < 0.05
    top_sample = json.loads(sample["dbom:profile:domains"])[0]
    top_exact = json.loads(exact["dbom:profile:domains"])[0]
    assert top_sample["domain"] == top_exact["domain"] == "site0.org"
    assert abs(top_sample["bytes"] - top_exact["bytes"]) < 0.3 * top_exact["bytes"]  # counted on 1/8, times 8
    first, last = (json.loads(p["dbom:profile:period"]) for p in (sample, exact))
    assert first["first"] >= last["first"] and first["last"] <= last["last"]  # a sample's dates lie within


def test_the_sample_is_the_same_every_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "web"
    _write_jsonl(root / "a.jsonl", _rows(2000, 4))
    _eighth(monkeypatch, root)
    assert _profile(root, "sample") == _profile(root, "sample")


def test_lines_are_counted_whole_and_only_sampled_ones_parsed(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    lines = [json.dumps({"text": "x" * (i % 7)}) for i in range(1000)]
    lines[500] = "{not json"
    path.write_bytes(("\n".join(lines[:300]) + "\n\n\r\n" + "\r\n".join(lines[300:])).encode())  # no last newline
    rate = RecordSample(1 / 64)
    totals = LineTotals()
    keep = rate.select("k", 0, 1000)
    if keep[500]:  # the broken line is sampled: its error names the file
        with pytest.raises(DbomError, match=r"x\.jsonl"):
            list(sampled_lines(path, None, True, rate, "k", totals))
        return
    batches = list(sampled_lines(path, None, True, rate, "k", totals))
    assert totals.lines == 1000  # the blank lines are not records
    assert totals.bytes == sum(len(line) for line in lines)  # carriage returns and newlines left out
    rows = [row for batch, _ in batches for row in batch]
    sizes = [size for _, batch_sizes in batches for size in batch_sizes]
    expected = [i for i in range(1000) if keep[i]]
    assert rows == [json.loads(lines[i]) for i in expected] and sizes == [len(lines[i]) for i in expected]


def test_a_broken_sampled_line_names_its_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.jsonl"
    path.write_text("\n".join(["{not json"] * 200) + "\n", encoding="utf-8")
    with pytest.raises(DbomError, match=r"broken\.jsonl.*cannot read its records"):
        list(sampled_lines(path, None, True, RecordSample(1 / 4), "k", LineTotals()))


def test_a_dataset_of_jsonl_and_parquet_shards_is_estimated_as_a_whole(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "mixed"
    _write_jsonl(root / "a.jsonl", _rows(2000, 5))
    rows = _rows(2000, 6)
    pq.write_table(pa.Table.from_pylist([{"text": r["text"], "url": r["meta"]["url"]} for r in rows]),
                   root / "b.parquet")
    monkeypatch.setattr(sampling, "SAMPLE_BYTES", (root / "a.jsonl").stat().st_size // 4)
    sample, exact = _profile(root, "sample"), _profile(root, "exact")
    for figure in ("characters", "words"):
        truth, estimate = int(exact[f"dbom:profile:{figure}"]), int(sample[f"dbom:profile:{figure}"])
        assert abs(estimate - truth) < 0.08 * truth, (figure, estimate, truth)


def test_a_byte_order_mark_and_big_integers_do_not_stop_the_sample(tmp_path: Path) -> None:
    path = tmp_path / "odd.jsonl"
    lines = [json.dumps({"text": f"line {i}", "id": 10**30 + i}) for i in range(50)]
    path.write_bytes(b"\xef\xbb\xbf" + "\n".join(lines).encode() + b"\n")
    totals = LineTotals()
    rows = [row for batch, _ in sampled_lines(path, None, True, RecordSample(1 / 2), "k", totals) for row in batch]
    keep = RecordSample(1 / 2).select("k", 0, 50)
    assert [r["text"] for r in rows] == [f"line {i}" for i in range(50) if keep[i]] and rows
    assert totals.lines == 50
