"""Read a CycloneDX DBOM (as written by `writer`) back into the internal model."""

from __future__ import annotations

import itertools
import json
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any, overload

import orjson

from dbom.cyclonedx import formulation as steps_cdx
from dbom.cyclonedx import properties as P
from dbom.cyclonedx import provenance as prov
from dbom.cyclonedx.license_props import read_license_properties
from dbom.cyclonedx.stream import FileIdentity, SpanFile
from dbom.cyclonedx.validate import ChildValidation, ValidatingSink, validate_file
from dbom.errors import DbomFileError
from dbom.model import (
    HASH_XXH3,
    NOASSERTION,
    Column,
    Dataset,
    Dbom,
    DocFile,
    License,
    ModelInfo,
    Shard,
    ShardSummary,
    ShardTally,
)
from dbom.util.collector import collector_paused

# A larger file is validated in a child process while this one reads it (see ChildValidation)
CHILD_VALIDATION_BYTES = 32 << 20

# Components of a DBOM that are not datasets (code components, say) are skipped by this reader.


def read_dbom(path: Path, shards_on_disk: bool = False) -> Dbom:
    """Load the DBOM at `path`; raise DbomFileError for a file that is not JSON, not CycloneDX or not a DBOM.

    Every command reads a DBOM through here, and it refuses what `dbom validate` refuses (the same
    reading path, dbom.cyclonedx.stream, then the schema and the integrity rules): a file that
    does not validate is not read. The file is read once, streaming; with `shards_on_disk` the
    datasets' shards are not kept in memory but read again from the file each time they are
    iterated (`ShardsOnDisk`), and each dataset carries their summary (`Dataset.stats`): memory
    then does not grow with the number of shards.
    """
    from dbom.cyclonedx.document import NotCycloneDX
    from dbom.cyclonedx.stream import stream_document

    label = str(path)
    try:
        before = path.stat()
    except OSError as exc:
        raise DbomFileError(label, f"cannot read: {exc.strerror or exc}") from None
    child = ChildValidation(path) if before.st_size > CHILD_VALIDATION_BYTES else None
    sink = _ReadingSink(label, keep_shards=not shards_on_disk, validating=child is None)
    try:
        with collector_paused():  # from Python as fast as through the CLI, whose threshold is high
            rest = stream_document(path, sink)
    except OSError as exc:
        raise DbomFileError(label, f"cannot read: {exc.strerror or exc}") from None
    except NotCycloneDX as exc:
        raise DbomFileError(label, exc.cause.replace("not JSON:", "not a JSON file:", 1)) from None
    finally:
        if child is not None and sys.exc_info()[0] is not None:
            child.cancel()
    if not isinstance(rest, dict) or rest.get("bomFormat") != "CycloneDX":
        if child is not None:
            child.cancel()
        raise DbomFileError(label, "not a CycloneDX document (no \"bomFormat\": \"CycloneDX\")")
    problems = sink.problems(rest) if child is None else child.problems()
    if problems is None:  # the child could not say: validate here
        problems = validate_file(path)
    try:
        unchanged = FileIdentity.of(path.stat()) == FileIdentity.of(before)
    except OSError:
        unchanged = False
    if not unchanged:
        raise DbomFileError(label, "changed while it was read")
    if problems:
        more = f" (and {len(problems) - 1} more; see `dbom validate`)" if len(problems) > 1 else ""
        raise DbomFileError(label, f"not a valid CycloneDX document: {problems[0]}{more}")
    if sink.failure is not None:
        raise DbomFileError(label, f"malformed DBOM content ({sink.failure})")
    return dbom_from_document(rest, label, sink.parts)


class _Parts:
    """The streamed file components of one dataset: shards (or where they lie), docs, and their summary."""

    __slots__ = ("blobs", "docs", "items", "offset", "shards", "source", "tally")

    def __init__(self, source: SpanFile, offset: int, keep_shards: bool) -> None:
        self.source = source
        self.offset = offset  # of the first component's line
        self.items = 0  # components, shards and docs
        self.shards: list[Shard] | None = [] if keep_shards else None
        self.docs: list[DocFile] = []
        self.blobs: list[tuple[str, str]] = []  # (name, Hugging Face blob) of the files that have one
        self.tally = ShardTally()

    def shard_sequence(self, label: str) -> Sequence[Shard]:
        if self.shards is not None:
            return tuple(self.shards)
        return ShardsOnDisk(label, self.source, self.offset, self.items, self.tally.summary())


class _ReadingSink(ValidatingSink):
    """Turns the streamed file components into shards (or their summary) and docs, per dataset; validates
    them too, unless another process does (`validating=False`)."""

    def __init__(self, label: str, keep_shards: bool, validating: bool = True) -> None:
        super().__init__()
        self.label = label
        self.keep_shards = keep_shards
        self.validating = validating
        self.spans = not keep_shards
        self.parts: dict[int, _Parts] = {}  # by the dataset's index in `components`
        self.failure: str | None = None

    def reset(self) -> None:
        super().reset()
        self.parts = {}
        self.failure = None

    def item(self, component: dict[str, Any], loc: Any, text: bytes, source: SpanFile, offset: int) -> None:
        if self.validating:
            super().item(component, loc, text, source, offset)
        index = loc[0][0][1]
        parts = self.parts.get(index)
        if parts is None:
            parts = self.parts[index] = _Parts(source, offset, self.keep_shards)
        parts.items += 1
        try:
            props = {p["name"]: p.get("value", "") for p in component.get("properties") or ()}
            if P.HUB_BLOB in props:  # a file of a Hugging Face Hub dataset
                parts.blobs.append((component["name"], props[P.HUB_BLOB]))
            if parts.shards is None and props.get(P.SHARD_ROLE, "shard") == "shard":
                # only counted: the fields the summary needs, read as `_shard` reads them, and no Shard built
                schema = props.get(P.SCHEMA)
                records = props.get(P.RECORDS)
                uncompressed = props.get(P.UNCOMPRESSED_BYTES)
                parts.tally.add_fields(
                    component["name"], int(props[P.BYTES]), props[P.FORMAT], props.get(P.COMPRESSION),
                    None if records is None else int(records), None if uncompressed is None else int(uncompressed),
                    None if schema is None else _columns(schema), props.get(P.ERROR), props.get(P.RECORDS_DIGEST))
                return
            found = _file_component(component, props)
            if isinstance(found, DocFile):
                parts.docs.append(found)
                return
            parts.tally.add(found)
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:  # invalid: see `problems`
            if self.failure is None:
                self.failure = f"{type(exc).__name__}: {exc}"
            return
        if parts.shards is not None:
            parts.shards.append(found)


class ShardsOnDisk(Sequence[Shard]):
    """A dataset's shards, read again from the DBOM file (or the reader's spool file) on each iteration,
    and their `summary` (Dataset.summary takes it from here).

    Raises DbomFileError when the file changed since it was first read and validated.
    """

    def __init__(self, label: str, source: SpanFile, offset: int, items: int, summary: ShardSummary) -> None:
        self.summary = summary
        self._label = label
        self._source = source
        self._offset = offset
        self._items = items
        self._shards = summary.shards

    def __len__(self) -> int:
        return self._shards

    def __iter__(self) -> Iterator[Shard]:
        loads = orjson.loads
        lines = self._source.lines(self._offset, self._items)
        while True:
            try:
                line = next(lines).strip()
                found = _file_component(loads(line[:-1] if line.endswith(b",") else line))
            except StopIteration:
                return
            except OSError as exc:
                raise DbomFileError(self._label, f"cannot read again: {exc.strerror or exc}") from None
            except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError, OverflowError):
                raise DbomFileError(self._label, "changed since it was read") from None
            if isinstance(found, Shard):
                yield found

    @overload
    def __getitem__(self, index: int) -> Shard: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Shard]: ...

    def __getitem__(self, index: int | slice) -> Shard | Sequence[Shard]:
        if isinstance(index, slice):
            return tuple(self)[index]
        position = index + self._shards if index < 0 else index
        if not 0 <= position < self._shards:
            raise IndexError(index)
        return next(itertools.islice(self, position, None))


def _file_component(c: dict[str, Any], props: Mapping[str, str] | None = None) -> Shard | DocFile:
    """A dataset's file component (with its properties, when already read) as a shard, or a doc (card...)."""
    if props is None:
        props = _props(c.get("properties"))
    role = props.get(P.SHARD_ROLE, "shard")
    hashes = {h["alg"]: h["content"] for h in c.get("hashes") or []}
    if role == "shard":
        return _shard(c["name"], props, hashes)
    return DocFile(path=c["name"], kind=role, bytes=int(props[P.BYTES]), xxh3_128=props.get(P.HASH_XXH3, ""),
                   sha256=hashes.get("SHA-256"))


def dbom_from_document(doc: Any, label: str = "document", parts: Mapping[int, _Parts] | None = None) -> Dbom:
    """Build the internal model from a parsed CycloneDX JSON document.

    `parts`: the datasets' file components, streamed out of `doc` by the reader (by the dataset's
    index in `components`); without it, they are read from `doc`.
    """
    if not isinstance(doc, dict) or doc.get("bomFormat") != "CycloneDX":
        raise DbomFileError(label, "not a CycloneDX document (no \"bomFormat\": \"CycloneDX\")")
    metadata = doc.get("metadata") or {}
    model = metadata.get("component")
    if not isinstance(model, dict) or model.get("type") != "machine-learning-model":
        raise DbomFileError(label, "not a DBOM: metadata.component is not a machine-learning-model")
    parts = parts or {}
    try:
        datasets = tuple(
            _dataset(c, label, parts.get(i)) for i, c in enumerate(doc.get("components") or [])
            if isinstance(c, dict) and c.get("type") == "data"
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
            serial_number=doc.get("serialNumber") if isinstance(doc.get("serialNumber"), str) else None,
        )
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
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
        facts={k[len(P.MODEL_FACT_PREFIX):]: v for k, v in props.items() if k.startswith(P.MODEL_FACT_PREFIX)},
        eu_comments={k[len(P.MODEL_EU_COMMENT_PREFIX):]: v for k, v in props.items()
                     if k.startswith(P.MODEL_EU_COMMENT_PREFIX)},
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


def _dataset(c: dict[str, Any], label: str, parts: _Parts | None = None) -> Dataset:
    props = _props(c.get("properties"))
    refs = {r["type"]: r["url"] for r in c.get("externalReferences") or []}
    shards: Sequence[Shard] = ()
    docs: list[DocFile] = []
    if parts is not None:
        shards, docs = parts.shard_sequence(label), list(parts.docs)
    found = [_file_component(sub) for sub in c.get("components") or []]
    if found:  # a document built in memory, not streamed
        shards = (*shards, *(f for f in found if isinstance(f, Shard)))
        docs += [f for f in found if isinstance(f, DocFile)]
    digest = next((h["content"] for h in c.get("hashes") or [] if h["alg"] == "SHA-256"), "")
    license_ = _license(c.get("licenses"), props)
    if license_.url is None and "license" in refs:
        license_ = License(license_.expression, license_.name, license_.source, license_.acknowledgement,
                           refs["license"])
    if P.LICENSE_PATH in props:
        license_ = replace(license_, path=props[P.LICENSE_PATH])
    return Dataset(
        name=c["name"],
        shards=shards,
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
        hub=prov.read_hub(props, c, parts.blobs if parts is not None else ()),
        ancestors=prov.read_ancestors(c),
        datasets_info=prov.read_datasets_info(props),
        warnings=tuple(_all_props(c.get("properties"), P.WARNING)),
        url=props.get(P.SOURCE_URL),
        hub_ref=props.get(P.HUB_REF),
        profile=tuple((k, v) for k, v in props.items() if k.startswith(P.PROFILE_PREFIX)),
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
