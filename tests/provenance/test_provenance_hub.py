"""Hub provenance: datasets read from a Hugging Face cache laid out as huggingface_hub lays it out."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest
from corpora import write_parquet
from helpers import datasets_by_name, load_json, props, run_dbom, shards_of

import dbom
from dbom.manifest import load_manifest
from dbom.model import HubInfo
from dbom.provenance.hub import hub_snapshot

REVISION = "5b2f3c1d9e8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c"
CARD = b"---\nlicense: cc-by-4.0\n---\n# Web text\n\nA cached test dataset.\n"


def git_blob_id(content: bytes) -> str:
    """The id git gives a blob (the name of a non-LFS file in a hub cache's blobs/ folder)."""
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()


def make_hub_cache(cache: Path, repo_id: str = "acme/web-text", repo_type: str = "dataset",
                   revision: str = REVISION) -> Path:
    """A hub cache holding one repository snapshot: two Parquet shards (LFS) and a card; returns the snapshot."""
    repo = cache / f"{repo_type}s--{repo_id.replace('/', '--')}"
    blobs, snapshot = repo / "blobs", repo / "snapshots" / revision
    blobs.mkdir(parents=True)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(revision)  # no newline, as huggingface_hub writes it
    staging = cache.parent / "staging"
    files: dict[str, bytes] = {"README.md": CARD}
    for i, rows in enumerate((40, 25)):
        write_parquet(staging / f"part-{i}.parquet", rows, start=i * 100)
        files[f"data/train-0000{i}-of-00002.parquet"] = (staging / f"part-{i}.parquet").read_bytes()
    shutil.rmtree(staging)
    for path, content in files.items():
        blob = hashlib.sha256(content).hexdigest() if path.endswith(".parquet") else git_blob_id(content)
        (blobs / blob).write_bytes(content)
        link = snapshot / path
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(os.path.relpath(blobs / blob, link.parent))  # relative, as huggingface_hub links them
    return snapshot


@pytest.fixture
def snapshot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "hf-cache"
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return make_hub_cache(cache)


def test_the_layout_is_one_huggingface_hub_itself_reads(snapshot: Path) -> None:
    from huggingface_hub import hf_hub_download, scan_cache_dir

    cache = snapshot.parents[2]
    assert {r.repo_id for r in scan_cache_dir(cache).repos} == {"acme/web-text"}
    found = hf_hub_download("acme/web-text", "README.md", repo_type="dataset", cache_dir=cache,
                            local_files_only=True)
    assert Path(found) == snapshot / "README.md"


def test_scan_of_a_cached_snapshot_names_repo_revision_hub_url_and_purl(snapshot: Path, tmp_path: Path) -> None:
    out = tmp_path / "hub.cdx.json"
    result = run_dbom("scan", "-o", str(out), str(snapshot))
    assert result.returncode == 0, result.stderr
    assert "symlink" not in result.stderr  # the snapshot's links into blobs/ are followed
    assert str(tmp_path) not in out.read_text()
    assert run_dbom("validate", str(out)).returncode == 0
    ds = datasets_by_name(load_json(out))["web-text"]  # a snapshot is named after its repository, not its hash
    url = f"https://huggingface.co/datasets/acme/web-text/tree/{REVISION}"
    assert ds["purl"] == f"pkg:huggingface/acme/web-text@{REVISION}"
    assert ds["version"] == REVISION
    assert {"type": "distribution", "url": url} in ds["externalReferences"]
    repo_at_revision = f"https://huggingface.co/datasets/acme/web-text#{REVISION}"
    assert {"type": "vcs", "url": repo_at_revision} in ds["externalReferences"]
    assert ds["data"][0]["contents"]["url"] == url
    p = props(ds)
    assert (p["dbom:hub:repo"], p["dbom:hub:type"], p["dbom:hub:revision"]) == ("acme/web-text", "dataset", REVISION)
    assert p["dbom:records"] == "65"
    shards = shards_of(ds)
    assert sorted(shards) == ["data/train-00000-of-00002.parquet", "data/train-00001-of-00002.parquet"]
    for shard in shards.values():  # an LFS blob is named by the SHA-256 of its content
        sha256 = next(h["content"] for h in shard["hashes"] if h["alg"] == "SHA-256")
        assert props(shard)["dbom:hub:blob"] == sha256
    card = next(c for c in ds["components"] if c["name"] == "README.md")
    assert props(card)["dbom:hub:blob"] == git_blob_id(CARD)
    assert ds["licenses"][0]["license"]["id"] == "CC-BY-4.0"

    read = dbom.load(out).datasets[0]
    assert read.hub is not None and read.hub.url == url and read.hub.blobs[0][1] == git_blob_id(CARD)


def test_scan_and_init_name_a_snapshot_path_after_its_repository(tmp_path: Path) -> None:
    revision = ("0123456789abcdef" * 3)[:40]
    snapshot = make_hub_cache(tmp_path / "hf-cache", repo_id="acme/tiny-web", revision=revision)
    out = tmp_path / "tiny.cdx.json"
    done = run_dbom("scan", "-o", str(out), str(snapshot))
    assert done.returncode == 0, done.stderr
    assert list(datasets_by_name(load_json(out))) == ["tiny-web"]
    manifest = tmp_path / "project" / "dbom.yaml"
    manifest.parent.mkdir()
    done = run_dbom("init", str(snapshot), "-o", str(manifest))
    assert done.returncode == 0, done.stderr
    assert [d.name for d in load_manifest(manifest).datasets] == ["tiny-web"]
    # a folder inside the snapshot, and a snapshot-looking folder outside a cache, keep their own names
    plain = tmp_path / "plain" / "snapshots" / "abc"
    plain.mkdir(parents=True)
    assert [d.name for d in dbom.scan([snapshot / "data", plain]).datasets] == ["abc", "data"]


def test_a_subfolder_of_a_snapshot_with_the_manifests_facts(snapshot: Path, tmp_path: Path) -> None:
    manifest = tmp_path / "dbom.yaml"
    manifest.write_text(f"model: {{name: m}}\ndatasets:\n  - name: web\n    path: {snapshot / 'data'}\n"
                        "    version: '2024.06'\n")
    model = dbom.scan(manifest=manifest)
    ds = model.datasets[0]
    assert ds.version == "2024.06"  # the manifest's version wins
    assert ds.location == f"https://huggingface.co/datasets/acme/web-text/tree/{REVISION}/data"
    assert ds.hub == HubInfo(repo_id="acme/web-text", revision=REVISION, path="data", blobs=tuple(
        (s.path, s.sha256) for s in ds.shards))  # type: ignore[misc]
    out = tmp_path / "sub.cdx.json"
    dbom.write(model, out, spec_version="1.7")
    assert dbom.load(out) == model


def test_model_repositories_and_paths_outside_a_cache(tmp_path: Path) -> None:
    snap = make_hub_cache(tmp_path / "cache", repo_id="acme/tiny-lm", repo_type="model", revision="c" * 40)
    found = hub_snapshot(snap)
    assert found is not None
    assert found.info.url == f"https://huggingface.co/acme/tiny-lm/tree/{'c' * 40}"
    assert found.info.purl == f"pkg:huggingface/acme/tiny-lm@{'c' * 40}"
    assert hub_snapshot(tmp_path) is None
    plain = tmp_path / "snapshots" / "x"  # a folder merely called snapshots is no cache
    plain.mkdir(parents=True)
    assert hub_snapshot(plain) is None


def test_a_corrupted_cache_entry_gives_a_warning_and_no_hub_provenance(snapshot: Path) -> None:
    (snapshot / "data" / "broken.parquet").symlink_to("../../../blobs/missing")
    warnings: list[str] = []
    assert hub_snapshot(snapshot, warnings.append) is None
    assert warnings == ["the Hugging Face cache entry datasets--acme--web-text is corrupted; no hub provenance"]
