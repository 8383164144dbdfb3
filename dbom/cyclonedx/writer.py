"""Write the internal model as CycloneDX JSON (1.6 or 1.7): streaming and deterministic.

The document is emitted piece by piece: a dataset's shards are written one component at a
time, so memory does not grow with the size of the JSON. The serial number is derived from
the bytes written: a fixed-width placeholder is written first and patched in place at the end.
"""

from __future__ import annotations

import itertools
import json
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, BinaryIO, Protocol

import orjson
import xxhash

from dbom.cyclonedx import formulation as steps_cdx
from dbom.cyclonedx import properties as P
from dbom.cyclonedx import provenance as prov
from dbom.cyclonedx.license_props import license_properties
from dbom.cyclonedx.refs import dataset_ref, file_ref, model_file_ref, model_ref
from dbom.model import NOASSERTION, Column, Dataset, Dbom, DocFile, License, Shard
from dbom.scanning.summary_index import SummaryIndex
from dbom.util.redact import clean_url, is_url

SPEC_VERSIONS = ("1.6", "1.7")
_PLACEHOLDER = "urn:uuid:00000000-0000-0000-0000-000000000000"

MIME_TYPES = {
    "parquet": "application/vnd.apache.parquet",
    "arrow": "application/vnd.apache.arrow.file",
    "arrow-stream": "application/vnd.apache.arrow.stream",
    "jsonl": "application/jsonl",
    "json": "application/json",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "text": "text/plain",
    "webdataset": "application/x-tar",
    "warc": "application/warc",
}
COMPRESSED_MIME_TYPES = {"gzip": "application/gzip", "zstd": "application/zstd", "bz2": "application/x-bzip2",
                         "xz": "application/x-xz"}
DOC_MIME_TYPES = {"card": "text/markdown"}


class _Stream:
    """A JSON array whose items are produced lazily while writing.

    A `compact` stream writes each item on one line with orjson: json's indenting encoder is pure
    Python (29 of 34 µs per shard component), its compact C encoder still 5.3 µs, orjson 0.7 µs,
    and a DBOM has up to 10^6 of them.
    """

    def __init__(self, items: Iterable[Any], compact: bool = False, detached: bool = False,
                 dataset: Dataset | None = None) -> None:
        self.items = items
        self.compact = compact
        # Detached items go to the validator one by one and are not kept: the document's bulk.
        self.detached = detached
        # The dataset whose file components these are, when its lines may be kept or copied (snapshot_lines)
        self.dataset = dataset


class _Lazy(dict):  # type: ignore[type-arg]
    """A JSON object that holds a _Stream somewhere below it, so it is written key by key."""


class _Out:
    """Encodes text to the file while hashing it (XXH3-128, for the serial number) and counting the offset."""

    def __init__(self, raw: BinaryIO, sink: DocumentSink | None = None, trust: str | None = None,
                 kept: list[Any] | None = None) -> None:
        self.raw = raw
        # where the document starts in `raw`, when `raw` is a file with a name (kept lines can link it)
        self.start = raw.tell() if isinstance(getattr(raw, "name", None), str) and _has_descriptor(raw) else None
        self.digest = xxhash.xxh3_128()  # the serial needs no cryptographic hash: 0.6 ms per 10 MB, not 6
        self.offset = 0
        self.sink = sink
        self.trust = trust
        self.kept = kept

    def write(self, text: str | bytes | memoryview) -> None:
        data = text.encode("utf-8") if isinstance(text, str) else text
        self.digest.update(data)
        self.raw.write(data)
        self.offset += len(data)

    def count(self, data: bytes | memoryview) -> None:
        """Take `data` as written (it was put in the file another way): hashed and counted."""
        self.digest.update(data)
        self.offset += len(data)


class DocumentSink(Protocol):
    """Sees the document as it is written (dbom.cyclonedx.validate.StreamingValidator is one)."""

    def item(self, component: dict[str, Any], loc: Any, line: bytes) -> None:
        """One item of a detached array (a dataset's file components), at `loc`, a `(parent, key)` chain,
        written as the JSON text `line`."""

    def finish(self, doc: dict[str, Any]) -> object:
        """The rest of the document, detached arrays left empty, with its final serial number."""

    def known_items(self, loc: Any, ref_digests: bytes, ref_of: Callable[[int], str]) -> None:
        """Items from `loc` on copied from lines that passed before: their bom-refs' digests (16 bytes each)."""

    def also_valid(self, line_digests: bytes) -> None:
        """Lines (their digests, 16 bytes each) that passed before, should they be written again."""


def write_dbom(dbom: Dbom, raw: BinaryIO, spec_version: str = "1.6", sink: DocumentSink | None = None,
               trust: str | None = None, kept: list[Any] | None = None) -> str:
    """Write `dbom` as CycloneDX JSON to the seekable binary file `raw`; return the serial number.

    With a `sink`, every value written is also handed to it: the bulk (a dataset's file components)
    item by item as it is written, the rest as one document at the end (`sink.finish`).

    With `trust` (the identity of the validator `sink` is, see validation_memo) and `kept` (a list), a
    dataset scanned from a cache snapshot (`Dataset.snapshot`) has its file components copied from the
    lines kept by an earlier write when they match, else made and kept: a recorder of them is added to
    `kept`, for the caller to commit once the document validated, or to discard.
    """
    if spec_version not in SPEC_VERSIONS:
        raise ValueError(f"unsupported CycloneDX version {spec_version!r} (use one of {', '.join(SPEC_VERSIONS)})")
    out = _Out(raw, sink, f"{spec_version}\0{trust}" if trust is not None and kept is not None else None, kept)
    start = raw.tell()
    schema = f"http://cyclonedx.org/schema/bom-{spec_version}.schema.json"
    out.write("{\n")
    out.write(f'  "$schema": "{schema}",\n')
    out.write('  "bomFormat": "CycloneDX",\n')
    out.write(f'  "specVersion": "{spec_version}",\n')
    out.write('  "serialNumber": "')
    serial_offset = out.offset
    out.write(_PLACEHOLDER + '",\n')
    out.write('  "version": 1')
    skeleton: dict[str, Any] = {"$schema": schema, "bomFormat": "CycloneDX", "specVersion": spec_version,
                                "serialNumber": _PLACEHOLDER, "version": 1}
    code = steps_cdx.code_components(dbom)
    by_name = {d.name: d for d in dbom.datasets}
    body = _Lazy(
        metadata=_metadata(dbom),
        components=_Stream(itertools.chain((_dataset_component(d, by_name) for d in dbom.datasets), code.components)),
        dependencies=_Stream(_dependencies(dbom), compact=True),
    )
    formulation = steps_cdx.formulation(dbom, code.refs)
    if formulation:
        body["formulation"] = formulation
    for key, value in body.items():
        out.write(f",\n  {json.dumps(key)}: ")
        skeleton[key] = _emit(out, value, 1, (None, key))
    out.write("\n}\n")
    serial = f"urn:uuid:{uuid.UUID(bytes=out.digest.digest(), version=5)}"
    end = raw.tell()
    raw.seek(start + serial_offset)
    raw.write(serial.encode("ascii"))
    raw.seek(end)
    if sink is not None:
        skeleton["serialNumber"] = serial
        sink.finish(skeleton)
    return serial


def _emit(out: _Out, value: Any, level: int, loc: Any) -> Any:
    """Write `value` at indentation `level`; return it as plain JSON data, detached arrays left empty."""
    pad = "  " * level
    if isinstance(value, _Stream):
        kept: list[Any] = []
        separator = b",\n" + (pad + "  ").encode()
        lines: list[bytes] = []  # written 256 at a time: one write (and hash update) per line was a tenth
        first = True
        recorder = None
        shards: Sequence[Shard] = ()
        if value.dataset is not None and out.trust is not None and out.kept is not None:
            ds = value.dataset
            link = ds.snapshot
            stored = link.stored() if link is not None else None
            if stored is not None and stored.usable(separator, out.trust):
                return _copy_lines(out, stored, pad, loc)
            previous = link.patch.stored if link is not None and link.patch is not None else (
                link.previous() if link is not None else None)
            usable = previous is not None and previous.usable(separator, out.trust)
            if usable and out.sink is not None:
                # the lines kept by the last write passed this validator: those written again need no new check
                out.sink.also_valid(_replaced_lines(link.patch) if link.patch is not None else previous.digests()[1])
            if link is not None:
                patched = link.patch is not None and usable
                index = link.patch.index if patched else SummaryIndex.of(ds.shards)
                # the lines start after "[", a newline and the indent: as long as the separator
                body_at = out.start + out.offset + len(separator) if out.start is not None else None
                recorder = link.recorder(separator, out.trust, ds.summary, ds.digest, tuple(ds.docs), ds.profile,
                                         index, body_at)
                if recorder is not None:
                    out.kept.append(recorder)
                if patched:
                    return _patched_lines(out, ds, link.patch, recorder, separator, pad, loc)
                shards = ds.shards
        # the loop runs once per shard: what it uses is looked up once, before it
        compact, dumps, append = value.compact, orjson.dumps, lines.append
        item_to_sink = out.sink.item if value.detached and out.sink is not None else None
        shard_count = len(shards)
        for index, item in enumerate(value.items):
            if compact and not isinstance(item, (_Lazy, _Stream)):
                line = dumps(item)
                append(line)
                if not value.detached:
                    kept.append(item)
                elif item_to_sink is not None:  # the bulk goes to the sink, never into the returned copy
                    item_to_sink(item, (loc, index), line)
                if recorder is not None:
                    if index < shard_count:
                        shard = shards[index]
                        recorder.add(line, item["bom-ref"], shard.xxh3_128, shard.path)
                    else:
                        recorder.add(line, item["bom-ref"])
                if len(lines) >= 256:
                    first = _write_lines(out, lines, separator, first)
            else:
                first = _write_lines(out, lines, separator, first)
                out.write(("[\n" if first else ",\n") + pad + "  ")
                first = False
                kept.append(_emit(out, item, level + 1, (loc, index)))
        first = _write_lines(out, lines, separator, first)
        out.write(f"\n{pad}]" if not first else "[]")
        return kept
    if isinstance(value, _Lazy):
        plain: dict[str, Any] = {}
        out.write("{")
        for i, (key, item) in enumerate(value.items()):
            out.write(("\n" if i == 0 else ",\n") + pad + f"  {json.dumps(key, ensure_ascii=False)}: ")
            plain[key] = _emit(out, item, level + 1, (loc, key))
        out.write(f"\n{pad}}}" if value else "}")
        return plain
    text = json.dumps(value, indent=2, ensure_ascii=False)
    out.write(text.replace("\n", "\n" + pad) if "\n" in text else text)
    return value


def _copy_lines(out: _Out, stored: Any, pad: str, loc: Any) -> list[Any]:
    """Write the detached array of a dataset's file components from its kept lines (StoredLines)."""
    refs, _ = stored.digests()
    if not stored.count:
        out.write("[]")
        return []
    out.write(f"[\n{pad}  ")
    raw = out.raw
    copied = _has_descriptor(raw)
    if copied:
        raw.flush()
    for chunk in stored.body(raw if copied else None):
        if copied:
            out.count(chunk)
        else:
            out.write(chunk)
    out.write(f"\n{pad}]")
    if out.sink is not None:
        out.sink.known_items((loc, 0), refs, stored.ref_of)
    return []


def _patched_lines(out: _Out, ds: Dataset, patch: Any, recorder: Any, separator: bytes, pad: str,
                   loc: Any) -> list[Any]:
    """Write the detached array of a dataset's file components from the lines kept by the previous write
    and the components of the files that changed since (dbom.scanning.incremental.LinesPatch): the runs of
    unchanged lines are copied, the others made. The recorder (if any) keeps the result for the next scan."""
    stored = patch.stored
    copied = _has_descriptor(out.raw)
    prefix = file_ref(ds.name, "")
    position = 0
    out.write("[")
    with stored.source() as source:
        position = _patch_segments(out, patch, recorder, separator, pad, loc, copied, prefix, source)
    out.write(f"\n{pad}]" if position else "]")
    return []


def _patch_segments(out: _Out, patch: Any, recorder: Any, separator: bytes, pad: str, loc: Any, copied: bool,
                    prefix: str, source: Any) -> int:
    """Write the lines of `patch.segments` (`_patched_lines`); the number of lines written."""
    stored, tables, starts, raw = patch.stored, patch.tables, patch.line_starts, out.raw
    body_bytes = int(stored.header["body_bytes"])
    schemas: dict[int, tuple[tuple[Column, ...], str]] = {}
    position = 0
    take = None
    if copied and source.mapped is not None and out.start is not None:
        def take(chunk: memoryview) -> None:
            out.count(chunk)
            if recorder is not None:
                recorder.run_chunk(chunk)

    for segment in patch.segments:
        out.write(f"\n{pad}  " if position == 0 else separator)
        if isinstance(segment, Shard):
            component = _shard_component(prefix, segment, schemas)
            line = orjson.dumps(component)
            out.write(line)
            if out.sink is not None:
                out.sink.item(component, (loc, position), line)
            if recorder is not None:
                recorder.add(line, component["bom-ref"], segment.xxh3_128, segment.path)
            position += 1
            continue
        first, last = segment
        start = int(starts[first])
        end = int(starts[last]) - len(separator) if last < len(starts) else body_bytes
        if recorder is not None:
            recorder.begin_run()
        if take is not None:  # the kernel copies the run into the file, at the offset it is written at
            raw.flush()
            at = out.start + out.offset  # type: ignore[operator]
            stored.copy_span(start, end, raw.fileno(), at, source, take)
            raw.seek(at + end - start)
        else:
            for chunk in stored.span(start, end, raw if copied else None, source):
                if copied:
                    out.count(chunk)
                else:
                    out.write(chunk)
                if recorder is not None:
                    recorder.run_chunk(chunk)
        if recorder is not None:
            recorder.end_run(stored, first, last, tables)
        if out.sink is not None:
            out.sink.known_items((loc, position), tables.refs[16 * first:16 * last],
                                 lambda i, first=first: stored.ref_of(first + i))
        position += last - first
    return position


def _replaced_lines(patch: Any) -> bytes:
    """The digests (16 bytes each) of the kept lines that `patch` does not copy: a line made again can only
    be one of those (a file changed back, or touched), the copied ones are never checked again."""
    import numpy as np

    replaced = np.ones(patch.stored.count, dtype=bool)
    for segment in patch.segments:
        if not isinstance(segment, Shard):
            replaced[segment[0]:segment[1]] = False
    rows = np.frombuffer(patch.tables.lines, dtype=np.uint8).reshape(-1, 16)
    return rows[replaced].tobytes()


def _has_descriptor(raw: BinaryIO) -> bool:
    try:
        raw.fileno()
    except (OSError, AttributeError, ValueError):  # io.BytesIO: UnsupportedOperation, an OSError
        return False
    return True


def _write_lines(out: _Out, lines: list[bytes], separator: bytes, first: bool) -> bool:
    """Write the array items `lines` (then empty it), each after `separator`, the first after "[";
    return whether the array is still without items."""
    if not lines:
        return first
    out.write((b"[\n" + separator[2:] if first else separator) + separator.join(lines))
    lines.clear()
    return False


def _prop(name: str, value: object) -> dict[str, str]:
    return {"name": name, "value": str(value)}


def license_choice(license_: License) -> list[dict[str, Any]] | None:
    """A CycloneDX `licenses` array for `license_`, or None when nothing is known (NOASSERTION)."""
    if not license_.is_known:
        return None
    ack = license_.acknowledgement
    url = {"url": clean_url(license_.url)} if license_.url and is_url(license_.url) else {}
    if license_.expression == NOASSERTION:
        return [{"license": {"name": license_.name, "acknowledgement": ack, **url}}]
    if _is_spdx_id(license_.expression):
        return [{"license": {"id": license_.expression, "acknowledgement": ack, **url}}]
    return [{"expression": license_.expression, "acknowledgement": ack}]


def _is_spdx_id(text: str) -> bool:
    from cyclonedx.spdx import is_supported_id  # the SPDX id list the schema validates against

    return is_supported_id(text)


def _metadata(dbom: Dbom) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    if dbom.timestamp:
        meta["timestamp"] = dbom.timestamp
    meta["lifecycles"] = [{"phase": "build"}]
    meta["tools"] = {"components": [{"type": "application", "name": "dbom", "version": dbom.tool_version or "0"}]}
    meta["component"] = _model_component(dbom)
    if dbom.dbom_license:
        meta["licenses"] = license_choice(License(expression=dbom.dbom_license, source="manifest"))
    props = [_prop(P.HASH_ALGORITHMS, ",".join(dbom.hash_algorithms))]
    props += [_prop(P.WARNING, w) for w in dbom.warnings]
    props += steps_cdx.training_properties(dbom)
    meta["properties"] = props
    return meta


def _model_component(dbom: Dbom) -> dict[str, Any]:
    m = dbom.model
    comp: dict[str, Any] = {"bom-ref": model_ref(m.name, m.version), "type": "machine-learning-model"}
    if m.supplier:
        comp["supplier"] = {"name": m.supplier}
    if m.group:
        comp["group"] = m.group
    comp["name"] = m.name
    if m.version:
        comp["version"] = m.version
    if m.description:
        comp["description"] = m.description
    if m.files:  # the model's own hash: over its weight files (see ModelInfo.weights_digest)
        comp["hashes"] = [{"alg": "SHA-256", "content": m.weights_digest}]
    if m.license:
        comp["licenses"] = license_choice(License(expression=m.license, source="manifest"))
    comp["modelCard"] = {
        "modelParameters": {"datasets": [{"ref": dataset_ref(d.name)} for d in dbom.trained_on]},
    }
    props = [_prop(P.MODEL_COMMERCIAL, "true" if m.commercial else "false")] if m.commercial is not None else []
    props += [_prop(P.MODEL_FACT_PREFIX + key, m.facts[key]) for key in sorted(m.facts)]
    props += [_prop(P.MODEL_EU_COMMENT_PREFIX + section, m.eu_comments[section]) for section in sorted(m.eu_comments)]
    if props:
        comp["properties"] = props
    if m.files:
        comp["components"] = [_model_file_component(m.name, m.version, f) for f in m.files]
    return comp


def _model_file_component(name: str, version: str | None, f: DocFile) -> dict[str, Any]:
    comp: dict[str, Any] = {"bom-ref": model_file_ref(name, version, f.path), "type": "file", "name": f.path}
    hashes = _hashes(f.sha256)
    if hashes:
        comp["hashes"] = hashes
    props = [_prop(P.SHARD_ROLE, f.kind)]
    if f.xxh3_128:
        props.append(_prop(P.HASH_XXH3, f.xxh3_128))
    comp["properties"] = [*props, _prop(P.BYTES, f.bytes)]
    return comp


def _dataset_component(ds: Dataset, datasets: dict[str, Dataset] | None = None) -> _Lazy:
    comp = _Lazy({"bom-ref": dataset_ref(ds.name), "type": "data"})
    supplier = ds.facts.get("supplier")
    if supplier:
        comp["supplier"] = {"name": supplier}
    comp["name"] = ds.name
    if ds.version:
        comp["version"] = ds.version
    if ds.hub:
        comp["purl"] = ds.hub.purl
    if ds.description:
        comp["description"] = ds.description
    comp["hashes"] = [{"alg": "SHA-256", "content": ds.digest}]
    licenses = license_choice(ds.license)
    if licenses:
        comp["licenses"] = licenses
    refs = []
    location_url = clean_url(ds.location) if ds.location and is_url(ds.location) else None
    if location_url:
        refs.append({"type": "distribution", "url": location_url})
    if ds.homepage and is_url(ds.homepage):
        refs.append({"type": "website", "url": clean_url(ds.homepage)})
    if ds.license.url and is_url(ds.license.url):
        refs.append({"type": "license", "url": clean_url(ds.license.url)})
    refs += prov.vcs_references(ds.vcs) + prov.hub_references(ds.hub)
    pedigree = prov.pedigree(prov.vcs_commits(ds.vcs), steps_cdx.ancestor_stubs(ds.ancestors, datasets or {}))
    if pedigree:
        comp["pedigree"] = pedigree
    if refs:
        comp["externalReferences"] = refs
    data: dict[str, Any] = {"type": "dataset", "name": ds.name}
    if location_url:
        data["contents"] = {"url": location_url}
    if ds.facts.get("classification"):
        data["classification"] = ds.facts["classification"]
    if ds.facts.get("sensitive_data"):
        data["sensitiveData"] = [ds.facts["sensitive_data"]]
    data["description"] = _size_description(ds)
    comp["data"] = [data]
    comp["properties"] = _dataset_properties(ds)
    kept = ds.snapshot is not None and not (ds.hub and ds.hub.blobs)  # a hub blob's lines depend on the hub too
    comp["components"] = _Stream(_file_components(ds), compact=True, detached=True, dataset=ds if kept else None)
    return comp


def _size_description(ds: Dataset) -> str:
    summary = ds.summary
    formats = sorted({f.format for f in summary.formats})
    counted = f"{summary.records} records" if summary.records is not None else "records not all counted"
    return f"{counted}, {summary.bytes} bytes in {summary.shards} shards ({', '.join(formats) or 'no data'})"


def _dataset_properties(ds: Dataset) -> list[dict[str, str]]:
    props = [_prop(P.SHARDS, ds.summary.shards), _prop(P.BYTES, ds.total_bytes)]
    records = ds.total_records
    if records is not None:
        props.append(_prop(P.RECORDS, records))
    if ds.records_digest:  # derived from the shards' digests: the reader does not read it back
        props.append(_prop(P.RECORDS_DIGEST, ds.records_digest))
    if ds.include:
        props.append(_prop(P.INCLUDE, json.dumps(list(ds.include))))
    if ds.exclude:
        props.append(_prop(P.EXCLUDE, json.dumps(list(ds.exclude))))
    if ds.location and not is_url(ds.location):
        props.append(_prop(P.LOCATION, ds.location))
    if ds.license.source:
        props.append(_prop(P.LICENSE_SOURCE, ds.license.source))
    if ds.license.name and ds.license.expression != NOASSERTION:
        props.append(_prop(P.LICENSE_NAME, ds.license.name))
    if not ds.license.is_known:
        props.append(_prop(P.LICENSE_STATUS, NOASSERTION))
    props += license_properties(ds)
    for key in sorted(ds.facts):
        props.append(_prop(P.FACT_PREFIX + key, ds.facts[key]))
    if ds.card_facts:
        props.append(_prop(P.FACTS_FROM_CARD, json.dumps(list(ds.card_facts))))
    if ds.url:
        props.append(_prop(P.SOURCE_URL, ds.url))
    props += prov.vcs_properties(ds.vcs) + prov.hub_properties(ds.hub)
    if ds.hub_ref:
        props.append(_prop(P.HUB_REF, ds.hub_ref))
    props += prov.datasets_info_properties(ds.datasets_info)
    props += [_prop(name, value) for name, value in ds.profile]
    props += [_prop(P.WARNING, w) for w in ds.warnings]
    return props


def _file_components(ds: Dataset) -> Iterator[dict[str, Any]]:
    blobs = dict(ds.hub.blobs) if ds.hub else {}
    schemas: dict[int, tuple[tuple[Column, ...], str]] = {}  # the shards of a dataset mostly share one schema
    ref_prefix = file_ref(ds.name, "")
    for shard in ds.shards:
        component = _shard_component(ref_prefix, shard, schemas)
        yield prov.with_blob(component, blobs.get(shard.path)) if blobs else component
    for doc in ds.docs:
        yield prov.with_blob(_doc_component(ds.name, doc), blobs.get(doc.path))


def _hashes(sha256: str | None, blake3: str | None = None) -> list[dict[str, str]]:
    hashes = []
    if sha256:
        hashes.append({"alg": "SHA-256", "content": sha256})
    if blake3:
        hashes.append({"alg": "BLAKE3", "content": blake3})
    return hashes


def _shard_component(ref_prefix: str, s: Shard, schemas: dict[int, tuple[tuple[Column, ...], str]]) -> dict[str, Any]:
    # Written once per shard (up to 10^6 times): dict literals, names bound once, no helper calls.
    # `schemas` memoises the schema property's text by the identity of the columns tuple, which the
    # shards of one schema share (scan and reader both make one tuple per schema); the tuple is kept
    # in the value so that its id cannot be reused while the memo lives.
    comp: dict[str, Any] = {"bom-ref": ref_prefix + s.path, "type": "file", "name": s.path}
    compression = s.compression
    mime = (compression and _COMPRESSED_MIME_TYPES_GET(compression)) or _MIME_TYPES_GET(s.format)
    if mime:
        comp["mime-type"] = mime
    if s.sha256 or s.blake3:
        comp["hashes"] = _hashes(s.sha256, s.blake3)
    props = [{"name": _P_ROLE, "value": "shard"}]
    if s.xxh3_128:
        props.append({"name": _P_XXH3, "value": s.xxh3_128})
    props.append({"name": _P_BYTES, "value": str(s.bytes)})
    props.append({"name": _P_FORMAT, "value": s.format})
    if compression:
        props.append({"name": _P_COMPRESSION, "value": compression})
    if s.records is not None:
        props.append({"name": _P_RECORDS, "value": str(s.records)})
    if s.uncompressed_bytes is not None:
        props.append({"name": _P_UNCOMPRESSED_BYTES, "value": str(s.uncompressed_bytes)})
    columns = s.columns
    if columns is not None:
        known = schemas.get(id(columns))
        if known is None:
            known = schemas[id(columns)] = (columns, json.dumps([[c.name, c.type] for c in columns],
                                                               ensure_ascii=False))
        props.append({"name": _P_SCHEMA, "value": known[1]})
    if s.records_digest:
        props.append({"name": _P_RECORDS_DIGEST, "value": s.records_digest})
    if s.error:
        props.append({"name": _P_ERROR, "value": s.error})
    if s.hash_source:  # a remote object
        if s.etag:
            props.append({"name": _P_STORE_ETAG, "value": s.etag})
        if s.version_id:
            props.append({"name": _P_STORE_VERSION_ID, "value": s.version_id})
        props.append({"name": _P_HASH_SOURCE, "value": s.hash_source})
    comp["properties"] = props
    return comp


_COMPRESSED_MIME_TYPES_GET = COMPRESSED_MIME_TYPES.get
_MIME_TYPES_GET = MIME_TYPES.get
_P_ROLE, _P_XXH3, _P_BYTES, _P_FORMAT, _P_COMPRESSION = P.SHARD_ROLE, P.HASH_XXH3, P.BYTES, P.FORMAT, P.COMPRESSION
_P_RECORDS, _P_UNCOMPRESSED_BYTES, _P_SCHEMA = P.RECORDS, P.UNCOMPRESSED_BYTES, P.SCHEMA
_P_RECORDS_DIGEST, _P_ERROR = P.RECORDS_DIGEST, P.ERROR
_P_STORE_ETAG, _P_STORE_VERSION_ID, _P_HASH_SOURCE = P.STORE_ETAG, P.STORE_VERSION_ID, P.HASH_SOURCE


def _doc_component(dataset: str, d: DocFile) -> dict[str, Any]:
    comp: dict[str, Any] = {"bom-ref": file_ref(dataset, d.path), "type": "file", "name": d.path}
    if d.kind in DOC_MIME_TYPES:
        comp["mime-type"] = DOC_MIME_TYPES[d.kind]
    hashes = _hashes(d.sha256)
    if hashes:
        comp["hashes"] = hashes
    comp["properties"] = [_prop(P.SHARD_ROLE, d.kind), _prop(P.HASH_XXH3, d.xxh3_128), _prop(P.BYTES, d.bytes)]
    return comp


def _dependencies(dbom: Dbom) -> Iterator[dict[str, Any]]:
    refs = [dataset_ref(d.name) for d in dbom.trained_on]  # the intermediates: through their derived datasets
    yield {"ref": model_ref(dbom.model.name, dbom.model.version), "dependsOn": refs}
    for d in dbom.datasets:  # a derived dataset depends on the datasets it was made from
        yield {"ref": dataset_ref(d.name), "dependsOn": [dataset_ref(a) for a in d.ancestors]}
