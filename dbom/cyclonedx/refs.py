"""Stable bom-refs, derived from names and paths only, so the same corpus gives the same refs."""

from __future__ import annotations


def model_ref(name: str, version: str | None) -> str:
    """The bom-ref of the model under training."""
    return f"model:{name}@{version}" if version else f"model:{name}"


def dataset_ref(name: str) -> str:
    """The bom-ref of a dataset component."""
    return f"data:{name}"


def file_ref(dataset: str, path: str) -> str:
    """The bom-ref of a file (shard, card, license...) nested under its dataset."""
    return f"file:{dataset}/{path}"


def model_file_ref(name: str, version: str | None, path: str) -> str:
    """The bom-ref of a weight file nested under the model (`dbom attach`)."""
    return f"{model_ref(name, version)}/{path}"
