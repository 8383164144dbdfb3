"""Hugging Face Hub provenance of a dataset root inside a local hub cache.

`huggingface_hub` lays out its cache as `<cache>/datasets--ORG--NAME/snapshots/<commit>/...`,
every file a symlink into the repository's `blobs/` folder. This module only finds which
folder would be the cache (the one above the `snapshots` folder's repository); the repository
id, its type, the revision and each file's blob come from `huggingface_hub.scan_cache_dir`,
the library's own reader of that layout.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dbom.model import HubInfo


@dataclass(frozen=True)
class HubSnapshot:
    """A dataset root found in a hub cache: its provenance and the cache folder its symlinks point into."""

    info: HubInfo
    cache_dir: Path


def _candidate(root: Path) -> tuple[Path, Path] | None:
    """(cache folder, snapshot folder) when `root` lies below some `<repo>/snapshots/<revision>/`."""
    for folder in (root, *root.parents):
        if folder.parent.name == "snapshots" and "--" in folder.parent.parent.name:
            return folder.parent.parent.parent, folder
    return None


_REPO_FOLDER_PREFIXES = ("datasets--", "models--", "spaces--")


def snapshot_repo_name(folder: Path) -> str | None:
    """The repository's name (`tiny-web` for `acme/tiny-web`) when `folder` is a hub cache snapshot, else None.

    A snapshot folder is named after its commit, which says nothing to a reader; its repository
    folder (`datasets--acme--tiny-web`, as huggingface_hub names it) gives the name. Only the
    layout is read, not the cache: naming a path must stay cheap.
    """
    snapshots = folder.parent
    repo_folder = snapshots.parent.name
    if snapshots.name != "snapshots" or not repo_folder.startswith(_REPO_FOLDER_PREFIXES):
        return None
    name = repo_folder.rpartition("--")[2]  # `--` cannot occur in a repository id's parts
    return name or None


def hub_snapshot(root: Path, warn: Callable[[str], None] = lambda message: None) -> HubSnapshot | None:
    """The hub provenance of the dataset root `root`, or None when it is not inside a hub cache snapshot.

    `warn` hears about a cache that `huggingface_hub` reports as corrupted for this repository.
    """
    # a folder resolves to itself in the snapshot; a file root would resolve to its blob, so only its folder is
    real = Path(os.path.realpath(root)) if root.is_dir() else Path(os.path.realpath(root.parent)) / root.name
    found = _candidate(real)
    if found is None:
        return None
    cache_dir, snapshot = found
    from huggingface_hub import scan_cache_dir

    try:
        cache = scan_cache_dir(cache_dir)
    except (OSError, ValueError) as exc:  # CacheNotFound is an OSError
        warn(f"not read as a Hugging Face cache ({type(exc).__name__})")
        return None
    for repo in cache.repos:
        for revision in repo.revisions:
            if Path(revision.snapshot_path) != snapshot:
                continue
            rel = real.relative_to(snapshot).as_posix()
            blobs = []
            for cached in revision.files:
                try:
                    inside = Path(cached.file_path).relative_to(real).as_posix()
                except ValueError:
                    continue  # a file of the snapshot outside this dataset root
                blobs.append((inside if real.is_dir() else real.name, Path(cached.blob_path).name))
            return HubSnapshot(
                info=HubInfo(repo_id=repo.repo_id, revision=revision.commit_hash, repo_type=repo.repo_type,
                             path="" if rel == "." else rel, blobs=tuple(sorted(blobs))),
                cache_dir=cache_dir,
            )
    if any(snapshot.parent.parent.name in str(w) for w in cache.warnings):
        warn(f"the Hugging Face cache entry {snapshot.parent.parent.name} is corrupted; no hub provenance")
    return None
