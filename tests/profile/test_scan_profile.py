"""`dbom scan --profile`: the content profile computed from real records, written, read back, cached."""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from helpers import datasets_by_name, load_json, props, run_dbom

import dbom
from dbom.profile.dataset_profile import sample_rate
from dbom.profile.sampling import SAMPLE_BYTES

pytest.importorskip("pycld2", reason="the profile extra: pip install -e '.[profile]'")

EPOCH = {"SOURCE_DATE_EPOCH": "0"}
ENGLISH = [
    "the", "quick", "brown", "fox", "jumps", "over", "the", "lazy", "dog", "while", "the", "river", "flows",
    "past", "the", "old", "mill",
]
FRENCH = [
    "le", "renard", "brun", "rapide", "saute", "par", "dessus", "le", "chien", "paresseux", "pendant", "que",
    "la", "riviere", "coule",
]
SITES = ("https://news.example.com/a/", "https://blog.example.org/b/", "http://www.example.co.uk/c/")


def _web(folder: Path, records: int = 300) -> list[dict[str, str]]:
    rng = random.Random(7)
    rows = [{"text": " ".join(rng.choice(FRENCH if i % 3 == 0 else ENGLISH) for _ in range(40)),
             "url": f"{SITES[i % 3]}{i}", "created": f"2024-0{1 + i % 9}-01"} for i in range(records)]
    folder.mkdir(parents=True)
    (folder / "part-0.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows[:records // 2]))
    (folder / "part-1.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows[records // 2:]))
    return rows


def _word_tokenizer(texts: list[str]) -> Any:
    """A word-level tokenizer trained on `texts` (whitespace-split): its token count is the word count."""
    import tokenizers

    tokenizer = tokenizers.Tokenizer(tokenizers.models.WordLevel(unk_token="[UNK]"))
    tokenizer.pre_tokenizer = tokenizers.pre_tokenizers.Whitespace()
    tokenizer.train_from_iterator(texts, tokenizers.trainers.WordLevelTrainer(special_tokens=["[UNK]"]))
    return tokenizer


def _profile(out: Path, name: str) -> dict[str, str]:
    return {k: v for k, v in props(datasets_by_name(load_json(out))[name]).items() if k.startswith("dbom:profile:")}


def test_an_exact_profile_of_json_lines_counts_what_the_records_hold(tmp_path: Path) -> None:
    rows = _web(tmp_path / "web")
    out = tmp_path / "dbom.cdx.json"
    done = run_dbom("scan", str(tmp_path / "web"), "-o", str(out), "-q", "--profile", "exact", env=EPOCH)
    assert done.returncode == 0, done.stderr
    found = _profile(out, "web")
    assert found["dbom:profile:mode"] == "exact"
    assert int(found["dbom:profile:sampled-records"]) == len(rows)
    assert int(found["dbom:profile:characters"]) == sum(len(r["text"]) for r in rows)
    assert int(found["dbom:profile:words"]) == sum(len(r["text"].split()) for r in rows)
    languages = {entry["language"]: entry["share"] for entry in json.loads(found["dbom:profile:languages"])}
    assert languages["en"] > languages["fr"] > 0.2
    assert found["dbom:profile:url-field"] == "url"
    assert found["dbom:profile:domains-distinct"] == "3"  # example.com, example.org, example.co.uk
    assert json.loads(found["dbom:profile:period"]) == {"first": "2024-01-01", "last": "2024-09-01"}
    assert "dbom:profile:tokens" not in found  # no tokenizer, no token count
    assert run_dbom("validate", str(out)).returncode == 0
    # read back as written, and a rescan (its lines copied from the cache) writes the same bytes
    assert dict(dbom.load(out).datasets[0].profile) == found
    again = tmp_path / "again.json"
    assert run_dbom("scan", str(tmp_path / "web"), "-o", str(again), "-q", "--profile", "exact",
                    env=EPOCH).returncode == 0
    assert again.read_bytes() == out.read_bytes()
    # and with --profile off, no profile (not the one kept with the lines)
    off = tmp_path / "off.json"
    assert run_dbom("scan", str(tmp_path / "web"), "-o", str(off), "-q", "--profile", "off",
                    env=EPOCH).returncode == 0
    assert _profile(off, "web") == {}
    # without --profile, the default: a sample (here every record: the data is within the budget)
    default = tmp_path / "default.json"
    assert run_dbom("scan", str(tmp_path / "web"), "-o", str(default), "-q", env=EPOCH).returncode == 0
    assert {k: v for k, v in _profile(default, "web").items() if k != "dbom:profile:mode"} == {
        k: v for k, v in found.items() if k != "dbom:profile:mode"}


def test_tokens_are_counted_with_the_tokenizer_given_and_it_is_named(tmp_path: Path) -> None:
    rows = _web(tmp_path / "web", 60)
    tokenizer = _word_tokenizer([r["text"] for r in rows])
    model = tmp_path / "tiny-lm"
    model.mkdir()
    tokenizer.save(str(model / "tokenizer.json"))
    out = tmp_path / "dbom.cdx.json"
    done = run_dbom("scan", str(tmp_path / "web"), "-o", str(out), "-q", "--profile", "exact",
                    "--tokenizer", str(model), env=EPOCH)
    assert done.returncode == 0, done.stderr
    found = _profile(out, "web")
    assert int(found["dbom:profile:tokens"]) == sum(len(r["text"].split()) for r in rows)  # one token a word
    assert json.loads(found["dbom:profile:tokenizer"]) == {
        "name": "tiny-lm", "sha256": hashlib.sha256((model / "tokenizer.json").read_bytes()).hexdigest()}
    wrong = run_dbom("scan", str(tmp_path / "web"), "-o", str(out), "--tokenizer", str(model), "--profile", "off")
    assert wrong.returncode == 2 and "--profile" in wrong.stderr
    implied = run_dbom("scan", str(tmp_path / "web"), "-o", str(out), "-q", "--tokenizer", str(model), env=EPOCH)
    assert implied.returncode == 0, implied.stderr  # a tokenizer alone: the default sample counts its tokens
    assert int(_profile(out, "web")["dbom:profile:tokens"]) == sum(len(r["text"].split()) for r in rows)
    missing = run_dbom("scan", str(tmp_path / "web"), "-o", str(tmp_path / "x.json"), "--profile", "exact",
                       "--tokenizer", str(tmp_path / "nowhere.json"))
    assert missing.returncode == 1 and missing.stderr.startswith("dbom: error: ")
    assert len(missing.stderr.splitlines()) == 1 and not (tmp_path / "x.json").exists()


def test_a_parquet_text_column_is_profiled(tmp_path: Path) -> None:
    texts = [" ".join(ENGLISH[(i + j) % len(ENGLISH)] for j in range(25)) for i in range(200)]
    folder = tmp_path / "books"
    folder.mkdir()
    pq.write_table(pa.table({"id": list(range(200)), "content": texts}), folder / "train.parquet", row_group_size=64)
    out = tmp_path / "dbom.cdx.json"
    done = run_dbom("scan", str(folder), "-o", str(out), "-q", "--profile", "sample", env=EPOCH)
    assert done.returncode == 0, done.stderr
    found = _profile(out, "books")
    assert found["dbom:profile:mode"] == "exact"  # under the sample budget: every record
    assert int(found["dbom:profile:characters"]) == sum(len(t) for t in texts)
    assert json.loads(found["dbom:profile:languages"])[0]["language"] == "en"
    assert "dbom:profile:url-field" not in found


def test_the_sampling_rate_is_a_power_of_two_within_the_budget() -> None:
    assert sample_rate(SAMPLE_BYTES, "sample") == 1.0
    assert sample_rate(10 * SAMPLE_BYTES, "exact") == 1.0
    rate = sample_rate(10 * SAMPLE_BYTES, "sample")
    assert rate == 1 / 16 and rate * 10 * SAMPLE_BYTES <= SAMPLE_BYTES < 2 * rate * 10 * SAMPLE_BYTES
    assert sample_rate(10 * SAMPLE_BYTES + 1, "sample") == rate  # a little more data keeps the rate (and the cache)


def test_the_manifest_names_the_fields_the_tokenizer_and_sme(tmp_path: Path) -> None:
    rows = [{"body": " ".join(ENGLISH[(i + j) % len(ENGLISH)] for j in range(20)),
             "meta": {"link": f"https://www.site{i % 40}.net/p/{i}"}} for i in range(400)]
    folder = tmp_path / "crawl"
    folder.mkdir()
    (folder / "part.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    tokenizer = _word_tokenizer([r["body"] for r in rows])
    (tmp_path / "tok").mkdir()
    tokenizer.save(str(tmp_path / "tok" / "tokenizer.json"))
    outs = {}
    for sme in ("false", "true"):
        manifest = tmp_path / f"dbom-{sme}.yaml"
        manifest.write_text(f"model: {{name: m, tokenizer: tok, sme: {sme}}}\n"
                            "datasets:\n  - {name: crawl, path: crawl, text_field: body, url_field: meta.link}\n")
        out = tmp_path / f"sme-{sme}.json"
        done = run_dbom("scan", "-c", str(manifest), "-o", str(out), "-q", "--profile", "exact", env=EPOCH)
        assert done.returncode == 0, done.stderr
        outs[sme] = _profile(out, "crawl")
    found = outs["false"]
    assert int(found["dbom:profile:words"]) == int(found["dbom:profile:tokens"]) == 20 * len(rows)
    assert json.loads(found["dbom:profile:tokenizer"])["name"] == "tok"
    assert found["dbom:profile:url-field"] == "meta.link" and found["dbom:profile:domains-distinct"] == "40"
    assert len(json.loads(found["dbom:profile:domains"])) == 4  # the top 10% of 40
    assert len(json.loads(outs["true"]["dbom:profile:domains"])) == 2  # an SME: the top 5%


def test_the_recorder_profiles_with_a_tokenizer_object(tmp_path: Path) -> None:
    rows = _web(tmp_path / "web", 30)
    tokenizer = _word_tokenizer([r["text"] for r in rows])
    out = tmp_path / "dbom.cdx.json"
    with dbom.Recorder(model="m", output=out, environment=False, tokenizer=tokenizer) as rec:
        rec.add_dataset(tmp_path / "web")
    found = _profile(out, "web")
    assert found["dbom:profile:mode"] == "exact"
    assert int(found["dbom:profile:tokens"]) == sum(len(r["text"].split()) for r in rows)
    assert json.loads(found["dbom:profile:tokenizer"]) == {
        "name": "tokenizer", "sha256": hashlib.sha256(tokenizer.to_str().encode()).hexdigest()}
    with pytest.raises(dbom.DbomError, match="cannot count tokens with a dict"):
        dbom.Recorder(output=None, profile="exact", tokenizer={"not": "a tokenizer"}).add_dataset(tmp_path / "web")


def test_a_transformers_fast_tokenizer_counts_too(tmp_path: Path) -> None:
    transformers = pytest.importorskip("transformers")
    rows = _web(tmp_path / "web", 30)
    backend = _word_tokenizer([r["text"] for r in rows])
    fast = transformers.PreTrainedTokenizerFast(tokenizer_object=backend, name_or_path="org/tiny-lm")
    out = tmp_path / "dbom.cdx.json"
    with dbom.Recorder(model="m", output=out, environment=False, profile="sample", tokenizer=fast) as rec:
        rec.add_dataset(tmp_path / "web")
    found = _profile(out, "web")
    assert int(found["dbom:profile:tokens"]) == sum(len(r["text"].split()) for r in rows)
    assert json.loads(found["dbom:profile:tokenizer"])["name"] == "tiny-lm"


def test_kept_lines_of_another_profile_format_are_not_reused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dbom.fingerprint.cache import default_cache_dir
    from dbom.profile import accumulator
    from dbom.scanning.cache import SnapshotShards

    _web(tmp_path / "web", 40)
    options = dbom.ScanOptions(profile="exact")

    def scan_and_write() -> Any:
        scanned = dbom.scan([tmp_path / "web"], options=options)
        dbom.write(scanned, tmp_path / "out.json", memo_dir=default_cache_dir())  # keeps the lines, as the CLI
        return scanned.datasets[0]

    scan_and_write()
    assert isinstance(scan_and_write().shards, SnapshotShards)  # unchanged: copied from the kept lines
    monkeypatch.setattr(accumulator, "PROFILE_FORMAT", accumulator.PROFILE_FORMAT + 1)
    again = scan_and_write()
    assert not isinstance(again.shards, SnapshotShards) and dict(again.profile)["dbom:profile:mode"] == "exact"
