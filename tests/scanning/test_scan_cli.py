"""`dbom scan` end to end: real corpora, the real command, the written document checked."""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest
from corpora import write_parquet
from helpers import datasets_by_name, load_json, props, run_dbom, shards_of


def _scan(corpus: Path, out: Path, *extra: str, env: dict[str, str] | None = None) -> None:
    result = run_dbom("scan", str(corpus / "alpha"), str(corpus / "beta"), "-o", str(out), *extra, env=env)
    assert result.returncode == 0, result.stderr


def test_scan_records_every_shard_with_true_digests_and_counts(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "dbom.cdx.json"
    _scan(corpus, out)
    doc = load_json(out)
    assert doc["bomFormat"] == "CycloneDX" and doc["specVersion"] == "1.6"
    datasets = datasets_by_name(doc)
    assert sorted(datasets) == ["alpha", "beta"]

    alpha = shards_of(datasets["alpha"])
    assert sorted(alpha) == ["data/part-0.parquet", "data/part-1.parquet"]
    part0 = alpha["data/part-0.parquet"]
    expected_sha = hashlib.sha256((corpus / "alpha/data/part-0.parquet").read_bytes()).hexdigest()
    assert part0["hashes"] == [{"alg": "SHA-256", "content": expected_sha}]
    assert props(part0)["dbom:records"] == "120"
    assert props(part0)["dbom:format"] == "parquet"
    assert json.loads(props(part0)["dbom:schema"]) == [["id", "int64"], ["text", "string"]]
    assert props(datasets["alpha"])["dbom:records"] == "200"
    assert props(datasets["alpha"])["dbom:shards"] == "2"

    beta = shards_of(datasets["beta"])
    b1 = props(beta["beta-1.jsonl.gz"])
    assert b1["dbom:records"] == "45"
    assert b1["dbom:compression"] == "gzip"
    assert int(b1["dbom:uncompressed-bytes"]) > int(b1["dbom:bytes"])

    # The model references each dataset, in its model card and in dependencies.
    model = doc["metadata"]["component"]
    assert model["type"] == "machine-learning-model"
    refs = [d["ref"] for d in model["modelCard"]["modelParameters"]["datasets"]]
    assert refs == [datasets["alpha"]["bom-ref"], datasets["beta"]["bom-ref"]]
    deps = {d["ref"]: d["dependsOn"] for d in doc["dependencies"]}
    assert deps[model["bom-ref"]] == refs

    # Cards and license files are recorded as what they are, not as shards.
    roles = {c["name"]: props(c)["dbom:role"] for c in datasets["alpha"]["components"]}
    assert roles["README.md"] == "card" and roles["LICENSE"] == "license"
    assert datasets["alpha"]["licenses"][0]["license"]["id"] == "CC-BY-4.0"

    check = run_dbom("validate", str(out))
    assert check.returncode == 0, check.stderr


def test_dataset_digest_changes_iff_content_or_path_changes(corpus: Path, tmp_path: Path) -> None:
    def digest() -> str:
        out = tmp_path / "d.json"
        _scan(corpus, out, "--hash", "none")
        return datasets_by_name(load_json(out))["alpha"]["hashes"][0]["content"]

    first = digest()
    os.utime(corpus / "alpha/data/part-0.parquet", (1, 1))  # metadata only: same digest
    assert digest() == first
    (corpus / "alpha/data/part-0.parquet").rename(corpus / "alpha/data/part-9.parquet")
    renamed = digest()
    assert renamed != first
    write_parquet(corpus / "alpha/data/part-9.parquet", 121)
    assert digest() not in (first, renamed)


def test_output_is_byte_identical_with_pinned_time(corpus: Path, tmp_path: Path) -> None:
    env = {"SOURCE_DATE_EPOCH": "0"}
    a, b, c = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "c.json"
    _scan(corpus, a, "--no-cache", env=env)
    _scan(corpus, b, env=env)  # fills the cache
    _scan(corpus, c, env=env)  # served from the cache
    assert a.read_bytes() == b.read_bytes() == c.read_bytes()
    doc = load_json(a)
    assert doc["metadata"]["timestamp"] == "1970-01-01T00:00:00Z"
    assert doc["serialNumber"].startswith("urn:uuid:") and "0000-0000-0000" not in doc["serialNumber"]


def test_spec_version_17_validates(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "d17.json"
    _scan(corpus, out, "--spec-version", "1.7")
    assert load_json(out)["specVersion"] == "1.7"
    assert run_dbom("validate", str(out)).returncode == 0


def test_hash_options(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "h.json"
    _scan(corpus, out, "--hash", "none")
    shard = shards_of(datasets_by_name(load_json(out))["alpha"])["data/part-0.parquet"]
    assert "hashes" not in shard
    assert len(props(shard)["dbom:hash:xxh3-128"]) == 32
    _scan(corpus, out, "--hash", "blake3", "--hash", "sha256")
    shard = shards_of(datasets_by_name(load_json(out))["alpha"])["data/part-0.parquet"]
    assert [h["alg"] for h in shard["hashes"]] == ["SHA-256", "BLAKE3"]
    from blake3 import blake3

    assert shard["hashes"][1]["content"] == blake3((corpus / "alpha/data/part-0.parquet").read_bytes()).hexdigest()


def test_dbom_leaks_no_local_paths_or_user(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "dbom.cdx.json"
    _scan(corpus, out)
    text = out.read_text()
    assert str(tmp_path) not in text
    assert str(Path.home()) not in text
    assert f"/{getpass.getuser()}/" not in text


def test_walk_skips_vcs_escaping_symlinks_and_special_files(corpus: Path, tmp_path: Path) -> None:
    alpha = corpus / "alpha"
    (alpha / ".git").mkdir()
    write_parquet(alpha / ".git" / "hidden.parquet", 5)
    outside = tmp_path / "outside.parquet"
    write_parquet(outside, 7)
    (alpha / "escape.parquet").symlink_to(outside)
    (alpha / "inside-link.parquet").symlink_to(alpha / "data" / "part-0.parquet")
    os.mkfifo(alpha / "pipe.jsonl")
    out = tmp_path / "w.json"
    result = run_dbom("scan", str(alpha), "-o", str(out))
    assert result.returncode == 0, result.stderr
    names = set(shards_of(datasets_by_name(load_json(out))["alpha"]))
    assert names == {"data/part-0.parquet", "data/part-1.parquet", "inside-link.parquet"}
    assert "escape.parquet: skipped symlink pointing outside" in result.stderr
    assert "pipe.jsonl: skipped special file" in result.stderr


def test_include_and_exclude_globs(corpus: Path, tmp_path: Path) -> None:
    write_parquet(corpus / "alpha" / "extra" / "x.parquet", 3)
    manifest = corpus / "dbom.yaml"
    manifest.write_text(
        "model: {name: m}\n"
        "datasets:\n"
        "  - name: alpha\n    path: alpha/\n    include: ['**/*.parquet']\n    exclude: ['extra/']\n"
    )
    out = tmp_path / "g.json"
    result = run_dbom("scan", "-c", str(manifest), "-o", str(out))
    assert result.returncode == 0, result.stderr
    names = set(shards_of(datasets_by_name(load_json(out))["alpha"]))
    assert names == {"data/part-0.parquet", "data/part-1.parquet"}


def test_manifest_and_paths_add_up(corpus: Path, tmp_path: Path) -> None:
    manifest = corpus / "dbom.yaml"
    manifest.write_text(
        "model: {name: tiny, version: '2', license: Apache-2.0, commercial: true}\n"
        "dbom: {license: CC-BY-4.0}\n"
        "datasets:\n  - name: first\n    path: alpha/\n    osaid_class: public\n"
        "    location: https://user:s3cret@example.org/alpha?token=abc&rev=1\nsteps: []\n"
    )
    out = tmp_path / "m.json"
    result = run_dbom("scan", "-c", str(manifest), str(corpus / "beta"), "-o", str(out))
    assert result.returncode == 0, result.stderr
    doc = load_json(out)
    assert sorted(datasets_by_name(doc)) == ["beta", "first"]
    first = datasets_by_name(doc)["first"]
    assert props(first)["dbom:fact:osaid_class"] == "public"
    assert first["externalReferences"][0] == {"type": "distribution", "url": "https://example.org/alpha?rev=1"}
    assert "s3cret" not in out.read_text() and "token=abc" not in out.read_text()
    assert doc["metadata"]["component"]["name"] == "tiny"
    assert doc["metadata"]["licenses"] == [{"license": {"id": "CC-BY-4.0", "acknowledgement": "declared"}}]


def test_manifest_unknown_key_names_key_and_line(corpus: Path, tmp_path: Path) -> None:
    manifest = corpus / "dbom.yaml"
    manifest.write_text("model: {name: m}\ndatasets:\n  - name: a\n    path: alpha/\n    licence: MIT\n")
    out = tmp_path / "x.json"
    result = run_dbom("scan", "-c", str(manifest), "-o", str(out))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "dbom.yaml: line 5: unknown key 'licence'" in lines[0]
    assert not out.exists()


def _assert_one_line_error(result: object, *needles: str) -> None:
    assert result.returncode == 1, result.stderr  # type: ignore[attr-defined]
    lines = result.stderr.strip().splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 1, result.stderr  # type: ignore[attr-defined]
    assert "Traceback" not in lines[0]
    for needle in needles:
        assert needle in lines[0], lines[0]


@pytest.mark.parametrize(
    ("name", "breaker", "cause"),
    [
        ("bad.parquet", lambda p: p.write_bytes(p.read_bytes()[:-12] + b"\x00" * 8 + b"PAR1"), "Parquet"),
        ("bad.jsonl.gz", lambda p: p.write_bytes(p.read_bytes()[:-20]), "gzip"),
        ("bad.jsonl", lambda p: p.write_bytes(b'{"a": 1}\n{"a": \xff\xfe}\n'), "UTF-8"),
        ("bad2.jsonl", lambda p: p.write_bytes(b'{"a": 1}\n{"a": 2,,}\n'), "JSON"),
    ],
)
def test_bad_shard_gives_one_line_error_and_no_output(corpus: Path, tmp_path: Path, name: str, breaker: object,
                                                      cause: str) -> None:
    target = corpus / "alpha" / name
    if name.endswith(".parquet"):
        write_parquet(target, 10)
    else:
        shutil.copy(corpus / "beta" / "beta-0.jsonl.gz", target)
    breaker(target)  # type: ignore[operator]
    out = tmp_path / "out.json"
    result = run_dbom("scan", str(corpus / "alpha"), "-o", str(out))
    _assert_one_line_error(result, name, cause)
    assert not out.exists()
    assert not list(tmp_path.glob(".out.json.*")), "temporary file left behind"

    # An existing DBOM is left as it was.
    out.write_text("previous")
    run_dbom("scan", str(corpus / "alpha"), "-o", str(out))
    assert out.read_text() == "previous"

    # --keep-going records the broken shard and succeeds.
    kept = run_dbom("scan", str(corpus / "alpha"), "-o", str(out), "--keep-going")
    assert kept.returncode == 0, kept.stderr
    assert "warning" in kept.stderr
    shard = shards_of(datasets_by_name(load_json(out))["alpha"])[name]
    assert cause in props(shard)["dbom:error"]


def test_missing_path_is_one_line_error(tmp_path: Path) -> None:
    out = tmp_path / "o.json"
    result = run_dbom("scan", str(tmp_path / "nope"), "-o", str(out))
    _assert_one_line_error(result, "nope", "no such file or directory")
    assert not out.exists()


# Root reads any file; without these two capabilities it obeys file permissions like anyone.
_DROP_READ_OVERRIDE = ("setpriv", "--inh-caps=-dac_override,-dac_read_search",
                       "--bounding-set=-dac_override,-dac_read_search")


def test_unreadable_file_is_one_line_error(corpus: Path, tmp_path: Path) -> None:
    secret = corpus / "alpha" / "data" / "secret.parquet"
    write_parquet(secret, 4)
    os.chmod(secret, 0o000)
    out = tmp_path / "out.json"
    prefix = _DROP_READ_OVERRIDE if os.geteuid() == 0 else ()
    result = run_dbom("scan", str(corpus / "alpha"), "-o", str(out), "--no-cache", prefix=prefix)
    _assert_one_line_error(result, "secret.parquet", "Permission denied")
    assert not out.exists()


def test_large_row_shards_are_parsed_in_worker_processes(tmp_path: Path) -> None:
    from dbom.fingerprint.inspect_pool import PROCESS_MIN_BYTES

    data = tmp_path / "big"
    data.mkdir()
    line = json.dumps({"text": "x" * 200}) + "\n"
    rows = PROCESS_MIN_BYTES // len(line) + 10
    for name in ("a.jsonl", "b.jsonl"):
        (data / name).write_text(line * rows)
    out = tmp_path / "big.json"
    result = run_dbom("scan", str(data), "-o", str(out), "--no-cache", "-j", "2")
    assert result.returncode == 0, result.stderr
    shards = shards_of(datasets_by_name(load_json(out))["big"])
    assert {n: props(s)["dbom:records"] for n, s in shards.items()} == {"a.jsonl": str(rows), "b.jsonl": str(rows)}

    # An error raised in a worker process comes back as the same one-line error.
    with open(data / "b.jsonl", "a") as fh:
        fh.write('{"text": broken\n')
    result = run_dbom("scan", str(data), "-o", str(out), "--no-cache", "-j", "2")
    _assert_one_line_error(result, "b.jsonl", f"invalid JSON on line {rows + 1}")
