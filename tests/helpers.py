"""Running the real `dbom` command and reading what it wrote."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any


def run_dbom(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
             prefix: tuple[str, ...] = (), **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """Run `python -m dbom ARGS` (after the command `prefix`, if any) and capture its output."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run([*prefix, sys.executable, "-m", "dbom", *args], cwd=cwd, env=full_env, capture_output=True,
                          text=True, timeout=300, check=False, **kwargs)


def load_json(path: Path) -> dict[str, Any]:
    """Parse a JSON file."""
    return json.loads(path.read_text(encoding="utf-8"))


def props(component: dict[str, Any]) -> dict[str, str]:
    """A component's properties as a dict."""
    return {p["name"]: p["value"] for p in component.get("properties", [])}


def datasets_by_name(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The data components of a document, by name."""
    return {c["name"]: c for c in doc["components"] if c["type"] == "data"}


def shards_of(dataset: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The shard components nested under a dataset component, by path."""
    return {c["name"]: c for c in dataset.get("components", []) if props(c).get("dbom:role") == "shard"}


# Where the Hugging Face libraries (and anything else following XDG) keep their caches, lock files and tokens,
# relative to a test's own cache home. Environment variables reach subprocesses and a library imported later;
# a library already imported read them once, so its module-level settings are set too.
CACHE_ENV = {
    "XDG_CACHE_HOME": "", "HF_HOME": "huggingface", "HF_DATASETS_CACHE": "huggingface/datasets",
    "HF_HUB_CACHE": "huggingface/hub", "HF_ASSETS_CACHE": "huggingface/assets", "HF_XET_CACHE": "huggingface/xet",
    "HF_MODULES_CACHE": "huggingface/modules",
}


GIT_TEST_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "t@example.org",
    "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "t@example.org", "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
}


def git(cwd: Path, *args: str) -> str:
    """Run the real `git` in `cwd` (no user or system configuration) and return its stdout, stripped."""
    env = {**os.environ, **GIT_TEST_ENV}
    done = subprocess.run(["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args], cwd=cwd,
                          env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {done.stderr}")
    return done.stdout.strip()


def commit_all(repo: Path, message: str = "commit") -> str:
    """`git add -A && git commit` in `repo`; returns the new commit id."""
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def init_repo(repo: Path, remote: str | None = None) -> Path:
    """A new git repository at `repo` (created if needed) on branch main, with `origin` = `remote` if given."""
    repo.mkdir(parents=True, exist_ok=True)
    git(repo, "init", "-q")
    if remote:
        git(repo, "remote", "add", "origin", remote)
    return repo


def sample_manifest(folder: Path, edit: Any = None, samples: Path | None = None) -> Path:
    """sample_datasets/dbom.yaml written into `folder` with absolute dataset paths, after `edit(doc)` if given.

    `edit` receives the parsed YAML (a dict) and may change it in place: drop a key, change a class.
    `samples` is where the dataset folders are (default: the committed ones, which sit in git; pass a
    copy made by corpora.copy_samples for data without VCS provenance).
    """
    import yaml

    committed = Path(__file__).resolve().parent.parent / "sample_datasets"
    doc = yaml.safe_load((committed / "dbom.yaml").read_text(encoding="utf-8"))
    samples = samples or committed
    for entry in doc.get("datasets") or []:
        entry["path"] = str((samples / entry["path"]).resolve())
    if edit is not None:
        edit(doc)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "dbom.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def scan_to_file(manifest: Path, out: Path, profile: str = "off") -> Path:
    """Scan the datasets of `manifest` in-process (no fingerprint cache) and write the DBOM to `out`."""
    import dbom
    from dbom.scanning.scanner import ScanOptions

    dbom.write(dbom.scan(manifest=manifest, options=ScanOptions(use_cache=False, profile=profile)), out)
    return out
