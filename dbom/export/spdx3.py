"""A DBOM as SPDX 3.0.1 JSON-LD: the model an AI package, each dataset a dataset package, each shard a file.

What the DBOM holds is mapped to the SPDX 3.0.1 Core, Software, AI, Dataset and SimpleLicensing
profiles: `trainedOn` relationships from the model to its datasets, `contains` from a dataset to
its shards, `hasDeclaredLicense` to license expressions, `suppliedBy` / `originatedBy` to the
organisations the manifest names, and each shard's SHA-256 as `verifiedUsing`. What the DBOM does
not know is left out; where SPDX asks for a value (a dataset's type), `noAssertion` is written and
a warning says so. Identifiers derive from the DBOM file's digest and its bom-refs: the same DBOM
gives the same document, byte for byte.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import quote

from dbom.cyclonedx.refs import dataset_ref, file_ref, model_ref
from dbom.model import NOASSERTION, Dataset, Dbom
from dbom.util.redact import is_url

CONTEXT = "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"
_CREATION = "_:creationinfo"
_DATASET_TYPES = {"text": "text", "image": "image", "audio": "audio", "video": "video"}
# What the AI and Dataset profiles of SPDX 3.0.1 require of their packages (a DBOM may not know it)
_REQUIRED = {"ai_AIPackage": ("suppliedBy", "software_downloadLocation", "software_packageVersion", "releaseTime"),
             "dataset_DatasetPackage": ("originatedBy", "software_downloadLocation", "builtTime", "releaseTime")}
_PRESENCE = {"yes": "yes", "no": "no"}


def write_spdx3(dbom: Dbom, source: Path, out: BinaryIO, warn: Callable[[str], None]) -> None:
    """Write `dbom` (read from the file `source`) as one SPDX 3.0.1 JSON-LD document to `out`."""
    # the DBOM's serial number is a digest of its bytes (dbom.cyclonedx.writer): the same file, the same ids
    serial = (dbom.serial_number or "").rpartition(":")[2].replace("-", "")
    base = f"https://spdx.org/spdxdocs/dbom-{serial or _file_digest(source)[:32]}"

    def ident(ref: str) -> str:
        return f"{base}#{quote(ref, safe='')}"

    elements: list[str] = []
    unknown: dict[tuple[str, str], list[str]] = {}  # (type, required property): the elements without it
    out.write(f'{{\n  "@context": {json.dumps(CONTEXT)},\n  "@graph": [\n'.encode())
    first = True

    def put(node: dict[str, Any]) -> None:
        nonlocal first
        for field in _REQUIRED.get(node["type"], ()):
            if field not in node:
                unknown.setdefault((node["type"], field), []).append(node["name"])
        out.write((b"" if first else b",\n") + b"    " + json.dumps(node, ensure_ascii=False,
                                                                   separators=(",", ":")).encode())
        first = False
        if "spdxId" in node:
            elements.append(node["spdxId"])

    tool_id, agent_id = ident("tool:dbom"), ident("agent:dbom")
    put({"type": "CreationInfo", "@id": _CREATION, "specVersion": "3.0.1",
         "created": _iso(dbom.timestamp), "createdBy": [agent_id], "createdUsing": [tool_id]})
    put({"type": "Tool", "spdxId": tool_id, "creationInfo": _CREATION,
         "name": f"dbom {dbom.tool_version}" if dbom.tool_version else "dbom"})
    put({"type": "SoftwareAgent", "spdxId": agent_id, "creationInfo": _CREATION, "name": "dbom"})
    organisations: dict[str, str] = {}

    def organisation(name: str) -> str:
        known = organisations.get(name)
        if known is None:
            known = organisations[name] = ident(f"organization:{name}")
            put({"type": "Organization", "spdxId": known, "creationInfo": _CREATION, "name": name})
        return known

    model = dbom.model
    model_id = ident(model_ref(model.name, model.version))
    node: dict[str, Any] = {"type": "ai_AIPackage", "spdxId": model_id, "creationInfo": _CREATION, "name": model.name,
                            "software_primaryPurpose": "model"}
    if model.version:
        node["software_packageVersion"] = model.version
    if model.description:
        node["description"] = model.description
    if model.supplier:
        node["suppliedBy"] = organisation(model.supplier)
    put(node)
    if model.license:
        _license(put, ident, model_id, model.license, "model")
    dataset_ids = []
    trained = {d.name for d in dbom.trained_on}  # the intermediates are in the document, but not trained on
    for dataset in dbom.datasets:
        identifier = _dataset(put, ident, organisation, dataset, warn)
        if dataset.name in trained:
            dataset_ids.append(identifier)
    if dataset_ids:
        put({"type": "Relationship", "spdxId": ident("trainedOn:model"), "creationInfo": _CREATION, "from": model_id,
             "relationshipType": "trainedOn", "to": dataset_ids})
    document = {"type": "SpdxDocument", "spdxId": base, "creationInfo": _CREATION,
                "name": f"Data bill of materials of {model.name}" + (f" {model.version}" if model.version else ""),
                "profileConformance": ["core", "software", "ai", "dataset", "simpleLicensing"],
                "rootElement": [model_id], "element": list(elements)}
    put(document)
    out.write(b"\n  ]\n}\n")
    for (kind, field), names in sorted(unknown.items()):
        warn(f"SPDX's {kind.split('_')[0].replace('ai', 'AI').replace('dataset', 'Dataset')} profile asks for "
             f"{field} of each {kind}; the DBOM does not know it (left out) for: {', '.join(names)}")


def _dataset(put: Callable[[dict[str, Any]], None], ident: Callable[[str], str],
             organisation: Callable[[str], str], ds: Dataset, warn: Callable[[str], None]) -> str:
    facts = ds.facts
    ds_id = ident(dataset_ref(ds.name))
    modality = (facts.get("modality") or "").strip().lower()
    kind = _DATASET_TYPES.get(modality)
    if kind is None:
        warn(f"{ds.name}: SPDX asks for a dataset type, and the DBOM states no modality "
             "(manifest key `modality`): written as noAssertion")
    node: dict[str, Any] = {"type": "dataset_DatasetPackage", "spdxId": ds_id, "creationInfo": _CREATION,
                            "name": ds.name, "software_primaryPurpose": "data",
                            "dataset_datasetType": [kind or "noAssertion"], "dataset_datasetSize": ds.total_bytes}
    if ds.version:
        node["software_packageVersion"] = ds.version
    if ds.description:
        node["description"] = ds.description
    where = ds.location or ds.url
    if where and is_url(where):
        node["software_downloadLocation"] = where
    if ds.homepage and is_url(ds.homepage):
        node["software_homePage"] = ds.homepage
    collected = "; ".join(f"{label}: {facts[key]}" for key, label in (("obtained", "obtained"),
                                                                      ("collection_period", "collected"))
                          if facts.get(key))
    if collected:
        node["dataset_dataCollectionProcess"] = collected
    for key, field, many in (("processing", "dataset_dataPreprocessing", True),
                             ("known_biases", "dataset_knownBias", True),
                             ("sensitive_data", "dataset_anonymizationMethodUsed", True),
                             ("intended_use", "dataset_intendedUse", False)):
        value = facts.get(key)
        if value:
            node[field] = [value] if many else value
    presence = _PRESENCE.get((facts.get("personal_data") or "").split()[0].strip(" -:;,").lower()
                             if facts.get("personal_data") else "")
    if presence:
        node["dataset_hasSensitivePersonalInformation"] = presence
    if facts.get("supplier"):
        node["suppliedBy"] = organisation(facts["supplier"])
        node["originatedBy"] = [node["suppliedBy"]]
    put(node)
    if ds.license.is_known and ds.license.expression != NOASSERTION:
        _license(put, ident, ds_id, ds.license.expression, dataset_ref(ds.name))
    files = []
    for shard in ds.shards:
        file_id = ident(file_ref(ds.name, shard.path))
        entry: dict[str, Any] = {"type": "software_File", "spdxId": file_id, "creationInfo": _CREATION,
                                 "name": shard.path, "software_primaryPurpose": "data"}
        if shard.sha256:
            entry["verifiedUsing"] = [{"type": "Hash", "algorithm": "sha256", "hashValue": shard.sha256}]
        put(entry)
        files.append(file_id)
    if files:
        put({"type": "Relationship", "spdxId": ident(f"contains:{dataset_ref(ds.name)}"), "creationInfo": _CREATION,
             "from": ds_id, "relationshipType": "contains", "to": files})
    if files and not any(s.sha256 for s in ds.shards):
        warn(f"{ds.name}: the DBOM holds no SHA-256 of its shards (scanned with --hash none or blake3): "
             "the files have no verifiedUsing")
    return ds_id


def _license(put: Callable[[dict[str, Any]], None], ident: Callable[[str], str], owner: str, expression: str,
             ref: str) -> None:
    license_id = ident(f"license:{ref}")
    put({"type": "simplelicensing_LicenseExpression", "spdxId": license_id, "creationInfo": _CREATION,
         "simplelicensing_licenseExpression": expression})
    put({"type": "Relationship", "spdxId": ident(f"hasDeclaredLicense:{ref}"), "creationInfo": _CREATION,
         "from": owner, "relationshipType": "hasDeclaredLicense", "to": [license_id]})


def _iso(timestamp: str | None) -> str:
    """SPDX's dateTime (UTC, seconds, `Z`) of the DBOM's timestamp; the epoch when it has none."""
    from datetime import datetime, timezone

    if not timestamp:
        return "1970-01-01T00:00:00Z"
    moment = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()

