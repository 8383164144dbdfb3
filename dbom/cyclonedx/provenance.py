"""Provenance in CycloneDX, both ways: git (vcs references, pedigree commits, `dbom:vcs:*` properties),
the Hugging Face Hub (purl, a vcs reference at the revision, `dbom:hub:*`), `datasets` objects
(`dbom:datasets:*`) and dataset ancestry (`pedigree.ancestors`).

The writer and reader call these small functions so that each provenance fact has its
CycloneDX form defined once, next to its way back.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from dbom.cyclonedx import properties as P
from dbom.model import DatasetsInfo, HubInfo, VcsInfo
from dbom.util.redact import is_url


def _prop(name: str, value: object) -> dict[str, str]:
    return {"name": name, "value": str(value)}


# --- git ---------------------------------------------------------------------------------------------


def vcs_references(vcs: VcsInfo | None) -> list[dict[str, str]]:
    """A `vcs` external reference `<url>#<commit>` when the remote is a real URL (not "local", not none)."""
    if vcs is None or not vcs.url or not is_url(vcs.url):
        return []
    return [{"type": "vcs", "url": f"{vcs.url}#{vcs.commit}"}]


def vcs_commits(vcs: VcsInfo | None) -> list[dict[str, str]]:
    """`pedigree.commits` entries: the commit the path was read at."""
    if vcs is None:
        return []
    commit = {"uid": vcs.commit}
    if vcs.url and is_url(vcs.url):
        commit["url"] = f"{vcs.url}#{vcs.commit}"
    return [commit]


def vcs_properties(vcs: VcsInfo | None) -> list[dict[str, str]]:
    """The `dbom:vcs:*` properties that hold every VcsInfo field."""
    if vcs is None:
        return []
    props = [_prop(P.VCS_COMMIT, vcs.commit)]
    if vcs.url:
        props.append(_prop(P.VCS_URL, vcs.url))
    if vcs.ref:
        props.append(_prop(P.VCS_REF, vcs.ref))
    props.append(_prop(P.VCS_DIRTY, "true" if vcs.dirty else "false"))
    if vcs.diff_digest:
        props.append(_prop(P.VCS_DIFF_DIGEST, vcs.diff_digest))
    if vcs.path:
        props.append(_prop(P.VCS_PATH, vcs.path))
    if vcs.last_commit:
        props.append(_prop(P.VCS_LAST_COMMIT, vcs.last_commit))
    return props


def read_vcs(props: Mapping[str, str]) -> VcsInfo | None:
    """The VcsInfo that `vcs_properties` wrote, or None."""
    if P.VCS_COMMIT not in props:
        return None
    return VcsInfo(
        commit=props[P.VCS_COMMIT],
        url=props.get(P.VCS_URL),
        ref=props.get(P.VCS_REF),
        dirty=props.get(P.VCS_DIRTY) == "true",
        diff_digest=props.get(P.VCS_DIFF_DIGEST),
        path=props.get(P.VCS_PATH, ""),
        last_commit=props.get(P.VCS_LAST_COMMIT),
    )


def pedigree(commits: list[dict[str, str]], ancestors: list[dict[str, Any]] | None = None) -> dict[str, Any] | None:
    """A `pedigree` object, or None when there is nothing to say."""
    out: dict[str, Any] = {}
    if ancestors:
        out["ancestors"] = ancestors
    if commits:
        out["commits"] = commits
    return out or None


# --- Hugging Face Hub --------------------------------------------------------------------------------


def hub_references(hub: HubInfo | None) -> list[dict[str, str]]:
    """The hub repository as a `vcs` reference at the revision (a hub repository is a git repository)."""
    if hub is None:
        return []
    prefix = {"dataset": "datasets/", "space": "spaces/"}.get(hub.repo_type, "")
    return [{"type": "vcs", "url": f"https://huggingface.co/{prefix}{hub.repo_id}#{hub.revision}"}]


def hub_properties(hub: HubInfo | None) -> list[dict[str, str]]:
    """The `dbom:hub:*` properties of a dataset (the per-file blobs go on the file components)."""
    if hub is None:
        return []
    props = [_prop(P.HUB_REPO, hub.repo_id), _prop(P.HUB_TYPE, hub.repo_type), _prop(P.HUB_REVISION, hub.revision)]
    if hub.path:
        props.append(_prop(P.HUB_PATH, hub.path))
    return props


def with_blob(component: dict[str, Any], blob: str | None) -> dict[str, Any]:
    """A file component with its hub blob property appended, when it has one."""
    if blob:
        component["properties"].append(_prop(P.HUB_BLOB, blob))
    return component


def read_hub(props: Mapping[str, str], component: Mapping[str, Any],
             streamed_blobs: Iterable[tuple[str, str]] = ()) -> HubInfo | None:
    """The HubInfo that `hub_properties` and `with_blob` wrote on a dataset component, or None.

    `streamed_blobs`: the (name, blob) of the file components the reader streamed out of `component`.
    """
    if P.HUB_REPO not in props:
        return None
    blobs = list(streamed_blobs)
    for sub in component.get("components") or []:
        for prop in sub.get("properties") or []:
            if prop.get("name") == P.HUB_BLOB:
                blobs.append((sub["name"], prop.get("value", "")))
    return HubInfo(repo_id=props[P.HUB_REPO], revision=props[P.HUB_REVISION],
                   repo_type=props.get(P.HUB_TYPE, "dataset"), path=props.get(P.HUB_PATH, ""),
                   blobs=tuple(sorted(blobs)))


def read_ancestors(component: Mapping[str, Any]) -> tuple[str, ...]:
    """The names of a dataset's `pedigree.ancestors`."""
    return tuple(a["name"] for a in (component.get("pedigree") or {}).get("ancestors") or [])


# --- `datasets` objects ------------------------------------------------------------------------------


def datasets_info_properties(info: DatasetsInfo | None) -> list[dict[str, str]]:
    """The `dbom:datasets:*` properties of a dataset recorded from a `datasets` object."""
    if info is None:
        return []
    props = [_prop(P.DATASETS_TYPE, info.kind)]
    for name, value in ((P.DATASETS_BUILDER, info.builder), (P.DATASETS_CONFIG, info.config),
                        (P.DATASETS_VERSION, info.version), (P.DATASETS_REVISION, info.revision)):
        if value:
            props.append(_prop(name, value))
    if info.fingerprints:
        props.append(_prop(P.DATASETS_FINGERPRINT, json.dumps(dict(info.fingerprints), ensure_ascii=False)))
    if info.splits:
        props.append(_prop(P.DATASETS_SPLITS, json.dumps([list(s) for s in info.splits], ensure_ascii=False)))
    if info.features:
        props.append(_prop(P.DATASETS_FEATURES, info.features))
    if info.citation:
        props.append(_prop(P.DATASETS_CITATION, info.citation))
    return props


def read_datasets_info(props: Mapping[str, str]) -> DatasetsInfo | None:
    """The DatasetsInfo that `datasets_info_properties` wrote, or None."""
    if P.DATASETS_TYPE not in props:
        return None
    fingerprints = json.loads(props[P.DATASETS_FINGERPRINT]) if P.DATASETS_FINGERPRINT in props else {}
    splits = json.loads(props[P.DATASETS_SPLITS]) if P.DATASETS_SPLITS in props else []
    return DatasetsInfo(
        kind=props[P.DATASETS_TYPE],
        builder=props.get(P.DATASETS_BUILDER),
        config=props.get(P.DATASETS_CONFIG),
        version=props.get(P.DATASETS_VERSION),
        revision=props.get(P.DATASETS_REVISION),
        fingerprints=tuple((str(k), str(v)) for k, v in fingerprints.items()),
        splits=tuple((str(n), e, b) for n, e, b in splits),
        features=props.get(P.DATASETS_FEATURES),
        citation=props.get(P.DATASETS_CITATION),
    )
