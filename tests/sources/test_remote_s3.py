"""Remote corpora on a real S3 API: moto's server on 127.0.0.1, read through the real s3fs and boto3 clients."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from corpora import copy_samples
from helpers import datasets_by_name, load_json, props, run_dbom, shards_of

boto3 = pytest.importorskip("boto3", reason="the s3 extra: pip install -e '.[s3]'")
moto_server = pytest.importorskip("moto.server", reason="the test extra's moto[server]")

ACCESS_KEY = "AKIAIOSFODNN7TESTKEY"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYTESTSECRET"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """A moto S3 server on loopback, for this module's tests."""
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_env(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The standard AWS environment pointing at the loopback server (what a user's shell would hold)."""
    env = {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY, "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_ENDPOINT_URL": s3_endpoint, "SOURCE_DATE_EPOCH": "1767225600"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    return env


def _client() -> Any:
    return boto3.client("s3")


def _upload(folder: Path, bucket: str, prefix: str, checksum: bool = False, versioned: bool = False) -> None:
    client = _client()
    client.create_bucket(Bucket=bucket)
    if versioned:
        client.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            extra = {"ChecksumAlgorithm": "SHA256"} if checksum else {}
            client.put_object(Bucket=bucket, Key=f"{prefix}/{path.relative_to(folder).as_posix()}",
                              Body=path.read_bytes(), **extra)


def _leaks(text: str, endpoint: str) -> list[str]:
    return [secret for secret in (ACCESS_KEY, SECRET_KEY, endpoint, "127.0.0.1") if secret in text]


def test_s3_corpus_matches_its_local_copy_shard_by_shard(tmp_path: Path, s3_env: dict[str, str]) -> None:
    samples = copy_samples(tmp_path / "samples")
    _upload(samples / "web-text", "lab-data", "web-text")
    _upload(samples / "forum-qa", "lab-data", "corpora/forum-qa")
    remote_out, local_out = tmp_path / "remote.json", tmp_path / "local.json"
    remote = run_dbom("scan", "s3://lab-data/web-text/", "s3://lab-data/corpora/forum-qa", "-o", str(remote_out),
                      env=s3_env)
    assert remote.returncode == 0, remote.stderr
    local = run_dbom("scan", str(samples / "web-text"), str(samples / "forum-qa"), "-o", str(local_out), env=s3_env)
    assert local.returncode == 0, local.stderr

    remote_sets, local_sets = datasets_by_name(load_json(remote_out)), datasets_by_name(load_json(local_out))
    assert set(remote_sets) == set(local_sets) == {"web-text", "forum-qa"}
    for name in remote_sets:
        remote_shards, local_shards = shards_of(remote_sets[name]), shards_of(local_sets[name])
        assert set(remote_shards) == set(local_shards) and remote_shards
        for path, shard in remote_shards.items():
            expected = hashlib.sha256((samples / name / path).read_bytes()).hexdigest()
            assert shard["hashes"] == local_shards[path]["hashes"] == [{"alg": "SHA-256", "content": expected}]
            remote_props, local_props = props(shard), props(local_shards[path])
            for key in ("dbom:records", "dbom:schema", "dbom:hash:xxh3-128", "dbom:bytes", "dbom:format"):
                assert remote_props.get(key) == local_props.get(key), (name, path, key)
            assert remote_props["dbom:hash:source"] == "computed" and remote_props["dbom:store:etag"]
        dataset_props = props(remote_sets[name])
        assert dataset_props["dbom:records"] == props(local_sets[name])["dbom:records"]
        assert dataset_props["dbom:license:class"] == props(local_sets[name])["dbom:license:class"]
    assert props(remote_sets["web-text"])["dbom:source:url"] == "s3://lab-data/web-text/"
    assert remote_sets["forum-qa"]["data"][0]["contents"]["url"] == "s3://lab-data/corpora/forum-qa"
    written = remote_out.read_text(encoding="utf-8")
    assert _leaks(written + remote.stderr, s3_env["AWS_ENDPOINT_URL"]) == []
    assert run_dbom("validate", str(remote_out)).returncode == 0


def _large_parquet(folder: Path, files: int, rows: int) -> Path:
    """Parquet shards of incompressible text, a few MiB each, so that a footer is a small part of a file."""
    import random

    import pyarrow as pa
    import pyarrow.parquet as pq

    generator = random.Random(7)
    for index in range(files):
        texts = [generator.randbytes(48).hex() for _ in range(rows)]
        table = pa.table({"id": list(range(index * rows, (index + 1) * rows)), "text": texts})
        (folder / "data").mkdir(parents=True, exist_ok=True)
        pq.write_table(table, folder / "data" / f"part-{index}.parquet", row_group_size=rows // 4)
    (folder / "README.md").write_text("---\nlicense: cc0-1.0\n---\n# Large\n")
    (folder / "notes.jsonl").write_text('{"a": 1}\n{"a": 2}\n')
    return folder


def test_trust_store_checksums_reads_only_parquet_footers(tmp_path: Path, s3_env: dict[str, str]) -> None:
    corpus = _large_parquet(tmp_path / "web-text", files=3, rows=20_000)
    _upload(corpus, "trusted", "web-text", checksum=True, versioned=True)
    out = tmp_path / "out.json"
    done = run_dbom("scan", "s3://trusted/web-text", "--trust-store-checksums", "-o", str(out), env=s3_env)
    assert done.returncode == 0, done.stderr
    dataset = datasets_by_name(load_json(out))["web-text"]
    parquet = {p: s for p, s in shards_of(dataset).items() if p.endswith(".parquet")}
    assert parquet
    for path, shard in parquet.items():
        shard_props = props(shard)
        assert shard_props["dbom:hash:source"] == "store"
        assert "dbom:hash:xxh3-128" not in shard_props
        assert shard_props["dbom:store:version-id"]
        expected = hashlib.sha256((corpus / path).read_bytes()).hexdigest()
        assert shard["hashes"] == [{"alg": "SHA-256", "content": expected}]
        assert shard_props["dbom:records"] == "20000" and shard_props["dbom:schema"]
    uncounted = props(shards_of(dataset)["notes.jsonl"])
    assert uncounted["dbom:hash:source"] == "store" and "dbom:records" not in uncounted
    assert "dbom: warning: web-text: 1 shard not counted: with --trust-store-checksums" in done.stderr
    # the summary says how few bytes were fetched: the footers, not the shards
    total = sum(int(props(s)["dbom:bytes"]) for s in parquet.values())
    fetched = _bytes_read(done.stderr)
    assert fetched < total / 10, (fetched, total)


def _bytes_read(summary: str) -> float:
    import re

    match = re.search(r"read \d+ files? \(([\d.]+) (B|KiB|MiB)", summary)
    assert match, summary
    return float(match[1]) * {"B": 1, "KiB": 1024, "MiB": 1 << 20}[match[2]]


def test_a_rescan_of_an_unchanged_bucket_reads_nothing(tmp_path: Path, s3_env: dict[str, str]) -> None:
    samples = copy_samples(tmp_path / "samples")
    _upload(samples / "forum-qa", "again", "forum-qa")
    out1, out2 = tmp_path / "1.json", tmp_path / "2.json"
    first = run_dbom("scan", "s3://again/forum-qa", "-o", str(out1), env=s3_env)
    second = run_dbom("scan", "s3://again/forum-qa", "-o", str(out2), env=s3_env)
    assert first.returncode == 0 and second.returncode == 0, second.stderr
    assert "3 from cache" in second.stderr.splitlines()[-1]
    assert out1.read_bytes() == out2.read_bytes()


@pytest.mark.parametrize(("url", "cause"), [
    ("s3://no-such-bucket/data", "no such bucket, repository, revision or object"),
    ("s3://lab-empty/missing-prefix", "no such bucket, repository, revision or object"),
])
def test_missing_bucket_or_prefix_is_one_line(tmp_path: Path, s3_env: dict[str, str], url: str, cause: str) -> None:
    _client().create_bucket(Bucket="lab-empty")
    out = tmp_path / "out.json"
    done = run_dbom("scan", url, "-o", str(out), env=s3_env)
    assert done.returncode == 1
    assert done.stderr == f"dbom: error: {url}: {cause}\n"
    assert not out.exists() and not list(tmp_path.glob("*.tmp"))


def test_bad_credentials_are_one_line_without_the_secret(tmp_path: Path, s3_env: dict[str, str]) -> None:
    _upload(copy_samples(tmp_path / "samples") / "recipes", "locked", "recipes")
    env = {**s3_env, "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
           "AWS_CONFIG_FILE": os.devnull, "AWS_EC2_METADATA_DISABLED": "true"}
    done = run_dbom("scan", "s3://locked/recipes", "-o", str(tmp_path / "out.json"), env=env)
    assert done.returncode == 1
    assert done.stderr.startswith("dbom: error: s3://locked/recipes: ") and len(done.stderr.splitlines()) == 1
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert _leaks(done.stderr, s3_env["AWS_ENDPOINT_URL"]) == []


def test_a_manifest_path_may_be_a_url(tmp_path: Path, s3_env: dict[str, str]) -> None:
    samples = copy_samples(tmp_path / "samples")
    _upload(samples / "recipes", "manifested", "recipes")
    manifest = tmp_path / "dbom.yaml"
    manifest.write_text("model: {name: m}\ndatasets:\n  - name: cooking\n    path: s3://manifested/recipes\n"
                        "    location: https://example.org/recipes\n")
    out = tmp_path / "out.json"
    done = run_dbom("scan", "-c", str(manifest), "-o", str(out), env=s3_env)
    assert done.returncode == 0, done.stderr
    dataset = datasets_by_name(load_json(out))["cooking"]
    assert props(dataset)["dbom:source:url"] == "s3://manifested/recipes"
    assert dataset["data"][0]["contents"]["url"] == "https://example.org/recipes"
    assert set(shards_of(dataset)) == {"recipes-part1.csv", "recipes-part2.csv"}


def _scan_in_process(url: str, after_listing: Any, monkeypatch: pytest.MonkeyPatch, **options: Any) -> Any:
    """dbom.scan of `url`, calling `after_listing()` between the listing and the reads (the race, made certain)."""
    import dbom
    from dbom.scanning import remote

    listed = remote.list_objects

    def list_then_act(*args: Any, **kwargs: Any) -> Any:
        objects = listed(*args, **kwargs)
        after_listing()
        return objects

    monkeypatch.setattr(remote, "list_objects", list_then_act)
    return dbom.scan([url], options=dbom.ScanOptions(use_cache=False, **options))


def test_an_object_replaced_after_listing_is_a_change_not_a_digest(tmp_path: Path, s3_env: dict[str, str],
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from dbom.errors import DbomError

    samples = copy_samples(tmp_path / "samples")
    _upload(samples / "recipes", "racy", "recipes")
    path = samples / "recipes" / "recipes-part1.csv"
    changed = path.read_bytes().replace(b"a", b"b", 1)  # same size, other content

    def replace_it() -> None:
        _client().put_object(Bucket="racy", Key="recipes/recipes-part1.csv", Body=changed)

    with pytest.raises(DbomError, match=r"s3://racy/recipes/recipes-part1\.csv: changed while it was read"):
        _scan_in_process("s3://racy/recipes", replace_it, monkeypatch)


def test_an_object_deleted_after_listing_is_one_error_or_recorded(tmp_path: Path, s3_env: dict[str, str],
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from dbom.errors import DbomError

    samples = copy_samples(tmp_path / "samples")
    _upload(samples / "forum-qa", "gone", "forum-qa")

    def delete_it() -> None:
        _client().delete_object(Bucket="gone", Key="forum-qa/forum-qa-00001.jsonl.gz")

    with pytest.raises(DbomError, match=r"s3://gone/forum-qa/forum-qa-00001\.jsonl\.gz: no such"):
        _scan_in_process("s3://gone/forum-qa", delete_it, monkeypatch)
    _client().put_object(Bucket="gone", Key="forum-qa/forum-qa-00001.jsonl.gz",
                         Body=(samples / "forum-qa" / "forum-qa-00001.jsonl.gz").read_bytes())
    model = _scan_in_process("s3://gone/forum-qa", delete_it, monkeypatch, keep_going=True)
    broken = {s.path: s.error for s in model.datasets[0].shards if s.error}
    assert broken == {"forum-qa-00001.jsonl.gz": "no such bucket, repository, revision or object"}


def test_a_corrupt_remote_shard_is_recorded_under_keep_going(tmp_path: Path, s3_env: dict[str, str]) -> None:
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "good.jsonl").write_text('{"a": 1}\n')
    (folder / "bad.parquet").write_bytes(b"PAR1 this is not parquet")
    _upload(folder, "corrupt", "broken")
    stopped = run_dbom("scan", "s3://corrupt/broken", "-o", str(tmp_path / "a.json"), env=s3_env)
    assert stopped.returncode == 1
    assert stopped.stderr.startswith("dbom: error: s3://corrupt/broken/bad.parquet: ")
    assert str(tmp_path) not in stopped.stderr and "dbom-remote-" not in stopped.stderr
    kept = run_dbom("scan", "s3://corrupt/broken", "-o", str(tmp_path / "b.json"), "--keep-going", env=s3_env)
    assert kept.returncode == 0, kept.stderr
    shard = shards_of(datasets_by_name(load_json(tmp_path / "b.json"))["broken"])["bad.parquet"]
    assert props(shard)["dbom:error"] and "dbom-remote-" not in props(shard)["dbom:error"]


def test_per_record_licenses_of_a_remote_shard(tmp_path: Path, s3_env: dict[str, str]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = tmp_path / "mixed"
    folder.mkdir()
    table = pa.table({"text": ["a", "bb", "ccc", "dddd"], "license": ["cc-by-4.0", "cc-by-nc-4.0", "cc-by-4.0", "mit"]})
    pq.write_table(table, folder / "part-0.parquet")
    _upload(folder, "licensed", "mixed")
    remote_out, local_out = tmp_path / "remote.json", tmp_path / "local.json"
    assert run_dbom("scan", "s3://licensed/mixed", "-o", str(remote_out), env=s3_env).returncode == 0
    assert run_dbom("scan", str(folder), "-o", str(local_out), env=s3_env).returncode == 0
    remote = props(datasets_by_name(load_json(remote_out))["mixed"])["dbom:license:records"]
    local = props(datasets_by_name(load_json(local_out))["mixed"])["dbom:license:records"]
    assert remote == local and "CC-BY-NC-4.0" in remote


def test_a_trusted_rescan_diffs_as_no_change(tmp_path: Path, s3_env: dict[str, str]) -> None:
    corpus = _large_parquet(tmp_path / "corpus", files=2, rows=2_000)
    (corpus / "notes.jsonl").unlink()  # Parquet only: --trust-store-checksums counts it from the footers
    _upload(corpus, "likewise", "corpus", checksum=True)
    computed, trusted = tmp_path / "computed.json", tmp_path / "trusted.json"
    # without the content profile, which a trusted scan leaves out (it reads no record)
    assert run_dbom("scan", "s3://likewise/corpus", "-o", str(computed), "--no-cache", "--profile", "off",
                    env=s3_env).returncode == 0
    assert run_dbom("scan", "s3://likewise/corpus", "-o", str(trusted), "--no-cache", "--trust-store-checksums",
                    "--profile", "off", env=s3_env).returncode == 0
    assert computed.read_bytes() != trusted.read_bytes()  # XXH3 in one, not in the other
    done = run_dbom("diff", str(computed), str(trusted))
    assert done.returncode == 0, done.stdout
    assert "No differences." in done.stdout


def test_the_content_profile_of_an_s3_corpus_equals_its_local_copys(tmp_path: Path, s3_env: dict[str, str]) -> None:
    samples = copy_samples(tmp_path / "samples")
    _upload(samples / "web-text", "lab-data", "web-text")
    remote_out, local_out = tmp_path / "remote.json", tmp_path / "local.json"
    remote = run_dbom("scan", "s3://lab-data/web-text/", "--profile", "exact", "-o", str(remote_out), env=s3_env)
    assert remote.returncode == 0, remote.stderr
    local = run_dbom("scan", str(samples / "web-text"), "--profile", "exact", "-o", str(local_out), env=s3_env)
    assert local.returncode == 0, local.stderr
    profiles = [{k: v for k, v in props(datasets_by_name(load_json(out))["web-text"]).items()
                 if k.startswith("dbom:profile:")} for out in (remote_out, local_out)]
    assert profiles[0] == profiles[1] and profiles[0]["dbom:profile:mode"] == "exact"
    assert int(profiles[0]["dbom:profile:words"]) > 0
    # a rescan takes the shards and their profiles from the cache: the same DBOM, no object read again
    again = tmp_path / "again.json"
    rescan = run_dbom("scan", "s3://lab-data/web-text/", "--profile", "exact", "-o", str(again), env=s3_env)
    assert rescan.returncode == 0, rescan.stderr
    assert again.read_bytes() == remote_out.read_bytes()
    assert "read 2 files" in rescan.stderr  # the card and the license file: the documents are read every time
