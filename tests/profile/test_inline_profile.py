"""A sampled JSON Lines or text shard is sampled from the blocks its inspection reads (one read of the file),
and the profile of that sample is the one `DatasetProfiler.read` makes of the file by itself (the path of a shard whose
fingerprint was cached but not its profile): a scan's DBOM is the same bytes whichever path each shard took.
"""

from __future__ import annotations

import bz2
import gzip
import json
import os
import random
from pathlib import Path

import pytest
from helpers import run_dbom

import dbom
from dbom.formats import detect, inspect_shard
from dbom.model import Shard
from dbom.profile import sampling
from dbom.profile.dataset_profile import DatasetProfiler, ProfileSettings
from dbom.profile.fields import FieldSpec

pytest.importorskip("pycld2", reason="the profile extra: pip install -e '.[profile]'")

PROSE = ("the data was read from a crawl of pages about rivers and hills near the sea, "
         "contact admin@example.org or +44 20 7946 0958 for more")
WORDS = PROSE.split(" ")


def _lines(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [json.dumps({"text": " ".join(rng.choices(WORDS, k=rng.randrange(3, 40))),
                        "url": f"https://www.site{rng.randrange(30)}.example.org/p/{i}",
                        "date": f"2024-{rng.randrange(1, 13):02d}-{rng.randrange(1, 28):02d}"}) for i in range(count)]


def _odd_jsonl(count: int, seed: int) -> bytes:
    """JSON Lines with what a reader must get right: a byte-order mark, CRLF endings, blank and white-space
    lines, and no newline after the last line."""
    lines = _lines(count, seed)
    lines[10:10] = ["", "   ", "\r"]
    return b"\xef\xbb\xbf" + "\r\n".join(lines).encode()


def _shard(path: Path, profiler: DatasetProfiler) -> tuple[Shard, object]:
    detected = detect(path, path.read_bytes()[:64])
    assert detected is not None
    shard = Shard(path=path.name, bytes=path.stat().st_size, format=detected.format,
                  compression=detected.compression, xxh3_128=f"{abs(hash(path.name)):032x}")
    return shard, detected


@pytest.mark.parametrize("name, content", [
    ("plain.jsonl", _odd_jsonl(3000, 1)),
    ("zipped.jsonl.gz", gzip.compress(_odd_jsonl(3000, 2), mtime=0)),
    ("packed.jsonl.bz2", bz2.compress(_odd_jsonl(2000, 3))),
    ("prose.txt", "\n".join(json.loads(line)["text"] for line in _lines(3000, 4)).encode() + b"\n\n"),
])
def test_the_profile_made_while_inspecting_is_the_one_read_alone(tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    profiler = DatasetProfiler(ProfileSettings("sample"), FieldSpec(), sampling.SAMPLE_BYTES * 8)
    assert profiler.sample.rate == 1 / 8
    shard, detected = _shard(path, profiler)
    inline = profiler.inline(shard)
    assert inline is not None
    inspected = inspect_shard(path, detected, profile=inline)  # type: ignore[arg-type]
    figures = profiler.profile_sampled([(shard, inspected.profile)])[0].to_json()  # type: ignore[union-attr]
    assert figures == profiler.read(shard, path).to_json()
    assert figures["presampled"] and 0 < figures["sampled_records"] < figures["records"]
    # the inspection's own figures are unchanged by the profile
    assert inspected.records == inspect_shard(path, detected).records  # type: ignore[arg-type]


def test_a_shard_read_in_full_is_profiled_after_its_inspection(tmp_path: Path) -> None:
    """`exact`, or a dataset within the budget, reads every record: no profile is made inline then."""
    path = tmp_path / "a.jsonl"
    path.write_text("\n".join(_lines(50, 5)) + "\n", encoding="utf-8")
    for mode, rate_bytes in (("exact", 10**12), ("sample", 1000)):
        profiler = DatasetProfiler(ProfileSettings(mode), FieldSpec(), rate_bytes)
        assert profiler.inline(_shard(path, profiler)[0]) is None


def _corpus(root: Path) -> None:
    root.mkdir()
    (root / "a.jsonl").write_bytes(_odd_jsonl(6000, 7))
    (root / "b.jsonl.gz").write_bytes(gzip.compress(_odd_jsonl(6000, 8), mtime=0))
    (root / "c.txt").write_text("\n".join(json.loads(line)["text"] for line in _lines(6000, 9)), encoding="utf-8")


def test_a_scan_is_the_same_whichever_way_its_shards_were_profiled(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "web"
    _corpus(root)
    monkeypatch.setattr(sampling, "SAMPLE_BYTES", sum(p.stat().st_size for p in root.iterdir()) // 16)
    read_alone: list[str] = []
    original = DatasetProfiler.read

    def counted(self: DatasetProfiler, shard: Shard, path: Path) -> object:
        read_alone.append(shard.path)
        return original(self, shard, path)

    monkeypatch.setattr(DatasetProfiler, "read", counted)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")

    def written(name: str, options: dbom.ScanOptions) -> bytes:
        out = tmp_path / f"{name}.cdx.json"
        dbom.write(dbom.scan([root], options=options), out)
        return out.read_bytes()

    inline = written("inline", dbom.ScanOptions(use_cache=False, profile="sample"))
    assert read_alone == []  # every shard was profiled as it was inspected
    monkeypatch.setenv("DBOM_CACHE_DIR", str(tmp_path / "cache"))
    written("fingerprints", dbom.ScanOptions(profile="off"))
    alone = written("alone", dbom.ScanOptions(profile="sample"))  # fingerprints cached: each file read for its profile
    assert sorted(read_alone) == ["a.jsonl", "b.jsonl.gz", "c.txt"]
    assert alone == inline
    profile = {p["name"]: p["value"] for p in json.loads(inline)["components"][0]["properties"]}
    assert profile["dbom:profile:mode"] == "sample"
    assert 0 < int(profile["dbom:profile:sampled-records"]) < 18000


def test_the_cli_profiles_a_large_shard_in_its_worker_process_as_it_would_alone(tmp_path: Path) -> None:
    """A shard of 16 MiB or more is inspected in a worker process (dbom.fingerprint.inspect_pool): its profile
    comes back from there, and the DBOM is the one made when the profile reads the file by itself."""
    root = tmp_path / "big"
    root.mkdir()
    lines = _lines(2000, 10)
    with open(root / "big.jsonl", "wb") as out:
        while out.tell() < 17 << 20:
            out.write(("\n".join(lines) + "\n").encode())
    (root / "small.txt").write_text("a line of text\n" * 100, encoding="utf-8")
    env = {"SOURCE_DATE_EPOCH": "0", "DBOM_CACHE_DIR": str(tmp_path / "cache")}
    first = run_dbom("scan", str(root), "-o", str(tmp_path / "inline.json"), "--profile", "sample", "-q",
                     env={**env, "DBOM_CACHE_DIR": str(tmp_path / "cold")})
    assert first.returncode == 0, first.stderr
    for profile, out in (("off", "fingerprints.json"), ("sample", "alone.json")):
        done = run_dbom("scan", str(root), "-o", str(tmp_path / out), "--profile", profile, "-q", env=env)
        assert done.returncode == 0, done.stderr
    inline, alone = (tmp_path / "inline.json").read_bytes(), (tmp_path / "alone.json").read_bytes()
    assert inline == alone
    properties = {p["name"]: p["value"] for p in json.loads(inline)["components"][0]["properties"]}
    assert properties["dbom:profile:mode"] == "sample"  # 17 MiB is more than the budget: sampled
    records = (root / "big.jsonl").read_bytes().count(b"\n") + 100
    assert 0 < int(properties["dbom:profile:sampled-records"]) < records // 2


def test_shards_profiled_together_are_profiled_as_each_alone(tmp_path: Path) -> None:
    """Many small shards' sampled rows are profiled in one go (`add_sampled_together`); each shard's profile
    is the one it has alone, whatever its neighbours hold: other fields, no text, no URL, no date, nothing."""
    rng = random.Random(11)
    kinds = [
        lambda i: {"text": " ".join(rng.choices(WORDS, k=rng.randrange(1, 30))),
                   "url": f"https://a{rng.randrange(9)}.example.net/{i}", "date": f"2022-0{1 + i % 9}-0{1 + i % 9}"},
        lambda i: {"content": " ".join(rng.choices(WORDS, k=5)), "link": "not a url"},
        lambda i: {"id": i},  # no field the profile reads
        lambda i: {"text": None, "url": f"http://10.0.0.{i % 250}/"},
        lambda i: {"messages": [{"role": "user", "content": "hola, ¿qué tal? " * (i % 4)}]},
        lambda i: {"text": "text with a date in another form", "date": "05/12/2026"},
    ]
    profiler = DatasetProfiler(ProfileSettings("sample"), FieldSpec(), sampling.SAMPLE_BYTES * 2)
    shards = []
    for n in range(60):
        path = tmp_path / f"s{n:02d}.jsonl"
        make = kinds[n % len(kinds)]
        path.write_text("".join(json.dumps(make(i)) + "\n" for i in range(rng.randrange(0, 12))), encoding="utf-8")
        shard, detected = _shard(path, profiler)
        inline = profiler.inline(shard)
        assert inline is not None
        shards.append((shard, inspect_shard(path, detected, profile=inline).profile))  # type: ignore[arg-type]
    together = [one.to_json() for one in profiler.profile_sampled(shards)]  # type: ignore[union-attr,arg-type]
    alone = [profiler.profile_sampled([pair])[0].to_json() for pair in shards]  # type: ignore[union-attr,list-item]
    assert together == alone == [profiler.read(shard, tmp_path / shard.path).to_json() for shard, _ in shards]
    assert sum(one["sampled_records"] for one in together) > 20
    assert any(one["period"]["records"] for one in together) and any(one["domains"]["domains"] for one in together)


def test_damaged_cached_profiles_are_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A rescan merges the shards' cached profiles from their JSON (`merge_json`); an entry that is not JSON,
    or JSON of another shape, is a miss: the shard is read again and the DBOM is the same."""
    import sqlite3

    from dbom.fingerprint.cache import CACHE_FORMAT

    root = tmp_path / "web"
    _corpus(root)
    monkeypatch.setattr(sampling, "SAMPLE_BYTES", sum(p.stat().st_size for p in root.iterdir()) // 16)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    monkeypatch.setenv("DBOM_CACHE_DIR", str(tmp_path / "cache"))
    options = dbom.ScanOptions(profile="sample")
    first, again = tmp_path / "first.json", tmp_path / "again.json"
    dbom.write(dbom.scan([root], options=options), first)
    db = sqlite3.connect(tmp_path / "cache" / f"fingerprints-v{CACHE_FORMAT}.sqlite")
    with db:
        keys = sorted(key for (key,) in db.execute("SELECT key FROM entries WHERE key LIKE 'profile%'"))
        assert len(keys) == 3
        db.execute("UPDATE entries SET value = 'not json' WHERE key = ?", (keys[0],))
        db.execute("UPDATE entries SET value = '{\"format\": 3, \"records\": 1}' WHERE key = ?", (keys[1],))
    db.close()
    later = (root / "c.txt").stat().st_mtime_ns + 10**9
    os.utime(root / "c.txt", ns=(later, later))  # a changed listing: the dataset is looked at shard by shard
    dbom.write(dbom.scan([root], options=options), again)
    assert again.read_bytes() == first.read_bytes()


@pytest.mark.parametrize("mode", ["exact", "sample"])
def test_small_shards_read_whole_are_profiled_together_as_each_alone(tmp_path: Path, tokenizer_file: Path,
                                                                     mode: str) -> None:
    """Small shards whose records `read` parses whole (every record drawn, or a JSON array) are read on threads
    and profiled many at a time (`DatasetProfiler.read_each`); each profile is the one `read` makes of its
    file alone, byte for byte as JSON (its domains in the same order), and a file that cannot be read is its
    own error, in its place."""
    from dbom.profile.dataset_profile import ROWS_TOGETHER_BYTES
    from dbom.profile.tokenizer import TokenCounter

    rng = random.Random(5)
    kinds = [
        lambda i: {"text": " ".join(rng.choices(WORDS, k=rng.randrange(1, 30))),
                   "url": f"https://www.site{rng.randrange(9)}.net/{i}", "date": f"2022-0{1 + i % 9}-0{1 + i % 9}"},
        lambda i: {"url": f"https://x.site{rng.randrange(5)}.net/{i}", "text": "shared domains, other order"},
        lambda i: {"id": i},  # no field the profile reads
        lambda i: {"messages": [{"role": "user", "content": "hola, ¿qué tal? " * (i % 4)}]},
        lambda i: {"text": "text with a date in another form", "date": "05/12/2026"},
        lambda i: [i, "not an object"],
    ]
    settings = ProfileSettings(mode, tokenizer=TokenCounter.from_path(tokenizer_file))
    profiler = DatasetProfiler(settings, FieldSpec(), 4096)  # a small dataset: every record is drawn
    assert profiler.sample.exact
    paths = []
    for n in range(40):
        path = tmp_path / f"s{n:02d}.jsonl"
        make = kinds[n % len(kinds)]
        path.write_text("".join(json.dumps(make(i)) + "\n" for i in range(rng.randrange(0, 12))), encoding="utf-8")
        paths.append(path)
    (tmp_path / "many.jsonl").write_text('{"t":"a"}\n' * 5000, encoding="utf-8")  # two batches, still small
    (tmp_path / "bad.jsonl").write_text('{"text": "fine"}\n{"text": broken\n', encoding="utf-8")
    (tmp_path / "array.json").write_text(json.dumps([{"text": "one of a JSON array"}] * 3), encoding="utf-8")
    (tmp_path / "prose.txt").write_text("plain text lines\nwith words\n", encoding="utf-8")
    (tmp_path / "large.jsonl").write_text("".join(json.dumps(kinds[0](i)) + "\n" for i in range(2000)),
                                          encoding="utf-8")
    assert (tmp_path / "large.jsonl").stat().st_size > ROWS_TOGETHER_BYTES >= (tmp_path / "many.jsonl").stat().st_size
    for name in ("many.jsonl", "bad.jsonl", "array.json", "prose.txt", "large.jsonl"):
        paths.insert(len(paths) // 2, tmp_path / name)
    shards = [_shard(path, profiler)[0] for path in paths]

    def alone(shard: Shard) -> object:
        try:
            return json.dumps(profiler.read(shard, tmp_path / shard.path).to_json())
        except dbom.DbomError as exc:
            return exc.cause

    together = [one.cause if isinstance(one, dbom.DbomError) else json.dumps(one.to_json())
                for one in profiler.read_each([(shard, tmp_path / shard.path) for shard in shards], 2)]
    assert together == [alone(shard) for shard in shards]
    assert sum("cannot read its records" in str(one) for one in together) == 1
    assert sum(len(json.loads(one)["domains"]["domains"]) > 1 for one in together if one.startswith("{")) > 5
