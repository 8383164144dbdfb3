"""hf:// corpora through huggingface_hub's HfFileSystem, against a loopback stand-in for the Hub (tests/fake_hub.py)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from corpora import copy_samples
from fake_hub import FakeHub, git_blob_id, serve
from helpers import datasets_by_name, load_json, props, run_dbom, shards_of

COMMIT = "3f2a9c1b7d5e4f60718293a4b5c6d7e8f9012345"
TOKEN = "hf_testtokenthatmustneverleak0123"


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[tuple[FakeHub, dict[str, str], Path]]:
    folder = copy_samples(tmp_path / "samples") / "web-text"
    fake = FakeHub(folder=folder, repo_id="acme/web-text", commit=COMMIT, refs={"main": COMMIT, "v1.0": COMMIT})
    with serve(fake) as endpoint:
        env = {"HF_ENDPOINT": endpoint, "HF_TOKEN": TOKEN, "HF_HUB_DISABLE_XET": "1", "HF_HUB_OFFLINE": "0",
               "HF_HUB_DISABLE_TELEMETRY": "1", "SOURCE_DATE_EPOCH": "1767225600"}
        yield fake, env, folder


def test_a_branch_is_pinned_to_its_commit_with_purl_and_lfs_digests(hub: tuple[FakeHub, dict[str, str], Path],
                                                                      tmp_path: Path) -> None:
    fake, env, folder = hub
    out = tmp_path / "out.json"
    done = run_dbom("scan", "hf://datasets/acme/web-text@main", "-o", str(out), env=env)
    assert done.returncode == 0, done.stderr
    dataset = datasets_by_name(load_json(out))["web-text"]
    assert dataset["version"] == COMMIT
    assert dataset["purl"] == f"pkg:huggingface/acme/web-text@{COMMIT}"
    assert dataset["data"][0]["contents"]["url"] == f"https://huggingface.co/datasets/acme/web-text/tree/{COMMIT}"
    dataset_props = props(dataset)
    assert dataset_props["dbom:hub:revision"] == COMMIT and dataset_props["dbom:hub:ref"] == "main"
    assert dataset_props["dbom:source:url"] == "hf://datasets/acme/web-text@main"
    assert dataset["licenses"][0]["license"]["id"] == "CC-BY-4.0"  # from the card read off the Hub
    shards = shards_of(dataset)
    assert len(shards) == 4
    for path, shard in shards.items():
        data = (folder / path).read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        assert shard["hashes"] == [{"alg": "SHA-256", "content": sha}]
        assert props(shard)["dbom:hub:blob"] == sha  # the LFS oid the Hub lists
    readme = next(c for c in dataset["components"] if c["name"] == "README.md")
    assert props(readme)["dbom:hub:blob"] == git_blob_id((folder / "README.md").read_bytes())
    # every read was pinned at the commit, never at the branch
    assert all(f"/resolve/{COMMIT}/" in path for _, path, _ in fake.requests if "/resolve/" in path)
    assert TOKEN not in out.read_text(encoding="utf-8") + done.stderr
    assert run_dbom("validate", str(out)).returncode == 0


def test_trust_store_checksums_takes_the_lfs_sha256(hub: tuple[FakeHub, dict[str, str], Path], tmp_path: Path) -> None:
    _, env, folder = hub
    out = tmp_path / "out.json"
    done = run_dbom("scan", "hf://datasets/acme/web-text", "--trust-store-checksums", "-o", str(out), env=env)
    assert done.returncode == 0, done.stderr
    shards = shards_of(datasets_by_name(load_json(out))["web-text"])
    for path, shard in shards.items():
        shard_props = props(shard)
        assert shard_props["dbom:hash:source"] == "store"
        assert shard["hashes"][0]["content"] == hashlib.sha256((folder / path).read_bytes()).hexdigest()
        assert int(shard_props["dbom:records"]) > 0  # from the footer


def test_a_revision_that_does_not_exist_is_one_line(hub: tuple[FakeHub, dict[str, str], Path],
                                                    tmp_path: Path) -> None:
    _, env, _ = hub
    out = tmp_path / "out.json"
    done = run_dbom("scan", "hf://datasets/acme/web-text@no-such-branch", "-o", str(out), env=env)
    assert done.returncode == 1
    assert done.stderr.startswith("dbom: error: hf://datasets/acme/web-text@no-such-branch: ")
    assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr and TOKEN not in done.stderr
    assert not out.exists()
