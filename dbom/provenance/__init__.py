"""Provenance the tool reads by itself: git working trees, Hugging Face Hub caches, processing steps.

`dataset_provenance` is the scanner's one call per dataset root: it says where the root comes
from before the walk (so that a hub snapshot's symlinks into its blob store are followed) and
completes the scanned Dataset afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from dbom.model import Dataset, VcsInfo


@dataclass(frozen=True)
class DatasetProvenance:
    """What is known about a dataset root's origin before its files are read."""

    vcs: VcsInfo | None = None
    link_roots: tuple[Path, ...] = ()  # folders outside the root that its symlinks may point into

    def apply(self, dataset: Dataset) -> Dataset:
        """`dataset` with its provenance filled in."""
        return replace(dataset, vcs=self.vcs)


def dataset_provenance(root: Path, warn: Callable[[str], None]) -> DatasetProvenance:
    """Read the provenance of a dataset root: its git repository, if any."""
    from dbom.provenance.git import vcs_info

    return DatasetProvenance(vcs=vcs_info(root))
