"""Read a CycloneDX DBOM (as written by `writer`) back into the internal model."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from dbom.cyclonedx import formulation as steps_cdx
from dbom.cyclonedx import properties as P
from dbom.cyclonedx import provenance as prov
from dbom.cyclonedx.license_props import read_license_properties
from dbom.errors import DbomFileError
from dbom.model import HASH_XXH3, NOASSERTION, Column, Dataset, Dbom, DocFile, License, ModelInfo, Shard

# Components of a DBOM that are not datasets (code components, say) are skipped by this reader.


def read_dbom(path: Path) -> Dbom:
    """Load the DBOM at `path`; raise DbomFileError for a file that is not JSON, not CycloneDX or not a DBOM.

    Every command reads a DBOM through here, and it refuses what `dbom validate` refuses (the same
    reading path, dbom.cyclonedx.document, then the schema and the integrity rules): a file that
    does not validate is not read.
    """
    from dbom.cyclonedx.document import NotCycloneDX, read_document
    from dbom.cyclonedx.validate import validate_document

    label = str(path)
    try:
        doc = read_document(path)
    except OSError as exc:
        raise DbomFileError(label, f"cannot read: {exc.strerror or exc}") from None
    except NotCycloneDX as exc:
        raise DbomFileError(label, exc.cause.replace("not JSON:", "not a JSON file:", 1)) from None
    if not isinstance(doc, dict) or doc.get("bomFormat") != "CycloneDX":
        raise DbomFileError(label, "not a CycloneDX document (no \"bomFormat\": \"CycloneDX\")")
    problems = validate_document(doc)
    if problems:
        more = f" (and {len(problems) - 1} more; see `dbom validate`)" if len(problems) > 1 else ""
        raise DbomFileError(label, f"not a valid CycloneDX document: {problems[0]}{more}")
    return dbom_from_document(doc, label)


def dbom_from_document(doc: Any, label: str = "document") -> Dbom:
    """Build the internal model from a parsed CycloneDX JSON document."""
    if not isinstance(doc, dict) or doc.get("bomFormat") != "CycloneDX":
        raise DbomFileError(label, "not a CycloneDX document (no \"bomFormat\": \"CycloneDX\")")
    metadata = doc.get("metadata") or {}
    model = metadata.get("component")
    if not isinstance(model, dict) or model.get("type") != "machine-learning-model":
        raise DbomFileError(label, "not a DBOM: metadata.component is not a machine-learning-model")
    try:
        datasets = tuple(
            _dataset(c) for c in doc.get("components") or [] if isinstance(c, dict) and c.get("type") == "data"
        )
        meta_props = _props(metadata.get("properties"))
        steps, training_code, environment = steps_cdx.read_processing(doc)
        return Dbom(
            model=_model(model),
            datasets=datasets,
            dbom_license=_license(metadata.get("licenses")).expression if metadata.get("licenses") else None,
            timestamp=metadata.get("timestamp"),
            tool_version=_tool_version(metadata),
            hash_algorithms=tuple(meta_props.get(P.HASH_ALGORITHMS, HASH_XXH3).split(",")),
            warnings=tuple(_all_props(metadata.get("properties"), P.WARNING)),
            steps=steps,
            training_code=training_code,
            environment=environment,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise DbomFileError(label, f"malformed DBOM content ({type(exc).__name__}: {exc})") from None


def _props(raw: Any) -> dict[str, str]:
    return {p["name"]: p.get("value", "") for p in raw or []}


def _all_props(raw: Any, name: str) -> list[str]:
    return [p.get("value", "") for p in raw or [] if p.get("name") == name]


def _opt_int(props: Mapping[str, str], name: str) -> int | None:
    return int(props[name]) if name in props else None


def _model(c: dict[str, Any]) -> ModelInfo:
    props = _props(c.get("properties"))
    commercial = props.get(P.MODEL_COMMERCIAL)
    return ModelInfo(
        name=c["name"],
        version=c.get("version"),
        license=_license(c.get("licenses")).expression if c.get("licenses") else None,
        commercial=None if commercial is None else commercial == "true",
        group=c.get("group"),
        supplier=(c.get("supplier") or {}).get("name"),
        description=c.get("description"),
        files=_model_files(c),
    )


def _model_files(c: dict[str, Any]) -> tuple[DocFile, ...]:
    """The weight files nested under the model component (written by `dbom attach`)."""
    files = []
    for sub in c.get("components") or []:
        sub_props = _props(sub.get("properties"))
        if sub.get("type") != "file" or sub_props.get(P.SHARD_ROLE) != "weights":
            continue
        hashes = {h["alg"]: h["content"] for h in sub.get("hashes") or []}
        files.append(DocFile(path=sub["name"], kind="weights", bytes=int(sub_props[P.BYTES]),
                             xxh3_128=sub_props.get(P.HASH_XXH3, ""), sha256=hashes.get("SHA-256")))
    return tuple(files)


def _tool_version(metadata: dict[str, Any]) -> str | None:
    tools = metadata.get("tools") or {}
    for tool in tools.get("components", []) if isinstance(tools, dict) else []:
        if tool.get("name") == "dbom":
            return tool.get("version")
    return None


def _license(raw: Any, props: Mapping[str, str] | None = None) -> License:
    props = props or {}
    source = props.get(P.LICENSE_SOURCE)
    if not raw:
        return License(source=source)
    first = raw[0]
    if "expression" in first:
        return License(expression=first["expression"], name=props.get(P.LICENSE_NAME), source=source,
                       acknowledgement=first.get("acknowledgement", "declared"))
    lic = first["license"]
    return License(
        expression=lic.get("id", NOASSERTION),
        name=lic.get("name") or props.get(P.LICENSE_NAME),
        source=source,
        acknowledgement=lic.get("acknowledgement", "declared"),
        url=lic.get("url"),
    )


def _dataset(c: dict[str, Any]) -> Dataset:
    props = _props(c.get("properties"))
    refs = {r["type"]: r["url"] for r in c.get("externalReferences") or []}
    shards: list[Shard] = []
    docs: list[DocFile] = []
    for sub in c.get("components") or []:
        sub_props = _props(sub.get("properties"))
        role = sub_props.get(P.SHARD_ROLE, "shard")
        hashes = {h["alg"]: h["content"] for h in sub.get("hashes") or []}
        if role == "shard":
            shards.append(_shard(sub["name"], sub_props, hashes))
        else:
            docs.append(DocFile(path=sub["name"], kind=role, bytes=int(sub_props[P.BYTES]),
                                xxh3_128=sub_props.get(P.HASH_XXH3, ""), sha256=hashes.get("SHA-256")))
    digest = next((h["content"] for h in c.get("hashes") or [] if h["alg"] == "SHA-256"), "")
    license_ = _license(c.get("licenses"), props)
    if license_.url is None and "license" in refs:
        license_ = License(license_.expression, license_.name, license_.source, license_.acknowledgement,
                           refs["license"])
    if P.LICENSE_PATH in props:
        license_ = replace(license_, path=props[P.LICENSE_PATH])
    return Dataset(
        name=c["name"],
        shards=tuple(shards),
        docs=tuple(docs),
        version=c.get("version"),
        description=c.get("description"),
        homepage=refs.get("website"),
        location=refs.get("distribution") or props.get(P.LOCATION),
        license=license_,
        facts={k[len(P.FACT_PREFIX):]: v for k, v in props.items() if k.startswith(P.FACT_PREFIX)},
        card_facts=tuple(json.loads(props[P.FACTS_FROM_CARD])) if P.FACTS_FROM_CARD in props else (),
        include=tuple(json.loads(props[P.INCLUDE])) if P.INCLUDE in props else (),
        exclude=tuple(json.loads(props[P.EXCLUDE])) if P.EXCLUDE in props else (),
        digest=digest,
        vcs=prov.read_vcs(props),
        hub=prov.read_hub(props, c),
        ancestors=prov.read_ancestors(c),
        datasets_info=prov.read_datasets_info(props),
        warnings=tuple(_all_props(c.get("properties"), P.WARNING)),
        url=props.get(P.SOURCE_URL),
        hub_ref=props.get(P.HUB_REF),
        **read_license_properties(props),
    )


@lru_cache(maxsize=4096)
def _columns(schema: str) -> tuple[Column, ...]:
    """A `dbom:schema` value as columns; the shards of a dataset mostly share one, parsed and kept once."""
    return tuple(Column(n, t) for n, t in json.loads(schema))


def _shard(name: str, props: Mapping[str, str], hashes: Mapping[str, str]) -> Shard:
    columns = _columns(props[P.SCHEMA]) if P.SCHEMA in props else None
    return Shard(
        path=name,
        bytes=int(props[P.BYTES]),
        format=props[P.FORMAT],
        xxh3_128=props.get(P.HASH_XXH3, ""),
        compression=props.get(P.COMPRESSION),
        sha256=hashes.get("SHA-256"),
        blake3=hashes.get("BLAKE3"),
        records=_opt_int(props, P.RECORDS),
        uncompressed_bytes=_opt_int(props, P.UNCOMPRESSED_BYTES),
        columns=columns,
        error=props.get(P.ERROR),
        records_digest=props.get(P.RECORDS_DIGEST),
        etag=props.get(P.STORE_ETAG),
        version_id=props.get(P.STORE_VERSION_ID),
        hash_source=props.get(P.HASH_SOURCE),
    )
