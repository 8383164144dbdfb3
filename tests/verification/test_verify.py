"""`dbom verify`: the data checked against a DBOM, through the real command, on real files."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from corpora import copy_samples, make_corpus, write_jsonl_gz
from helpers import datasets_by_name, load_json, run_dbom, shards_of

EPOCH = {"SOURCE_DATE_EPOCH": "0"}


def _bare_scan(corpus: Path, out: Path) -> None:
    done = run_dbom("scan", str(corpus / "alpha"), str(corpus / "beta"), "-o", str(out), "-q", env=EPOCH)
    assert done.returncode == 0, done.stderr


def _verify(out: Path, *args: str) -> tuple[int, dict, str]:
    done = run_dbom("verify", str(out), *args, "--format", "json")
    return done.returncode, json.loads(done.stdout) if done.stdout else {}, done.stderr


def test_a_bare_scan_verifies_then_names_exactly_the_shard_changed_deleted_and_added(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "corpus")
    out = tmp_path / "dbom.cdx.json"
    _bare_scan(corpus, out)
    roots = ("--root", f"alpha={corpus / 'alpha'}", "--root", f"beta={corpus / 'beta'}")
    shards = sum(len(shards_of(d)) for d in datasets_by_name(load_json(out)).values())
    code, report, err = _verify(out, *roots)
    assert code == 0, err
    assert report["matches"] and report["totals"]["matched"] == shards >= 3 and not report["trusted_cache"]

    changed = corpus / "alpha" / "data" / "part-0.parquet"
    data = bytearray(changed.read_bytes())
    data[len(data) // 2] ^= 0x01  # one byte, the size kept
    changed.write_bytes(bytes(data))
    (corpus / "alpha" / "data" / "part-1.parquet").unlink()
    write_jsonl_gz(corpus / "beta" / "late.jsonl.gz", 4)
    code, report, err = _verify(out, *roots)
    assert code == 1, err
    by_name = {d["name"]: d for d in report["datasets"]}
    assert by_name["alpha"]["missing"] == ["data/part-1.parquet"]
    assert [c["path"] for c in by_name["alpha"]["changed"]] == ["data/part-0.parquet"]
    assert by_name["beta"]["extra"] == ["late.jsonl.gz"]
    assert report["totals"] == {"matched": shards - 2, "missing": 1, "changed": 1, "unreadable": 0, "extra": 1}

    text = run_dbom("verify", str(out), *roots)
    assert text.returncode == 1
    lines = text.stdout.splitlines()
    assert any(line.split()[:2] == ["missing", "data/part-1.parquet"] for line in lines)
    assert any(line.split()[:2] == ["changed", "data/part-0.parquet:"] for line in lines)
    assert any(line.split()[:2] == ["extra", "late.jsonl.gz"] for line in lines)
    assert lines[-1].startswith(f"the data differs from {out}")


def test_a_changed_size_and_an_unreadable_shard_are_told_apart(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "corpus")
    out = tmp_path / "dbom.cdx.json"
    _bare_scan(corpus, out)
    beta = next((corpus / "beta").glob("*.jsonl.gz"))
    with gzip.open(beta, "at") as fh:
        fh.write(json.dumps({"q": "one more"}) + "\n")
    broken = corpus / "alpha" / "data" / "part-1.parquet"
    broken.write_bytes(broken.read_bytes()[:-40])  # its footer cut off
    code, report, _ = _verify(out, "--root", f"alpha={corpus / 'alpha'}", "--root", f"beta={corpus / 'beta'}")
    assert code == 1
    by_name = {d["name"]: d for d in report["datasets"]}
    assert [u["path"] for u in by_name["alpha"]["unreadable"]] == ["data/part-1.parquet"]
    assert by_name["beta"]["changed"][0]["what"].startswith("size ")


def test_the_manifest_says_where_the_datasets_are(tmp_path: Path) -> None:
    samples = copy_samples(tmp_path / "samples")
    out = tmp_path / "dbom.cdx.json"
    done = run_dbom("scan", "-c", str(samples / "dbom.yaml"), "-o", str(out), "-q", env=EPOCH)
    assert done.returncode == 0, done.stderr
    code, report, err = _verify(out, "-c", str(samples / "dbom.yaml"))
    assert code == 0, err
    assert report["totals"]["matched"] > 0 and report["totals"]["missing"] == 0
    trusted = run_dbom("verify", str(out), "-c", str(samples / "dbom.yaml"), "--trust-cache")
    assert trusted.returncode == 0, trusted.stderr
    assert "taken from the cache" in trusted.stdout.splitlines()[-1]


def test_bad_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "corpus")
    out = tmp_path / "dbom.cdx.json"
    _bare_scan(corpus, out)
    for args, says in ((("--root", f"alpha={corpus / 'alpha'}"), "dataset beta: where is it? give --root beta="),
                       (("--root", "gamma=/nowhere"), "the DBOM has no dataset of that name"),
                       (("--root", "alpha"), "write it as NAME=PATH_OR_URL"),
                       (("--root", "alpha=/no/such/folder", "--root", f"beta={corpus}"), "no such file")):
        done = run_dbom("verify", str(out), *args)
        assert done.returncode == 2, (args, done.stderr)
        assert len(done.stderr.splitlines()) == 1 and says in done.stderr, (args, done.stderr)
        assert done.stderr.startswith("dbom: error: ")
    missing = run_dbom("verify", str(tmp_path / "none.json"))
    assert missing.returncode == 2 and "no such file" in missing.stderr
