"""Validate a CycloneDX JSON document: the official JSON schema plus the integrity rules it cannot express.

The schemas are the copies bundled in cyclonedx-python-lib (no network); they are compiled once per spec
version with jsonschema-rs, which is linear where python-jsonschema is quadratic on `uniqueItems`.
The integrity rules (unique bom-refs, references that resolve, `data`/`modelCard` only on the right
component types, hash length per algorithm) are checked in one walk of the document with an explicit
stack, so a document of any size or depth costs time linear in its size and no recursion.
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import heapq
import importlib.resources
import itertools
import json
import os
import pathlib
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import orjson
from xxhash import xxh3_128_digest

if TYPE_CHECKING:
    import jsonschema_rs

SUPPORTED_VERSIONS = ("1.5", "1.6", "1.7")
MAX_PROBLEMS = 50
# jsonschema-rs validates recursively in native code and overflows the stack (a segfault, not an
# exception) on very deep documents: measured at ~1000 JSON levels in a thread with a 512 KiB stack and
# ~30 000 levels on an 8 MiB main thread. Deeper documents get their integrity checks but no schema run.
MAX_SCHEMA_DEPTH = 1000
MAX_MESSAGE_CHARS = 300  # a validator message quotes the offending value, which may be large
MAX_LOCATION_CHARS = 240

SCHEMA_PACKAGE = "cyclonedx.schema._res"  # the lib's bundled schema files; it has no public path helper
_SCHEMA_BASE = "http://cyclonedx.org/schema/"
_REFERENCED_SCHEMAS = ("spdx", "jsf-0.82", "cryptography-defs")

_BOM_LINK_PREFIX = "urn:cdx:"  # a BOM-Link points into another BOM; not resolvable here
# Where a dict is a component: metadata.component, annotator.component, every `components` array
# (top level, nested, formula, tools, vulnerability tools) and the pedigree arrays.
_COMPONENT_KEYS = frozenset({"component", "components", "ancestors", "descendants", "variants"})
_DEPENDENCY_KEYS = frozenset({"dependencies", "taskDependencies"})
# Dicts with a `ref` to check: modelCard.modelParameters.datasets[], resourceReferences[], inputs/outputs
# `resource`.
_REF_HOLDER_KEYS = frozenset({"datasets", "resource", "resourceReferences"})
# Subtrees not walked: `properties` is always an array of {name, value} (a third of a shard's objects).
_LEAF_KEYS = frozenset({"properties"})
_HASH_HEX_LENGTHS: dict[str, tuple[int, ...]] = {
    "MD5": (32,),
    "SHA-1": (40,),
    "SHA-256": (64,),
    "SHA-384": (96,),
    "SHA-512": (128,),
    "SHA3-256": (64,),
    "SHA3-384": (96,),
    "SHA3-512": (128,),
    "BLAKE2b-256": (64,),
    "BLAKE2b-384": (96,),
    "BLAKE2b-512": (128,),
    "BLAKE3": (64, 96, 128),  # an extendable-output function: 256 bits by default, longer allowed
    "Streebog-256": (64,),
    "Streebog-512": (128,),
}
_HASH_CONTENT = re.compile(
    r"[0-9a-fA-F]{32}|[0-9a-fA-F]{40}|[0-9a-fA-F]{64}|[0-9a-fA-F]{96}|[0-9a-fA-F]{128}"
)
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_$-]+")
_FLAT_DEPTH = 2  # levels below a flat component: its `hashes` array and their objects
_MAX_INLINED = 32  # nested components arrays checked inline (recursion); deeper ones go on the explicit stack

_NOWHERE = object()


class _Problem(NamedTuple):
    """An integrity problem; locations are parent-linked `(parent, key_or_index)` chains, `None` = root,
    rendered to text only for the problems that are shown."""

    seq: int  # walk order = document order
    loc: Any
    text: str
    first: Any = _NOWHERE  # for a duplicate bom-ref: the location of its first occurrence


def validate_document(doc: dict[str, Any], spec_version: str | None = None) -> list[str]:
    """Return a list of problems (empty when valid): official JSON schema + integrity rules.

    `spec_version` is one of SUPPORTED_VERSIONS ("1.5", "1.6", "1.7"); by default the document's own
    `specVersion`. When given and the document declares another version, that is reported as a problem
    (the schema check still uses `spec_version`). Each problem is one line that starts with its JSON
    location, e.g. `components[3].components[17]: duplicate bom-ref "shard:x/a.parquet" (first at ...)`;
    after MAX_PROBLEMS lines a last line says how many more there are.

    Raises ValueError for an unsupported `spec_version` argument (a caller's mistake, not the document's).
    """
    if spec_version is not None and spec_version not in SUPPORTED_VERSIONS:
        raise ValueError(f"unsupported CycloneDX spec version {spec_version!r}; "
                         f"supported: {', '.join(SUPPORTED_VERSIONS)}")
    if not isinstance(doc, dict):
        return [f"(root): not a CycloneDX document: expected a JSON object, found {_json_type(doc)}"]
    if doc.get("bomFormat") != "CycloneDX":
        found = _quote(doc["bomFormat"]) if "bomFormat" in doc else "missing"
        return [f'bomFormat: not a CycloneDX document (bomFormat is {found}, expected "CycloneDX")']

    version, header = _version_header(doc.get("specVersion", _MISSING), spec_version)
    return _problems_of(doc, version, header, _Integrity())


_MISSING = object()


def _version_header(declared: Any, spec_version: str | None = None) -> tuple[str | None, list[str]]:
    """The schema version to check against (None: none) and the problems with the declared one
    (`declared` is _MISSING, or the document module's MISSING, when the document has none)."""
    from dbom.cyclonedx.document import MISSING

    header: list[str] = []
    missing = declared is _MISSING or declared is MISSING
    version = spec_version or (None if missing else declared)
    if spec_version is not None and not missing and declared != spec_version:
        header.append(f"specVersion: the document declares {_quote(declared)} "
                      f"but validation against {spec_version} was requested")
    if version not in SUPPORTED_VERSIONS:
        if not missing:
            header.append(f"specVersion: {_quote(version)} is not a supported CycloneDX version "
                          f"({', '.join(SUPPORTED_VERSIONS)}); schema not checked")
        else:
            header.append("specVersion: missing, so the schema version is unknown; schema not checked")
        version = None
    return version, header


class ValidatingSink:
    """Validates a document as dbom.cyclonedx.stream hands it over: each streamed component as it comes
    (StreamingValidator), the rest at the end (`problems`). Memory does not grow with the document's bulk."""

    spans = False  # reads nothing again

    def __init__(self) -> None:
        self.validator = StreamingValidator(None)
        self.header: list[str] = []

    def reset(self) -> None:
        """Forget what was seen: the document is read again."""
        self.validator = StreamingValidator(None)
        self.header = []

    def begin(self, spec_version: Any) -> None:
        """Check against the document's declared `spec_version` from now on."""
        version, self.header = _version_header(spec_version)
        self.validator = StreamingValidator(version)

    def item(self, component: dict[str, Any], loc: Any, text: bytes, source: Any, offset: int) -> None:
        """Validate one streamed component."""
        self.validator.item(component, loc)

    def problems(self, rest: Any) -> list[str]:
        """The document's problems (as `validate_document` finds them), given the rest of it."""
        if not isinstance(rest, dict):
            return [f"(root): not a CycloneDX document: expected a JSON object, found {_json_type(rest)}"]
        if rest.get("bomFormat") != "CycloneDX":
            found = _quote(rest["bomFormat"]) if "bomFormat" in rest else "missing"
            return [f'bomFormat: not a CycloneDX document (bomFormat is {found}, expected "CycloneDX")']
        return self.validator.finish(rest, list(self.header))


def _problems_of(doc: dict[str, Any], version: str | None, header: list[str], checker: _Integrity,
                 more_schema: Iterable[str] = (), check_schema: bool = True) -> list[str]:
    """Walk `doc` with `checker` (which may hold earlier pieces), run the schema; the capped problem list.

    `check_schema=False`: `doc` itself is known to pass the schema (only `more_schema` is reported).
    """
    checker.walk(doc, None, "", 1)
    schema: Iterable[str] = ()
    if not check_schema:
        schema = more_schema
    elif version is not None:
        if checker.max_depth > MAX_SCHEMA_DEPTH:
            header.append(f"(root): nesting depth {checker.max_depth} exceeds {MAX_SCHEMA_DEPTH}; "
                          "schema not checked")
        else:
            schema = itertools.chain(_schema_problems(doc, version), more_schema)
    return _capped(itertools.chain(header, schema, checker.problems()), MAX_PROBLEMS)


class StreamingValidator:
    """Validates a document while it is being written, without reading it back.

    The writer hands over each item of a large array (a dataset's file components) as it writes it
    (`item`), and at the end the rest of the document, with those arrays left empty (`finish`). The
    problems are those `validate_document` finds in the whole document: a component's schema does not
    depend on where it sits; `uniqueItems` on a components array holds when every item has its own
    bom-ref (checked with all bom-refs of the document), and items without one are compared by value.
    (Two identical items share their bom-ref: that is reported once, as the duplicate bom-ref, where
    the whole-document run reports it twice.)
    Memory holds one batch of items and the bom-refs, never the document; a file component costs
    ~2 us of schema and ~4 us of integrity checks, where parsing the written file back cost ~10 us.
    """

    BATCH = 512  # items per jsonschema-rs call: one call per item costs a fifth more

    def __init__(self, spec_version: str | None, known_lines: Collection[bytes] | None = None) -> None:
        """`spec_version`: the schema to check against, None for none (integrity rules only).
        `known_lines`: XXH3-128 digests of component lines that passed before (see validation_memo);
        None: no memo, so no digest is computed either."""
        if spec_version is not None and spec_version not in SUPPORTED_VERSIONS:
            raise ValueError(f"unsupported CycloneDX spec version {spec_version!r}")
        self.spec_version = spec_version
        self._known = known_lines
        self._lines: list[bytes] = []  # digests of the lines checked (or known) to be valid on their own
        self._checker = _Integrity()
        self._batch: list[tuple[Any, Any]] = []  # (component, location)
        self._schema: list[str] = []
        self._anonymous: set[tuple[Any, str]] = set()  # (array location, canonical JSON) of items without bom-ref
        self._duplicates: list[str] = []
        self.problems: list[str] = []  # set by `finish`
        self._array: Any = None
        self._depth = 0

    def item(self, component: dict[str, Any], loc: Any, line: bytes | None = None) -> None:
        """Check one component that sits at `loc` (a `(parent, index)` chain) in a components array.

        `line` is its JSON text as written: when it is one of the known lines, only what depends on
        the rest of the document (a unique bom-ref) is checked.
        """
        if loc[0] is not self._array:  # the items of one array share their parent location
            self._array, self._depth = loc[0], len(_loc_segments(loc)) + 1
        digest = None
        if line is not None and self._known is not None:
            digest = xxh3_128_digest(line)
            # a known line with a bom-ref of its own: only that bom-ref is left to check
            if digest in self._known and (ref := component.get("bom-ref")).__class__ is str:
                self._checker.note_claimed(ref, loc, self._depth + _FLAT_DEPTH)
                self._lines.append(digest)
                return
        if self._checker.component(component, loc, self._depth, streamed=True) and digest is not None:
            self._lines.append(digest)
        if "bom-ref" not in component:
            canonical = xxh3_128_digest(json.dumps(component, sort_keys=True, ensure_ascii=False)
                                        .encode("utf-8", "surrogatepass"))
            if (loc[0], canonical) in self._anonymous:
                self._duplicates.append(f"{_render_loc(loc)}: the same component twice in one array "
                                        "(the schema asks for uniqueItems)")
            self._anonymous.add((loc[0], canonical))
        if self.spec_version is not None and self._checker.max_depth <= MAX_SCHEMA_DEPTH:  # deeper: see `finish`
            self._batch.append((component, loc))
            if len(self._batch) >= self.BATCH:
                self._flush()

    def known_items(self, loc: Any, ref_digests: bytes, ref_of: Callable[[int], str]) -> None:
        """Components from `loc` on (an array location and the first index), one a 16-byte digest of
        their bom-ref in `ref_digests`, whose lines passed this validator before
        (copied from a dataset's kept lines, dbom.scanning.snapshot_lines): only their bom-refs are
        left to check. `ref_of(i)` tells the i-th bom-ref, for a problem's message.
        """
        if loc[0] is not self._array:
            self._array, self._depth = loc[0], len(_loc_segments(loc)) + 1
        self._checker.note_claimed_many(ref_digests, loc, self._depth + _FLAT_DEPTH, ref_of)
        # (their digests are not remembered in the memo: the next write copies them again, or finds them
        # in the kept lines, see `also_valid`)

    def also_valid(self, line_digests: bytes) -> None:
        """Take the lines whose digests (16 bytes each) `line_digests` holds as known to pass, as the memo's."""
        if isinstance(self._known, set):
            self._known.update([line_digests[i:i + 16] for i in range(0, len(line_digests), 16)])

    def finish(self, doc: dict[str, Any], header: list[str] | None = None) -> list[str]:
        """The problems of the whole document, given the rest of it (the streamed arrays empty).

        `header`: the problems with the document's `specVersion` already found (a document read back);
        None: the document was written for `spec_version`, and says so or gets a problem.
        """
        self._flush()
        if header is not None:
            self.problems = _problems_of(doc, self.spec_version, header, self._checker,
                                         itertools.chain(self._schema, self._duplicates))
            return self.problems
        header = []
        if doc.get("specVersion") != self.spec_version:
            header.append(f"specVersion: the document declares {_quote(doc.get('specVersion'))} "
                          f"but validation against {self.spec_version} was requested")
        digest = None
        if self._known is not None:  # the rest of the document is known valid when its text passed before
            with contextlib.suppress(orjson.JSONEncodeError):
                digest = xxh3_128_digest(b"document\0" + orjson.dumps(doc, option=orjson.OPT_SORT_KEYS))
        known = digest is not None and digest in self._known and not header  # type: ignore[operator]
        self.problems = _problems_of(doc, self.spec_version, header, self._checker,
                                     itertools.chain(self._schema, self._duplicates), check_schema=not known)
        if digest is not None:
            self._lines.append(digest)
        return self.problems

    def valid_lines(self) -> list[bytes]:
        """After `finish` without problems: the digests to remember as valid (the lines and the rest of
        the document); else []."""
        return [] if self.problems else self._lines

    def _flush(self) -> None:
        if not self._batch:
            return
        values = [component for component, _ in self._batch]
        validator = _component_validator(self.spec_version)
        if not validator.is_valid(values):
            for error in validator.iter_errors(values):
                index, *rest = error.instance_path
                where = _render_path([*_loc_segments(self._batch[index][1]), *rest])
                self._schema.append(f"{where}: {_one_line(error.message)}")
        self._batch.clear()


def validate_file(path: pathlib.Path) -> list[str]:
    """Read a JSON file and validate it; a file that is not JSON / not CycloneDX gives a problem.

    Never raises for a bad file: an unreadable file, invalid JSON or a non-CycloneDX document each give
    one problem instead of a traceback.

    The problems are those of `validate_document` (against the file's own `specVersion`); they do not
    repeat the file name, so a caller prints them as `f"{path}: {problem}"`.
    """
    from dbom.cyclonedx.document import NotCycloneDX
    from dbom.cyclonedx.stream import stream_document

    sink = ValidatingSink()
    try:
        rest = stream_document(pathlib.Path(path), sink)
    except OSError as exc:
        return [f"(file): cannot read: {exc.strerror or exc}"]
    except NotCycloneDX as exc:
        return [f"{exc.where}: {_one_line(exc.cause)}"]
    return sink.problems(rest)


class ChildValidation:
    """`validate_file` of a large file in a child Python process, so that a reader can build its model
    from the same file on the other core meanwhile (each takes about as long as json.load of it).

    The child is the running interpreter with `-m dbom.cyclonedx.validate` (no `multiprocessing`: it
    would import the caller's `__main__` again). `problems()` waits for it; None when it could not
    run or answer (the caller then validates in its own process).
    """

    def __init__(self, path: pathlib.Path) -> None:
        import subprocess
        import sys

        try:
            self._child: Any = subprocess.Popen(
                [sys.executable, "-m", "dbom.cyclonedx.validate", os.fspath(path)],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        except OSError:
            self._child = None

    def problems(self) -> list[str] | None:
        """The file's problems, as `validate_file` gives them; None when the child gave no answer."""
        if self._child is None:
            return None
        out, _ = self._child.communicate()
        if self._child.returncode != 0:
            return None
        try:
            answer = orjson.loads(out)
        except orjson.JSONDecodeError:
            return None
        return answer if isinstance(answer, list) and all(isinstance(p, str) for p in answer) else None

    def cancel(self) -> None:
        """Stop the child (the reader failed first)."""
        if self._child is not None and self._child.poll() is None:
            self._child.kill()
            self._child.wait()


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")  # Python's json accepts NaN and Infinity; JSON does not


# --- schema ------------------------------------------------------------------------------------------


def _load_schema(name: str) -> Any:
    resource = importlib.resources.files(SCHEMA_PACKAGE) / name
    return json.loads(resource.read_text(encoding="utf-8"))


@functools.cache  # == lru_cache(maxsize=None): one compiled validator per version
def _validator(version: str) -> jsonschema_rs.Draft7Validator:
    """The compiled Draft-7 validator for one spec version, with the referenced schemas served locally."""
    import jsonschema_rs  # imported on first use: a re-scan whose lines are all known needs no schema run

    return jsonschema_rs.Draft7Validator(
        _load_schema(f"bom-{version}.SNAPSHOT.schema.json"),
        validate_formats=True,
        registry=jsonschema_rs.Registry(_referenced_resources()),
        offline=True,  # a reference missing from the registry is a compile error, never a download
    )


@functools.cache
def _component_validator(version: str) -> jsonschema_rs.Draft7Validator:
    """A validator for an array of components: `definitions/component` of the version's bom schema."""
    import jsonschema_rs

    bom_id = f"{_SCHEMA_BASE}bom-{version}.schema.json"
    resources = [*_referenced_resources(), (bom_id, _load_schema(f"bom-{version}.SNAPSHOT.schema.json"))]
    return jsonschema_rs.Draft7Validator(
        {"type": "array", "items": {"$ref": f"{bom_id}#/definitions/component"}},
        validate_formats=True,
        registry=jsonschema_rs.Registry(resources),
        offline=True,
    )


def _referenced_resources() -> list[tuple[str, Any]]:
    resources: list[tuple[str, Any]] = []
    for name in _REFERENCED_SCHEMAS:
        schema = _load_schema(f"{name}.SNAPSHOT.schema.json")
        # The bundled bom schemas refer to `<name>.SNAPSHOT.schema.json`, upstream ones to
        # `<name>.schema.json`: serve both names.
        resources.append((f"{_SCHEMA_BASE}{name}.SNAPSHOT.schema.json", schema))
        resources.append((f"{_SCHEMA_BASE}{name}.schema.json", schema))
    return resources


def _schema_problems(doc: Any, version: str) -> Iterator[str]:
    """One line per schema violation: the instance path and the validator's message."""
    for error in _validator(version).iter_errors(doc):
        yield f"{_render_path(error.instance_path)}: {_one_line(error.message)}"


# --- integrity ---------------------------------------------------------------------------------------


class _Integrity:
    """The integrity rules, checked over one or more walks that share one set of bom-refs.

    A whole document is one walk from the root; a document written piece by piece is one walk per
    piece (each at its own location) and the problems are asked for once all pieces were seen.
    """

    def __init__(self) -> None:
        self._problems: list[_Problem] = []
        self._refs: list[tuple[int, Any, str]] = []  # (seq, location, referenced bom-ref)
        self.seen: dict[str, Any] = {}  # bom-ref -> location of its first occurrence
        self.streamed = _StreamedRefs()  # the bom-refs of streamed components, kept compact
        self.max_depth = 0
        self._seq = 0
        self._inlined = 0  # components arrays being checked inline by `walk` (each a few Python frames)

    def walk(self, root: Any, root_loc: Any, root_key: str, root_depth: int) -> None:
        """Check `root` (found under `root_key` at `root_loc`, `root_depth` levels deep) and all below it."""
        problems, refs, seen = self._problems, self._refs, self.seen
        seq, max_depth = self._seq, self.max_depth
        # (value, location, key it sits under (arrays pass theirs to their items), depth)
        stack: list[tuple[Any, Any, str, int]] = [(root, root_loc, root_key, root_depth)]
        pop, push = stack.pop, stack.append
        while stack:
            node, loc, key, depth = pop()
            seq += 1
            if depth > max_depth:
                max_depth = depth
            if isinstance(node, list):
                if key in _COMPONENT_KEYS and self._inlined < _MAX_INLINED:
                    # the items of a components array, in order, the common flat shape checked inline (twice
                    # as fast); `component` walks what else is below an item, a bounded number of levels deep
                    self._seq, self.max_depth = seq, max_depth
                    self._inlined += 1
                    for i, item in enumerate(node):
                        if item.__class__ is dict or item.__class__ is list:
                            self.component(item, (loc, i), depth + 1)
                    self._inlined -= 1
                    seq, max_depth = self._seq, self.max_depth
                    continue
                for i in range(len(node) - 1, -1, -1):  # pushed in reverse, so popped in document order
                    if isinstance(node[i], (dict, list)):
                        push((node[i], (loc, i), key, depth + 1))
                continue
            ref = node.get("bom-ref")
            if isinstance(ref, str):
                if ref in seen:
                    problems.append(_Problem(seq, loc, f"duplicate bom-ref {_quote(ref)}", seen[ref]))
                else:
                    seen[ref] = loc
            if key in _COMPONENT_KEYS:
                problems.extend(_Problem(seq, loc, text) for text in _placement_problems(node))
            elif key == "hashes":
                text = _hash_problem(node)
                if text:
                    problems.append(_Problem(seq, loc, text))
            elif key in _DEPENDENCY_KEYS:
                if isinstance(node.get("ref"), str):
                    refs.append((seq, (loc, "ref"), node["ref"]))
                for field in ("dependsOn", "provides"):
                    targets = node.get(field)
                    if isinstance(targets, list):
                        refs.extend((seq, ((loc, field), i), target)
                                    for i, target in enumerate(targets) if isinstance(target, str))
            elif key in _REF_HOLDER_KEYS and isinstance(node.get("ref"), str):
                refs.append((seq, (loc, "ref"), node["ref"]))
            children = [(v, (loc, k), k, depth + 1) for k, v in node.items()
                        if isinstance(v, (dict, list)) and k not in _LEAF_KEYS]
            children.reverse()
            stack.extend(children)
        self._seq, self.max_depth = seq, max_depth

    def note_claimed(self, ref: str, loc: Any, depth: int) -> None:
        """Record the bom-ref `ref` of a streamed component at `loc` known to be valid on its own, reaching
        `depth` levels."""
        self._seq += 1
        self.streamed.add(ref, loc, self._seq)
        if depth > self.max_depth:
            self.max_depth = depth

    def note_claimed_many(self, ref_digests: bytes, loc: Any, depth: int, ref_of: Callable[[int], str]) -> None:
        """`note_claimed` for components from `loc` on, given the digests of their bom-refs (16 bytes each)."""
        count = len(ref_digests) // 16
        self.streamed.add_many(ref_digests, loc, self._seq + 1, ref_of)
        self._seq += count
        if count and depth > self.max_depth:
            self.max_depth = depth

    def _note_ref(self, ref: str, loc: Any) -> None:
        """Record the bom-ref `ref` at `loc`; a second one is a duplicate (`walk` inlines the same)."""
        first = self.seen.setdefault(ref, loc)
        if first is not loc:
            self._problems.append(_Problem(self._seq, loc, f"duplicate bom-ref {_quote(ref)}", first))

    def component(self, node: Any, loc: Any, depth: int, streamed: bool = False) -> bool:
        """`walk` of one item of a components array, with the common flat shape checked inline.

        A file component is a flat object plus `hashes` (flat objects) and `properties` (not walked):
        three of every four objects below it; anything else below it goes through `walk`. True when
        the item had that shape (so it reaches at most _FLAT_DEPTH levels below `depth`).
        """
        if not isinstance(node, dict):
            self.walk(node, loc, "components", depth)
            return False
        flat = True
        problems = self._problems
        self._seq += 1
        seq = self._seq
        ref = node.get("bom-ref")
        if ref.__class__ is str:
            if streamed:
                self.streamed.add(ref, loc, seq)
            else:
                self._note_ref(ref, loc)
        if "data" in node or "modelCard" in node:
            problems.extend(_Problem(seq, loc, text) for text in _placement_problems(node))
        deepest = depth
        for key, value in node.items():
            cls = value.__class__
            if (cls is not list and cls is not dict) or key in _LEAF_KEYS:
                continue  # (only exact dicts and lists come out of json.loads and our writer)
            if key != "hashes" or cls is not list:
                self.walk(value, (loc, key), key, depth + 1)
                flat = False
                continue
            deepest = max(deepest, depth + 2 if value else depth + 1)
            for i, entry in enumerate(value):
                if entry.__class__ is not dict or len(entry) > 2:  # not {alg, content}: what else is in it too
                    self.walk(entry, ((loc, key), i), key, depth + 2)
                    flat = False
                    continue
                alg, content = entry.get("alg"), entry.get("content")
                lengths = _HASH_HEX_LENGTHS.get(alg) if alg.__class__ is str else None
                if lengths is not None and content.__class__ is str and len(content) not in lengths:
                    text = _hash_problem(entry)
                    if text:
                        problems.append(_Problem(seq, ((loc, key), i), text))
        if deepest > self.max_depth:
            self.max_depth = deepest
        return flat

    def problems(self) -> Iterator[str]:
        """The problems of all walks so far, dangling references included, in the order they were met."""
        seen, streamed = self.seen, self.streamed
        found = self._problems
        if streamed:
            found = sorted([*found, *streamed.duplicates(seen)], key=lambda p: p.seq)
        asked = [ref for _, _, ref in self._refs if ref not in seen and not ref.startswith(_BOM_LINK_PREFIX)]
        unknown = set(streamed.absent(asked)) if asked else set()
        dangling = (_Problem(s, loc, f"reference {_quote(ref)} does not match any bom-ref in the document")
                    for s, loc, ref in self._refs if ref in unknown)
        ordered = heapq.merge(found, dangling, key=lambda p: p.seq)
        return (_render_problem(p) for p in ordered)


class _StreamedRefs:
    """The bom-refs of streamed components, about 100 bytes each whatever their length: their XXH3-128 digests
    in order, to find where a repeated one was first seen, and the seq of each.

    Those added one by one (`add`, components made by this write) go into a set of their digests (as ints) as
    they come, so that a repeat is found at once. Those added many at a time (`add_many`, lines copied from an
    earlier write: up to a dataset's 10^6 at once) do not: a set lookup costs about a microsecond once the set
    outgrows the processor's caches, and a rescan that patched a dataset adds its 10^6 copied bom-refs in 10^4
    runs. Their repeats are found once, at the end, by sorting every digest (numpy), which also answers
    whether a bom-ref is among them.

    A location is kept per run of consecutive items of one array (a dataset's file components), so
    the location of any item can be told again from its number.
    """

    def __init__(self) -> None:
        from array import array

        self._seen: set[int] = set()  # of the bom-refs added one by one
        self._digests = bytearray()  # 16 bytes an item, in order
        self._seqs = array("q")  # each item's seq
        self._repeats: list[tuple[int, int, str]] = []  # (seq, number, bom-ref) of each repeat found one by one
        self._runs: list[tuple[int, Any, int]] = []  # (number of the run's first item, array location, its index)
        self._bulk: list[tuple[int, int, Callable[[int], str]]] = []  # (first number, count, bom-ref teller)
        self._sorted: tuple[int, Any, Any, Any] | None = None  # (items then, order, his, los): `_sorted_keys`
        self._last: tuple[Any, int] = (_NOWHERE, -2)
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def add(self, ref: str, loc: Any, seq: int) -> None:
        """Note the bom-ref `ref` of the component at `loc` (an `(array location, index)` pair)."""
        array_loc, index = loc
        last_array, last_index = self._last
        if array_loc is not last_array or index != last_index + 1:
            self._runs.append((self._count, array_loc, index))
        self._last = (array_loc, index)
        digest = xxh3_128_digest(ref.encode("utf-8", "surrogatepass"))
        key = int.from_bytes(digest, "little")
        if key in self._seen:
            self._repeats.append((seq, self._count, ref))
        else:
            self._seen.add(key)
        self._digests += digest
        self._seqs.append(seq)
        self._count += 1

    def add_many(self, digests: bytes, loc: Any, seq: int, ref_of: Callable[[int], str]) -> None:
        """`add` for the components from `loc` on (an `(array location, index)` pair), given their bom-refs'
        digests (16 bytes each), the first numbered `seq`; `ref_of(i)` tells the i-th bom-ref."""
        count = len(digests) // 16
        if not count:
            return
        array_loc, index = loc
        last_array, last_index = self._last
        if array_loc is not last_array or index != last_index + 1:
            self._runs.append((self._count, array_loc, index))
        self._last = (array_loc, index + count - 1)
        self._bulk.append((self._count, count, ref_of))
        self._digests += digests
        self._seqs.extend(range(seq, seq + count))
        self._count += count

    def __contains__(self, ref: object) -> bool:
        return isinstance(ref, str) and not self.absent([ref])

    def absent(self, refs: Sequence[str]) -> list[str]:
        """Those of `refs` that no streamed component has as its bom-ref (in one pass over them all)."""
        import numpy as np

        digests = [xxh3_128_digest(ref.encode("utf-8", "surrogatepass")) for ref in refs]
        seen = self._seen
        unknown = [i for i, digest in enumerate(digests) if int.from_bytes(digest, "little") not in seen]
        if not unknown or not self._bulk:
            return [refs[i] for i in unknown]
        _, _, his, los = self._sorted_keys()
        asked = np.frombuffer(b"".join(digests[i] for i in unknown), dtype="<u8").reshape(-1, 2)
        at = his.searchsorted(asked[:, 1])
        inside = np.minimum(at, len(his) - 1)
        hit = (at < len(his)) & (his[inside] == asked[:, 1]) & (los[inside] == asked[:, 0])
        missing = []
        for j in np.flatnonzero(~hit).tolist():  # not the first of its high half: look at the others of it
            start, end = int(at[j]), int(his.searchsorted(asked[j, 1], "right"))
            if not (los[start:end] == asked[j, 0]).any():
                missing.append(refs[unknown[j]])
        return missing

    def _sorted_keys(self) -> tuple[int, Any, Any, Any]:
        """(the items counted, the order that sorts their digests by their high half, and the sorted digests'
        high and low halves): one sort of contiguous 64-bit keys, 0.06 s at 10^6 where a sort of both
        halves took 0.4-0.5 s; digests that share a high half (a repeat, or a 64-bit coincidence) are told
        apart by their low half where it matters."""
        import numpy as np

        if self._sorted is None or self._sorted[0] != self._count:
            halves = np.frombuffer(bytes(self._digests), dtype="<u8").reshape(-1, 2)
            high = np.ascontiguousarray(halves[:, 1])
            order = np.argsort(high)
            self._sorted = (self._count, order, high[order], halves[order, 0])
        return self._sorted

    def _bulk_repeats(self) -> list[tuple[int, int, str]]:
        """(seq, number, bom-ref) of each repeat that involves an item added many at a time (`add` found the others)."""
        import numpy as np

        if not self._bulk:
            return []
        _, order, his, los = self._sorted_keys()
        shared = np.flatnonzero(his[1:] == his[:-1])  # sorted position i + 1 has the high half of i
        if not len(shared):
            return []
        told = {number for _, number, _ in self._repeats}
        found = []
        groups: dict[tuple[int, int], list[int]] = {}  # (high, low) -> the numbers of the items with that digest
        for at in sorted({int(i) for i in shared} | {int(i) + 1 for i in shared}):
            groups.setdefault((int(his[at]), int(los[at])), []).append(int(order[at]))
        for numbers in groups.values():
            numbers.sort()  # the first of a digest is the one the others repeat
            for number in numbers[1:]:
                if number in told:
                    continue
                ref = self._bulk_ref(number)
                if ref is None:  # added one by one: an earlier item of the same digest was added many at a time
                    ref = next(r for r in map(self._bulk_ref, numbers) if r is not None)
                found.append((self._seqs[number], number, ref))
        return found

    def _bulk_ref(self, number: int) -> str | None:
        """The bom-ref of item `number` when it was added many at a time, else None."""
        run = bisect.bisect_right(self._bulk, number, key=lambda r: r[0]) - 1
        if run < 0:
            return None
        first, count, ref_of = self._bulk[run]
        return ref_of(number - first) if number < first + count else None

    def duplicates(self, seen: dict[str, Any]) -> list[_Problem]:
        """A problem for each streamed component whose bom-ref an earlier one (or one in `seen`) has."""
        problems = [_Problem(seq, self._loc(number), f"duplicate bom-ref {_quote(ref)}", self._loc(self._first(ref)))
                    for seq, number, ref in [*self._repeats, *self._bulk_repeats()]]
        elsewhere = list(seen)
        absent = set(self.absent(elsewhere)) if elsewhere else set()
        for ref, where in seen.items():  # a bom-ref both on a streamed component and elsewhere (a dataset...)
            if ref not in absent:
                streamed = self._loc(self._first(ref))
                later, first = (where, streamed) if _precedes(streamed, where) else (streamed, where)
                problems.append(_Problem(0, later, f"duplicate bom-ref {_quote(ref)}", first))
        return problems

    def _first(self, ref: str) -> int:
        """The number of the first streamed component with the bom-ref `ref` (which one has)."""
        digest = xxh3_128_digest(ref.encode("utf-8", "surrogatepass"))
        at = self._digests.find(digest)
        while at % 16:  # a match across two digests: look on
            at = self._digests.find(digest, at + 1)
        return at // 16

    def _loc(self, number: int) -> Any:
        run = bisect.bisect_right(self._runs, number, key=lambda r: r[0]) - 1
        first, array_loc, index = self._runs[run]
        return (array_loc, index + number - first)


# The top-level keys in the order dbom writes them (a foreign document's order is unknown: this one is taken)
_TOP_LEVEL_ORDER = ("$schema", "bomFormat", "specVersion", "serialNumber", "version", "metadata", "components",
                    "services", "externalReferences", "dependencies", "compositions", "formulation")


def _precedes(a: Any, b: Any) -> bool:
    """Whether the location `a` comes before `b` in the document: by array index where they part; at a
    key, by the order dbom writes the top level in, else (keys of one object) `b` is taken to come first."""
    for x, y in zip(_loc_segments(a), _loc_segments(b), strict=False):
        if x == y:
            continue
        if isinstance(x, int) and isinstance(y, int):
            return x < y
        if x in _TOP_LEVEL_ORDER and y in _TOP_LEVEL_ORDER:
            return _TOP_LEVEL_ORDER.index(x) < _TOP_LEVEL_ORDER.index(y)
        return False
    return len(_loc_segments(a)) < len(_loc_segments(b))


def _placement_problems(component: dict[str, Any]) -> list[str]:
    """`data` only on data components, `modelCard` only on models."""
    ctype = component.get("type")
    found = []
    if isinstance(ctype, str):
        if "data" in component and ctype != "data":
            found.append(f'"data" is only allowed on components of type "data", not {_quote(ctype)}')
        if "modelCard" in component and ctype != "machine-learning-model":
            found.append(f'"modelCard" is only allowed on components of type "machine-learning-model", '
                         f'not {_quote(ctype)}')
    return found


def _hash_problem(entry: dict[str, Any]) -> str | None:
    """A hash whose hex length does not fit its algorithm (the schema accepts any of five lengths)."""
    alg, content = entry.get("alg"), entry.get("content")
    if isinstance(alg, str) and isinstance(content, str) and _HASH_CONTENT.fullmatch(content):
        lengths = _HASH_HEX_LENGTHS.get(alg)
        if lengths is not None and len(content) not in lengths:
            return f"{alg} hash has {len(content)} hex digits, expected {' or '.join(map(str, lengths))}"
    return None


def _render_problem(problem: _Problem) -> str:
    text = f"{_render_loc(problem.loc)}: {problem.text}"
    if problem.first is not _NOWHERE:
        text += f" (first at {_render_loc(problem.first)})"
    return text


# --- formatting --------------------------------------------------------------------------------------


def _render_loc(loc: Any) -> str:
    return _render_path(_loc_segments(loc))


def _loc_segments(loc: Any) -> list[str | int]:
    segments: list[str | int] = []
    while loc is not None:
        loc, segment = loc
        segments.append(segment)
    segments.reverse()
    return segments


def _render_path(segments: Iterable[str | int]) -> str:
    out: list[str] = []
    for segment in segments:
        if isinstance(segment, int):
            out.append(f"[{segment}]")
        elif _PLAIN_KEY.fullmatch(segment):
            out.append(f".{segment}" if out else segment)
        else:
            out.append(f"[{_quote(segment)}]")
    text = "".join(out) or "(root)"
    if len(text) > MAX_LOCATION_CHARS:  # a very deep location: keep its start and its end
        text = f"{text[: MAX_LOCATION_CHARS // 3]}…{text[-(MAX_LOCATION_CHARS * 2 // 3) :]}"
    return text


def _capped(problems: Iterable[str], limit: int) -> list[str]:
    it = iter(problems)
    shown = list(itertools.islice(it, limit))
    rest = sum(1 for _ in it)
    if rest:
        shown.append(f"... and {rest} more problem{'s' if rest > 1 else ''}")
    return shown


def _one_line(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_MESSAGE_CHARS else text[: MAX_MESSAGE_CHARS - 1] + "…"


def _quote(value: Any) -> str:
    """A string in JSON quotes; another scalar with its JSON type; an array or object by its type only."""
    if isinstance(value, str):
        return _one_line(json.dumps(value, ensure_ascii=False))
    if isinstance(value, (dict, list)):
        return _json_type(value)
    return f"{json.dumps(value)} ({_json_type(value)})"


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


if __name__ == "__main__":  # the child of ChildValidation: the problems of the file named, as a JSON list
    import gc
    import sys

    gc.disable()  # a short-lived process that makes no reference cycles
    sys.stdout.buffer.write(orjson.dumps(validate_file(pathlib.Path(sys.argv[1]))))
