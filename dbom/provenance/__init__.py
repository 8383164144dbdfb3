"""Provenance the tool reads by itself: git working trees, Hugging Face Hub caches, processing steps.

`dataset_provenance` is the scanner's one call per dataset root: it says where the root comes
from before the walk (so that a hub snapshot's symlinks into its blob store are followed) and
completes the scanned Dataset afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from dbom.model import Dataset, HubInfo, VcsInfo


@dataclass(frozen=True)
class DatasetProvenance:
    """What is known about a dataset root's origin before its files are read."""

    vcs: VcsInfo | None = None
    hub: HubInfo | None = None
    link_roots: tuple[Path, ...] = ()  # folders outside the root that its symlinks may point into

    def apply(self, dataset: Dataset) -> Dataset:
        """`dataset` with its provenance filled in.

        A hub snapshot also gives the dataset its version (the revision) and where to obtain it
        (the Hub URL pinned at the revision) unless the manifest stated them; its blobs are
        kept for the files the dataset lists.
        """
        if self.hub is None:
            return replace(dataset, vcs=self.vcs)
        listed = {f.path for f in dataset.shards} | {d.path for d in dataset.docs}
        hub = replace(self.hub, blobs=tuple(b for b in self.hub.blobs if b[0] in listed))
        return replace(dataset, vcs=self.vcs, hub=hub, version=dataset.version or hub.revision,
                       location=dataset.location or hub.url)


def dataset_provenance(root: Path, warn: Callable[[str], None]) -> DatasetProvenance:
    """Read the provenance of a dataset root: the hub snapshot it is in, else its git repository, if any."""
    from dbom.provenance.git import vcs_info
    from dbom.provenance.hub import hub_snapshot

    snapshot = hub_snapshot(root, warn)
    if snapshot is not None:
        return DatasetProvenance(hub=snapshot.info, link_roots=(snapshot.cache_dir,))
    return DatasetProvenance(vcs=vcs_info(root))
