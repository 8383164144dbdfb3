"""A dataset of a DBOM as Croissant 1.1 JSON-LD (MLCommons), the metadata format the Hugging Face Hub serves.

Each shard is a `cr:FileObject` with its SHA-256, size and media type; the shards of one format are
also a `cr:FileSet` (their paths as `includes`), the source of one `cr:RecordSet` whose fields are
the columns the DBOM recorded for them (`dbom:schema`), typed from their Arrow types. The dataset's
name, description, license, version, citation and URL, and the Responsible-AI fields the manifest
states (collection, preprocessing, annotation, biases, limitations, personal information) are
carried over. A file's `contentUrl` is its path relative to where the dataset's files are (the root
given with `--root NAME=PATH`, relative to the Croissant file) or, for a remote dataset, its URL.
(mlcroissant reads a local file set's files from below the Croissant file's folder only.)
Nothing is invented: Croissant requires a SHA-256 (or MD5) of each file, so a shard without one
is left out of the distribution, with a warning.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

from dbom.model import NOASSERTION, Dataset, Shard
from dbom.util.redact import is_url

CONFORMS_TO = "http://mlcommons.org/croissant/1.1"
CONTEXT: dict[str, Any] = {
    "@language": "en", "@vocab": "https://schema.org/", "citeAs": "cr:citeAs", "column": "cr:column",
    "conformsTo": "dct:conformsTo", "cr": "http://mlcommons.org/croissant/", "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"}, "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/", "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract", "field": "cr:field", "fileProperty": "cr:fileProperty", "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet", "format": "cr:format", "includes": "cr:includes", "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath", "key": "cr:key", "md5": "cr:md5", "parentField": "cr:parentField", "path": "cr:path",
    "recordSet": "cr:recordSet", "references": "cr:references", "regex": "cr:regex", "repeated": "cr:repeated",
    "replace": "cr:replace", "samplingRate": "cr:samplingRate", "sc": "https://schema.org/",
    "separator": "cr:separator", "source": "cr:source", "subField": "cr:subField", "transform": "cr:transform",
    "equivalentProperty": "cr:equivalentProperty",
}
# The media types Croissant readers know a format by
_ENCODING = {"parquet": "application/x-parquet", "jsonl": "application/jsonlines", "json": "application/json",
             "csv": "text/csv", "tsv": "text/tab-separated-values", "text": "text/plain",
             "arrow": "application/vnd.apache.arrow.file"}
# Facts of the manifest and the Croissant RAI property each fills
_RAI = (("obtained", "rai:dataCollection"), ("collection_period", "rai:dataCollectionTimeframe"),
        ("processing", "rai:dataPreprocessingProtocol"), ("labeling", "rai:dataAnnotationProtocol"),
        ("known_biases", "rai:dataBiases"), ("personal_data", "rai:personalSensitiveInformation"),
        ("intended_use", "rai:dataUseCases"))


def croissant(ds: Dataset, files_at: str | None, warn: Callable[[str], None]) -> dict[str, Any]:
    """The Croissant JSON-LD of `ds`; `files_at` is where its files are, as a path relative to the Croissant
    file (or a URL), None when not known (then the shards' paths are written as they are)."""
    doc: dict[str, Any] = {"@context": CONTEXT, "@type": "sc:Dataset", "conformsTo": CONFORMS_TO, "name": ds.name}
    doc["description"] = ds.description or f"{ds.name}: {ds.summary.shards} files, {ds.total_bytes} bytes"
    if ds.license.is_known:
        expression = ds.license.expression
        doc["license"] = (f"https://spdx.org/licenses/{expression}" if _is_id(expression)
                          else ds.license.url or expression if expression != NOASSERTION else ds.license.name)
    where = ds.homepage or ds.location or ds.url
    if where and is_url(where):
        doc["url"] = where
    if ds.version:
        doc["version"] = ds.version
    if ds.facts.get("citation"):
        doc["citeAs"] = ds.facts["citation"]
    if ds.facts.get("supplier"):
        doc["creator"] = {"@type": "sc:Organization", "name": ds.facts["supplier"]}
    for key, rai in _RAI:
        if ds.facts.get(key):
            doc[rai] = ds.facts[key]
    distribution: list[dict[str, Any]] = []
    groups: dict[tuple[str, str | None], list[Shard]] = {}
    unhashed = 0
    for shard in ds.shards:
        if not shard.sha256:
            unhashed += 1
            continue
        distribution.append({"@type": "cr:FileObject", "@id": shard.path, "name": shard.path,
                             "contentUrl": _url(files_at, shard.path), "contentSize": f"{shard.bytes} B",
                             "encodingFormat": _encoding(shard), "sha256": shard.sha256})
        if shard.format in _ENCODING and shard.compression is None and not shard.error:
            groups.setdefault((shard.format, _columns_key(shard)), []).append(shard)
    if unhashed:
        warn(f"{ds.name}: {unhashed} shard(s) without a SHA-256 left out of the distribution (Croissant asks for "
             "one): scan with --hash sha256")
    record_sets = []
    for number, ((format_, _), members) in enumerate(sorted(groups.items(), key=lambda g: g[1][0].path)):
        columns = members[0].columns or ()
        if not columns:
            continue
        set_id = f"{format_}-files" if len(groups) == 1 else f"{format_}-files-{number}"
        distribution.append({"@type": "cr:FileSet", "@id": set_id, "name": set_id,
                             "encodingFormat": _ENCODING[format_],
                             "includes": [_url(files_at, s.path) for s in members]})
        record_sets.append({"@type": "cr:RecordSet", "@id": f"{set_id}/records", "name": f"{set_id}/records",
                            "field": [_field(f"{set_id}/records", set_id, c.name, c.type) for c in columns
                                      if _data_type(c.type) is not None]})
    doc["distribution"] = distribution
    if record_sets:
        doc["recordSet"] = record_sets
    return doc


def _field(record_set: str, source: str, name: str, arrow_type: str) -> dict[str, Any]:
    return {"@type": "cr:Field", "@id": f"{record_set}/{name}", "name": name, "dataType": _data_type(arrow_type),
            "source": {"fileSet": {"@id": source}, "extract": {"column": name}}}


def _data_type(arrow_type: str) -> str | None:
    """The schema.org type Croissant reads an Arrow type as; None for nested types (not mapped)."""
    kind = arrow_type.lower()
    if kind in ("string", "large_string", "utf8", "large_utf8", "string_view"):
        return "sc:Text"
    if kind.startswith(("int", "uint")):
        return "sc:Integer"
    if kind.startswith(("float", "double", "halffloat", "decimal")):
        return "sc:Float"
    if kind in ("bool", "boolean"):
        return "sc:Boolean"
    if kind.startswith(("timestamp", "date")):
        return "sc:Date"
    return None


def _columns_key(shard: Shard) -> str | None:
    return json.dumps([[c.name, c.type] for c in shard.columns]) if shard.columns else None


def _encoding(shard: Shard) -> str:
    if shard.compression:
        return {"gzip": "application/gzip", "zstd": "application/zstd", "bz2": "application/x-bzip2",
                "xz": "application/x-xz"}.get(shard.compression, "application/octet-stream")
    return _ENCODING.get(shard.format, "application/octet-stream")


def _url(files_at: str | None, path: str) -> str:
    if files_at is None:
        return path
    if is_url(files_at):
        return files_at.rstrip("/") + "/" + path
    return str(PurePosixPath(files_at) / path)


def _is_id(expression: str) -> bool:
    from cyclonedx.spdx import is_supported_id

    return is_supported_id(expression)


def relative_root(root: Path, output: Path) -> str:
    """`root` as a POSIX path relative to the folder of `output` (where Croissant readers resolve paths)."""
    return PurePosixPath(Path(os.path.relpath(root.resolve(), output.resolve().parent))).as_posix()
