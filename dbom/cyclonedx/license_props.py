"""The `dbom:license:*` properties of a dataset beyond its CycloneDX `licenses`: where each license
statement came from, the code's license, the per-record distribution and the license classes."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from dbom.cyclonedx import properties as P
from dbom.model import NOASSERTION, Dataset, License, LicenseShare


def _statement(lic: License) -> dict[str, str]:
    out = {"license": lic.expression if lic.expression != NOASSERTION else (lic.name or NOASSERTION)}
    if lic.source:
        out["source"] = lic.source
    if lic.path:
        out["path"] = lic.path
    return out


def _from_statement(raw: Mapping[str, str]) -> License:
    return License(expression=raw["license"], source=raw.get("source"), acknowledgement="declared",
                   path=raw.get("path"))


def license_properties(ds: Dataset) -> list[dict[str, str]]:
    """The dataset's extra license properties (see dbom.cyclonedx.properties for their meaning)."""
    from dbom.licensing.classes import headline, license_classes

    compact = {"separators": (",", ":"), "ensure_ascii": False}
    props: list[dict[str, str]] = []
    if ds.license.path:
        props.append({"name": P.LICENSE_PATH, "value": ds.license.path})
    classes = license_classes(ds.license)
    props.append({"name": P.LICENSE_CLASS, "value": headline(classes)})
    props.append({"name": P.LICENSE_CLASSES, "value": ",".join(sorted(classes))})
    if ds.license_evidence:
        props.append({"name": P.LICENSE_EVIDENCE,
                      "value": json.dumps([_statement(e) for e in ds.license_evidence], **compact)})
    if ds.code_license is not None:
        props.append({"name": P.LICENSE_CODE, "value": json.dumps(_statement(ds.code_license), **compact)})
    if ds.record_licenses:
        props.append({"name": P.LICENSE_RECORDS,
                      "value": json.dumps([[s.license, s.records, s.bytes] for s in ds.record_licenses], **compact)})
    return props


def read_license_properties(props: Mapping[str, str]) -> dict[str, Any]:
    """The Dataset fields the extra license properties hold: code_license, license_evidence, record_licenses."""
    fields: dict[str, Any] = {}
    if P.LICENSE_EVIDENCE in props:
        fields["license_evidence"] = tuple(_from_statement(e) for e in json.loads(props[P.LICENSE_EVIDENCE]))
    if P.LICENSE_CODE in props:
        fields["code_license"] = _from_statement(json.loads(props[P.LICENSE_CODE]))
    if P.LICENSE_RECORDS in props:
        fields["record_licenses"] = tuple(LicenseShare(lic, int(r), int(b))
                                          for lic, r, b in json.loads(props[P.LICENSE_RECORDS]))
    return fields
