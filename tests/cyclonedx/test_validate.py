"""dbom.cyclonedx.validate: the official schema (jsonschema-rs) plus the integrity rules it cannot express."""

from __future__ import annotations

import importlib.resources
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator
from referencing import Registry
from referencing.jsonschema import DRAFT7

from dbom.cyclonedx import validate as validate_module
from dbom.cyclonedx.validate import MAX_PROBLEMS, validate_document, validate_file

Doc = dict[str, Any]
Mutation = Callable[[Doc], None]

BOTH = ("1.6", "1.7")


@pytest.fixture
def example_bom() -> Doc:
    """The example DBOM (see `cyclonedx_example` at the end), specVersion 1.6; each test gets its own copy."""
    return cyclonedx_example("1.6")


def _shard(doc: Doc) -> Doc:
    return doc["components"][0]["components"][0]


def _workflow(doc: Doc) -> Doc:
    return doc["formulation"][0]["workflows"][0]


def _with_version(doc: Doc, version: str) -> Doc:
    doc["specVersion"] = version
    doc["$schema"] = f"http://cyclonedx.org/schema/bom-{version}.schema.json"
    return doc


def _set(path: str, value: Any) -> Mutation:
    """A mutation that sets `doc[a][b]...[z] = value` for a path like "components.0.data.0.type"."""
    *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]

    def mutate(doc: Doc) -> None:
        node: Any = doc
        for p in parents:
            node = node[p]
        node[last] = value

    return mutate


def _mixed_licenses(doc: Doc) -> None:
    doc["components"][0]["licenses"].append({"expression": "CC-BY-4.0"})


def _drop_workflow_task_types(doc: Doc) -> None:
    del _workflow(doc)["taskTypes"]


# dotted paths for `_set`, and the same places as the validator names them
SHARD, SHARD_AT = "components.0.components.0", "components[0].components[0]"
WORKFLOW, WORKFLOW_AT = "formulation.0.workflows.0", "formulation[0].workflows[0]"
PARAMS = PARAMS_AT = "metadata.component.modelCard.modelParameters"

# (id, mutation, location (a prefix) the schema error is reported at): invalid under both 1.6 and 1.7
SCHEMA_CASES: list[tuple[str, Mutation, str]] = [
    ("xxh3-alg", _set(f"{SHARD}.hashes.0.alg", "XXH3-128"), f"{SHARD_AT}.hashes[0].alg"),
    ("16-hex-hash", _set(f"{SHARD}.hashes.0.content", "a1b2c3d4e5f60718"), f"{SHARD_AT}.hashes[0].content"),
    ("modelParameters-properties", _set(f"{PARAMS}.properties", [{"name": "x", "value": "y"}]), PARAMS_AT),
    ("taskTypes-transform", _set(f"{WORKFLOW}.tasks.0.taskTypes", ["transform"]),
     f"{WORKFLOW_AT}.tasks[0].taskTypes[0]"),
    ("workflow-without-taskTypes", _drop_workflow_task_types, WORKFLOW_AT),
    ("unknown-license-id", _set("components.0.licenses.0.license.id", "Not-A-Real-License"),
     "components[0].licenses"),
    ("data-type-training-set", _set("components.0.data.0.type", "training-set"),
     "components[0].data[0].type"),
]

_NO_MATCH = "does not match any bom-ref in the document"


def _dangling(at: str, ref: str) -> list[str]:
    return [f"{at}: reference {json.dumps(ref)} {_NO_MATCH}"]


def _duplicate(at: str, ref: str, first_at: str) -> list[str]:
    return [f"{at}: duplicate bom-ref {json.dumps(ref)} (first at {first_at})"]


# (id, mutation, the exact problem list): schema-valid, only the integrity rules catch them
INTEGRITY_CASES: list[tuple[str, Mutation, list[str]]] = [
    ("sha256-with-32-hex", _set(f"{SHARD}.hashes.0.content", "a1b2c3d4e5f60718293a4b5c6d7e8f90"),
     [f"{SHARD_AT}.hashes[0]: SHA-256 hash has 32 hex digits, expected 64"]),
    ("duplicate-bom-ref", _set(f"{SHARD}.bom-ref", "code:corpus-tools@3f2a9c1"),
     _duplicate("components[1]", "code:corpus-tools@3f2a9c1", SHARD_AT)),
    ("duplicate-bom-ref-in-pedigree",
     _set("components.2.pedigree.ancestors.0.bom-ref", "data:allenai/c4@1588ec4"),
     _duplicate("components[2].pedigree.ancestors[0]", "data:allenai/c4@1588ec4", "components[0]")),
    ("duplicate-bom-ref-workflow", _set(f"{WORKFLOW}.bom-ref", "data:c4-en-dedup@v1"),
     _duplicate(WORKFLOW_AT, "data:c4-en-dedup@v1", "components[2]")),
    ("dangling-dataset-ref", _set(f"{PARAMS}.datasets.0.ref", "data:gone@v0"),
     _dangling(f"{PARAMS_AT}.datasets[0].ref", "data:gone@v0")),
    ("dangling-dependsOn", _set("dependencies.0.dependsOn.0", "data:gone@v0"),
     _dangling("dependencies[0].dependsOn[0]", "data:gone@v0")),
    ("dangling-dependency-ref", _set("dependencies.3.ref", "code:gone"),
     _dangling("dependencies[3].ref", "code:gone")),
    ("dangling-resourceReferences", _set(f"{WORKFLOW}.resourceReferences.0.ref", "code:gone"),
     _dangling(f"{WORKFLOW_AT}.resourceReferences[0].ref", "code:gone")),
    ("dangling-input-resource", _set(f"{WORKFLOW}.inputs.0.resource.ref", "data:gone"),
     _dangling(f"{WORKFLOW_AT}.inputs[0].resource.ref", "data:gone")),
    ("dangling-output-resource", _set(f"{WORKFLOW}.tasks.1.outputs.0.resource.ref", "data:gone"),
     _dangling(f"{WORKFLOW_AT}.tasks[1].outputs[0].resource.ref", "data:gone")),
    ("dangling-taskDependencies", _set(f"{WORKFLOW}.taskDependencies.0.dependsOn.0", "task:gone"),
     _dangling(f"{WORKFLOW_AT}.taskDependencies[0].dependsOn[0]", "task:gone")),
    ("data-on-application", _set("components.1.data", [{"type": "source-code", "name": "corpus-tools"}]),
     ['components[1]: "data" is only allowed on components of type "data", not "application"']),
    ("modelCard-on-data", _set("components.2.modelCard", {"considerations": {"users": ["x"]}}),
     ['components[2]: "modelCard" is only allowed on components of type "machine-learning-model", '
      'not "data"']),
]

BOM_LINK = "urn:cdx:0b7f3f2e-8d5c-4c3e-9a51-6b8e2f1d4c7a/1#data:elsewhere"

# schema- and integrity-valid variations
VALID_CASES: list[tuple[str, Mutation]] = [
    ("bom-link-dependsOn", lambda d: d["dependencies"][0]["dependsOn"].append(BOM_LINK)),
    ("bom-link-dataset-ref", _set(f"{PARAMS}.datasets.0.ref", BOM_LINK)),
    ("md5-32-hex", _set(f"{SHARD}.hashes", [{"alg": "MD5", "content": "ab" * 16}])),
    ("sha512-and-blake3", _set(f"{SHARD}.hashes", [{"alg": "SHA-512", "content": "cd" * 64},
                                                   {"alg": "BLAKE3", "content": "ef" * 32}])),
    ("sha1-and-sha384", _set(f"{SHARD}.hashes", [{"alg": "SHA-1", "content": "01" * 20},
                                                 {"alg": "SHA-384", "content": "23" * 48}])),
]


def _mutated(example: Doc, version: str, mutate: Mutation) -> Doc:
    doc = _with_version(example, version)
    mutate(doc)
    return doc


# --- the example ------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", BOTH)
def test_example_is_valid(example_bom: Doc, version: str) -> None:
    assert validate_document(_with_version(example_bom, version)) == []
    assert validate_document(example_bom, version) == []


def test_example_is_not_valid_1_5(example_bom: Doc) -> None:
    # 1.5 has no `swhid` and no license `acknowledgement`: the version really selects the schema
    problems = validate_document(_with_version(example_bom, "1.5"))
    assert "components[1]: Additional properties are not allowed ('swhid' was unexpected)" in problems


def test_minimal_document_is_valid_in_every_version() -> None:
    for version in validate_module.SUPPORTED_VERSIONS:
        doc = {"bomFormat": "CycloneDX", "specVersion": version,
               "components": [{"type": "data", "name": "d", "bom-ref": "d",
                               "data": [{"type": "dataset", "name": "d"}]}],
               "dependencies": [{"ref": "d"}]}
        assert validate_document(doc) == [], version


# --- negative cases ---------------------------------------------------------------------------------


@pytest.mark.parametrize("version", BOTH)
@pytest.mark.parametrize(("mutate", "location"), [c[1:] for c in SCHEMA_CASES],
                         ids=[c[0] for c in SCHEMA_CASES])
def test_schema_violation_is_reported(example_bom: Doc, version: str, mutate: Mutation,
                                      location: str) -> None:
    problems = validate_document(_mutated(example_bom, version, mutate))
    assert problems, "expected a schema problem"
    assert any(p.startswith(location) for p in problems), problems
    assert all("\n" not in p for p in problems)


def test_16_hex_hash_is_reported_once(example_bom: Doc) -> None:
    _shard(example_bom)["hashes"][0]["content"] = "a1b2c3d4e5f60718"
    problems = validate_document(example_bom)
    assert len(problems) == 1, problems  # by the schema's pattern; not again as a length mismatch


def test_mixed_license_and_expression_is_invalid_in_1_6_and_valid_in_1_7(example_bom: Doc) -> None:
    _mixed_licenses(example_bom)
    problems = validate_document(_with_version(example_bom, "1.6"))
    assert len(problems) == 1 and problems[0].startswith("components[0].licenses: "), problems
    assert validate_document(_with_version(example_bom, "1.7")) == []


@pytest.mark.parametrize("version", BOTH)
@pytest.mark.parametrize(("mutate", "expected"), [c[1:] for c in INTEGRITY_CASES],
                         ids=[c[0] for c in INTEGRITY_CASES])
def test_integrity_violation_is_reported(example_bom: Doc, version: str, mutate: Mutation,
                                         expected: list[str]) -> None:
    assert validate_document(_mutated(example_bom, version, mutate)) == expected


@pytest.mark.parametrize("version", BOTH)
@pytest.mark.parametrize("mutate", [c[1] for c in VALID_CASES], ids=[c[0] for c in VALID_CASES])
def test_valid_variation(example_bom: Doc, version: str, mutate: Mutation) -> None:
    assert validate_document(_mutated(example_bom, version, mutate)) == []


def test_problems_are_in_document_order_and_capped(example_bom: Doc) -> None:
    example_bom["dependencies"][0]["dependsOn"] = [f"gone:{i}" for i in range(MAX_PROBLEMS + 10)]
    _shard(example_bom)["bom-ref"] = "code:corpus-tools@3f2a9c1"  # earlier in the document than dependencies
    problems = validate_document(example_bom)
    assert len(problems) == MAX_PROBLEMS + 1
    assert problems[0].startswith("components[1]: duplicate bom-ref")
    assert problems[1] == f'dependencies[0].dependsOn[0]: reference "gone:0" {_NO_MATCH}'
    assert problems[-1] == "... and 11 more problems"


# --- not CycloneDX, versions ------------------------------------------------------------------------


def test_not_cyclonedx_documents() -> None:
    assert validate_document([1, 2]) == [  # type: ignore[arg-type]
        "(root): not a CycloneDX document: expected a JSON object, found an array"]
    assert validate_document({"name": "x"}) == [
        'bomFormat: not a CycloneDX document (bomFormat is missing, expected "CycloneDX")']
    assert validate_document({"bomFormat": "SPDX", "specVersion": "1.6"}) == [
        'bomFormat: not a CycloneDX document (bomFormat is "SPDX", expected "CycloneDX")']


def test_spec_versions(example_bom: Doc) -> None:
    with pytest.raises(ValueError, match=r"unsupported CycloneDX spec version '1\.4'"):
        validate_document(example_bom, "1.4")
    assert validate_document(example_bom, "1.7") == [
        'specVersion: the document declares "1.6" but validation against 1.7 was requested']
    # an unsupported declared version: no schema, but the integrity rules still run
    _with_version(example_bom, "1.4")
    example_bom["dependencies"][0]["dependsOn"] = ["gone"]
    assert validate_document(example_bom) == [
        'specVersion: "1.4" is not a supported CycloneDX version (1.5, 1.6, 1.7); schema not checked',
        f'dependencies[0].dependsOn[0]: reference "gone" {_NO_MATCH}']
    del example_bom["specVersion"]
    assert validate_document(example_bom)[0] == (
        "specVersion: missing, so the schema version is unknown; schema not checked")


def test_validator_is_compiled_once_per_version() -> None:
    assert validate_module._validator("1.6") is validate_module._validator("1.6")
    assert validate_module._validator("1.6") is not validate_module._validator("1.7")


def test_very_deep_document_does_not_crash() -> None:
    # jsonschema-rs would overflow the native stack on such a document; it is not given to it
    leaf: Doc = {"type": "file", "name": "leaf", "bom-ref": "dup"}
    for i in range(5000):
        leaf = {"type": "data", "name": f"level-{i}", "components": [leaf]}
    doc = {"bomFormat": "CycloneDX", "specVersion": "1.6",
           "components": [leaf, {"type": "file", "name": "other", "bom-ref": "dup"}]}
    problems = validate_document(doc)
    limit = validate_module.MAX_SCHEMA_DEPTH
    assert problems[0] == f"(root): nesting depth 10003 exceeds {limit}; schema not checked"
    assert problems[1].startswith('components[1]: duplicate bom-ref "dup" '
                                  "(first at components[0].components[0].")
    assert len(problems) == 2 and len(problems[1]) < 400


# --- files ------------------------------------------------------------------------------------------


def test_validate_file(example_bom: Doc, tmp_path: Path) -> None:
    good = tmp_path / "good.cdx.json"
    good.write_text(json.dumps(example_bom), encoding="utf-8")
    assert validate_file(good) == []

    bad = tmp_path / "bad.cdx.json"
    _shard(example_bom)["hashes"][0]["alg"] = "XXH3-128"
    bad.write_text(json.dumps(example_bom), encoding="utf-8")
    [problem] = validate_file(bad)
    assert problem.startswith("components[0].components[0].hashes[0].alg: ")


@pytest.mark.parametrize(("content", "expected"), [
    (b"this is not JSON", "(file): not JSON: Expecting value: line 1 column 1 (char 0)"),
    (b"", "(file): not JSON: Expecting value: line 1 column 1 (char 0)"),
    (b'{"bomFormat": "CycloneDX", ', "(file): not JSON: "),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "(file): not JSON: "),
    (b"[" * 100_000 + b"]" * 100_000, "(file): not readable as JSON: nested too deeply"),
    (b'{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": NaN}',
     "(file): not JSON: NaN is not a JSON value"),
    (b'{"name": "not a bom", "version": 1}',
     'bomFormat: not a CycloneDX document (bomFormat is missing, expected "CycloneDX")'),
    (b'["a", "list"]', "(root): not a CycloneDX document: expected a JSON object, found an array"),
    (b'"just a string"', "(root): not a CycloneDX document: expected a JSON object, found a string"),
], ids=["text", "empty", "truncated", "binary", "too-deep", "nan", "other-json", "array", "string"])
def test_validate_file_that_is_not_a_bom(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "input.json"
    path.write_bytes(content)
    [problem] = validate_file(path)
    assert problem.startswith(expected)
    assert "\n" not in problem


def test_validate_file_that_cannot_be_read(tmp_path: Path) -> None:
    assert validate_file(tmp_path / "missing.json") == ["(file): cannot read: No such file or directory"]
    assert validate_file(tmp_path) == ["(file): cannot read: Is a directory"]


# --- an independent engine agrees on schema validity ------------------------------------------------


def _python_jsonschema(version: str) -> Draft7Validator:
    """python-jsonschema's Draft-7 validator over the same bundled schemas, with an offline registry."""
    res = importlib.resources.files("cyclonedx.schema._res")

    def load(name: str) -> Any:
        return json.loads((res / name).read_text(encoding="utf-8"))

    registry: Registry[Any] = Registry().with_resources(
        (f"http://cyclonedx.org/schema/{name}.SNAPSHOT.schema.json",
         DRAFT7.create_resource(load(f"{name}.SNAPSHOT.schema.json")))
        for name in ("spdx", "jsf-0.82", "cryptography-defs"))
    return Draft7Validator(load(f"bom-{version}.SNAPSHOT.schema.json"), registry=registry,
                           format_checker=Draft7Validator.FORMAT_CHECKER)


def test_python_jsonschema_agrees_on_schema_validity(example_bom: Doc) -> None:
    cases: list[tuple[str, str, Mutation, bool]] = [("example", v, lambda d: None, True) for v in BOTH]
    cases += [(name, v, mutate, False) for name, mutate, _ in SCHEMA_CASES for v in BOTH]
    cases += [(name, v, mutate, True) for name, mutate, _ in INTEGRITY_CASES for v in BOTH]
    cases += [(name, v, mutate, True) for name, mutate in VALID_CASES for v in BOTH]
    cases += [("mixed-licenses", "1.6", _mixed_licenses, False),
              ("mixed-licenses", "1.7", _mixed_licenses, True)]
    engines = {v: _python_jsonschema(v) for v in BOTH}
    for name, version, mutate, schema_valid in cases:
        doc = _mutated(json.loads(json.dumps(example_bom)), version, mutate)
        theirs = sorted(validate_module._render_path(error.absolute_path)
                        for error in engines[version].iter_errors(doc))
        ours = sorted(p.split(": ", 1)[0] for p in validate_module._schema_problems(doc, version))
        assert (not ours) == schema_valid, (name, version, ours)
        assert ours == theirs, (name, version)  # same verdict, and at the same locations


# --- scale ------------------------------------------------------------------------------------------


def _big_dataset(shards: int) -> Doc:
    """One data component with `shards` nested file components, each with a SHA-256 and two properties."""
    files = [{"bom-ref": f"shard:big@v1/part-{i:06d}.parquet", "type": "file",
              "name": f"part-{i:06d}.parquet", "hashes": [{"alg": "SHA-256", "content": f"{i:064x}"}],
              "properties": [{"name": "dbom:bytes", "value": str(1000 + i)},
                             {"name": "dbom:rows", "value": "10"}]}
             for i in range(shards)]
    return {"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
            "components": [{"bom-ref": "data:big@v1", "type": "data", "name": "big", "version": "v1",
                            "data": [{"type": "dataset", "name": "big"}], "components": files}],
            "dependencies": [{"ref": "data:big@v1", "dependsOn": []}]}


def test_100k_nested_components() -> None:
    doc = _big_dataset(100_000)
    assert validate_document(doc) == []
    files = doc["components"][0]["components"]
    files[99_999]["bom-ref"] = files[12_345]["bom-ref"]
    assert validate_document(doc) == [
        'components[0].components[99999]: duplicate bom-ref "shard:big@v1/part-012345.parquet" '
        "(first at components[0].components[12345])"]


# --- the example document ---------------------------------------------------------------------------
# The full example DBOM of the design notes, as a dict (valid under 1.6, and under 1.7 with only
# `specVersion` changed): an ML model as metadata.component with a modelCard that references a dataset,
# a source dataset with `data[]` and one nested SHA-256 shard, a code component at a commit, a derived
# dataset with pedigree and a BOM-Link, dependencies, and a formulation workflow with two tasks.

C4_TREE_URL = "https://huggingface.co/datasets/allenai/c4/tree/1588ec454efa1a09f29cd18ddd04fe05fc8653a2/en"
CODE_VCS_URL = "https://github.com/example/corpus-tools.git#3f2a9c1d0e8b7a6f5e4d3c2b1a09f8e7d6c5b4a3"


def cyclonedx_example(spec_version: str = "1.6") -> Doc:
    """A fresh copy of the example DBOM (tests may change it), declaring `spec_version`."""
    return {
        "$schema": f"http://cyclonedx.org/schema/bom-{spec_version}.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": spec_version,
        "serialNumber": "urn:uuid:0b7f3f2e-8d5c-4c3e-9a51-6b8e2f1d4c7a",
        "version": 1,
        "metadata": {
            "timestamp": "2026-09-01T12:00:00Z",
            "lifecycles": [{"phase": "build"}],
            "tools": {
                "components": [
                    {
                        "type": "application",
                        "name": "dbom",
                        "version": "0.1.0",
                        "externalReferences": [{"type": "vcs", "url": "https://github.com/example/dbom"}],
                    },
                ],
            },
            "component": {
                "bom-ref": "model:acme/tiny-lm@1.0",
                "type": "machine-learning-model",
                "supplier": {"name": "ACME AI"},
                "group": "acme",
                "name": "tiny-lm",
                "version": "1.0",
                "modelCard": {
                    "modelParameters": {
                        "approach": {"type": "self-supervised"},
                        "task": "text-generation",
                        "architectureFamily": "transformer",
                        "modelArchitecture": "decoder-only transformer, 125M parameters",
                        "datasets": [
                            {"ref": "data:c4-en-dedup@v1"},
                            {
                                "type": "dataset",
                                "name": "held-out eval prompts (inline, not a component)",
                                "classification": "internal",
                            },
                        ],
                    },
                    "considerations": {
                        "users": ["ML researchers"],
                        "useCases": ["research on small language models"],
                        "technicalLimitations": ["English only; web-crawl bias"],
                        "ethicalConsiderations": [
                            {
                                "name": "PII in web crawl",
                                "mitigationStrategy": "regex + NER PII scrubbing in task pii-scrub",
                            },
                        ],
                    },
                    "properties": [
                        {"name": "cdx:ai-ml:model:language", "value": "en"},
                        {"name": "cdx:ai-ml:model:modality", "value": "text"},
                    ],
                },
            },
            "properties": [{"name": "dbom:generator:walk-root", "value": "s3://corpora/"}],
        },
        "components": [
            {
                "bom-ref": "data:allenai/c4@1588ec4",
                "type": "data",
                "supplier": {"name": "Allen Institute for AI", "url": ["https://allenai.org"]},
                "group": "allenai",
                "name": "c4",
                "version": "1588ec454efa1a09f29cd18ddd04fe05fc8653a2",
                "description": "Colossal Clean Crawled Corpus, config 'en', split 'train' (source dataset)",
                "licenses": [{"license": {"id": "ODC-By-1.0", "acknowledgement": "declared"}}],
                "externalReferences": [
                    {
                        "type": "distribution",
                        "url": C4_TREE_URL,
                    },
                    {"type": "documentation", "url": "https://huggingface.co/datasets/allenai/c4"},
                    {"type": "license", "url": "https://opendatacommons.org/licenses/by/1-0/"},
                ],
                "data": [
                    {
                        "type": "dataset",
                        "name": "allenai/c4:en:train",
                        "contents": {
                            "url": C4_TREE_URL,
                            "properties": [
                                {"name": "dbom:hf:config", "value": "en"},
                                {"name": "dbom:hf:split", "value": "train"},
                            ],
                        },
                        "classification": "public",
                        "sensitiveData": ["may contain personal data scraped from the public web"],
                        "description": "365M documents, 1024 JSON-lines shards (gzip)",
                        "governance": {
                            "owners": [{"organization": {"name": "Allen Institute for AI"}}],
                            "custodians": [{"organization": {"name": "Hugging Face"}}],
                        },
                    },
                ],
                "properties": [
                    {"name": "dbom:rows", "value": "364868892"},
                    {"name": "dbom:shards", "value": "1024"},
                ],
                "components": [
                    {
                        "bom-ref": "shard:allenai/c4@1588ec4:en/c4-train.00000-of-01024.json.gz",
                        "type": "file",
                        "name": "en/c4-train.00000-of-01024.json.gz",
                        "mime-type": "application/gzip",
                        "hashes": [
                            {
                                "alg": "SHA-256",
                                "content": "4d5e2f6b8a1c3e5f7091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7",
                            },
                        ],
                        "properties": [
                            {"name": "dbom:hash:xxh3-128", "value": "a1b2c3d4e5f60718293a4b5c6d7e8f90"},
                            {"name": "dbom:bytes", "value": "319616450"},
                            {"name": "dbom:rows", "value": "356317"},
                        ],
                    },
                ],
            },
            {
                "bom-ref": "code:corpus-tools@3f2a9c1",
                "type": "application",
                "name": "corpus-tools",
                "version": "3f2a9c1d0e8b7a6f5e4d3c2b1a09f8e7d6c5b4a3",
                "licenses": [{"license": {"id": "Apache-2.0", "acknowledgement": "declared"}}],
                "swhid": ["swh:1:rev:3f2a9c1d0e8b7a6f5e4d3c2b1a09f8e7d6c5b4a3"],
                "externalReferences": [
                    {
                        "type": "vcs",
                        "url": CODE_VCS_URL,
                    },
                ],
            },
            {
                "bom-ref": "data:c4-en-dedup@v1",
                "type": "data",
                "supplier": {"name": "ACME AI"},
                "name": "c4-en-dedup",
                "version": "v1",
                "description": "C4 en after quality filter + MinHash near-dup removal",
                "licenses": [{"expression": "ODC-By-1.0", "acknowledgement": "concluded"}],
                "data": [
                    {
                        "type": "dataset",
                        "name": "c4-en-dedup",
                        "contents": {"url": "s3://acme-corpora/c4-en-dedup/v1/"},
                        "classification": "internal",
                        "governance": {
                            "stewards": [{"contact": {"name": "Data Team", "email": "data@example.com"}}],
                        },
                    },
                ],
                "pedigree": {
                    "ancestors": [
                        {
                            "type": "data",
                            "group": "allenai",
                            "name": "c4",
                            "version": "1588ec454efa1a09f29cd18ddd04fe05fc8653a2",
                        },
                    ],
                    "notes": "Derived by workflow workflow:c4-dedup-run-42 (see formulation)",
                },
                "externalReferences": [
                    {
                        "type": "formulation",
                        "url": "urn:cdx:0b7f3f2e-8d5c-4c3e-9a51-6b8e2f1d4c7a/1#formula:c4-en-dedup@v1",
                    },
                ],
                "properties": [
                    {"name": "dbom:rows", "value": "301211844"},
                    {"name": "dbom:shards", "value": "512"},
                ],
            },
        ],
        "dependencies": [
            {"ref": "model:acme/tiny-lm@1.0", "dependsOn": ["data:c4-en-dedup@v1"]},
            {"ref": "data:c4-en-dedup@v1", "dependsOn": ["data:allenai/c4@1588ec4"]},
            {"ref": "data:allenai/c4@1588ec4", "dependsOn": []},
            {"ref": "code:corpus-tools@3f2a9c1", "dependsOn": []},
        ],
        "formulation": [
            {
                "bom-ref": "formula:c4-en-dedup@v1",
                "workflows": [
                    {
                        "bom-ref": "workflow:c4-dedup-run-42",
                        "uid": "c4-dedup-run-42",
                        "name": "C4 en: quality filter then MinHash dedup",
                        "taskTypes": ["build"],
                        "timeStart": "2026-08-30T08:00:00Z",
                        "timeEnd": "2026-08-30T20:15:00Z",
                        "resourceReferences": [{"ref": "code:corpus-tools@3f2a9c1"}],
                        "inputs": [{"resource": {"ref": "data:allenai/c4@1588ec4"}}],
                        "outputs": [{"type": "artifact", "resource": {"ref": "data:c4-en-dedup@v1"}}],
                        "tasks": [
                            {
                                "bom-ref": "task:quality-filter",
                                "uid": "quality-filter",
                                "name": "quality filter",
                                "taskTypes": ["other"],
                                "resourceReferences": [{"ref": "code:corpus-tools@3f2a9c1"}],
                                "inputs": [
                                    {"resource": {"ref": "data:allenai/c4@1588ec4"}},
                                    {
                                        "parameters": [
                                            {"name": "min_words", "value": "50", "dataType": "int"},
                                        ],
                                    },
                                ],
                                "steps": [
                                    {
                                        "name": "filter",
                                        "commands": [
                                            {"executed": "python -m corpus_tools.filter --min-words 50"},
                                        ],
                                    },
                                ],
                                "properties": [{"name": "dbom:task:kind", "value": "filter"}],
                            },
                            {
                                "bom-ref": "task:minhash-dedup",
                                "uid": "minhash-dedup",
                                "name": "MinHash near-duplicate removal",
                                "taskTypes": ["build"],
                                "resourceReferences": [{"ref": "code:corpus-tools@3f2a9c1"}],
                                "inputs": [
                                    {
                                        "parameters": [
                                            {
                                                "name": "jaccard_threshold",
                                                "value": "0.8",
                                                "dataType": "float",
                                            },
                                        ],
                                    },
                                ],
                                "outputs": [
                                    {"type": "artifact", "resource": {"ref": "data:c4-en-dedup@v1"}},
                                ],
                                "steps": [
                                    {
                                        "name": "dedup",
                                        "commands": [
                                            {"executed": "python -m corpus_tools.dedup --threshold 0.8"},
                                        ],
                                    },
                                ],
                                "properties": [{"name": "dbom:task:kind", "value": "dedup"}],
                            },
                        ],
                        "taskDependencies": [
                            {"ref": "task:minhash-dedup", "dependsOn": ["task:quality-filter"]},
                        ],
                    },
                ],
            },
        ],
    }
