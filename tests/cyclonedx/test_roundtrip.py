"""Model -> CycloneDX -> model gives back the same model; the Python API works without the CLI."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

import dbom
from dbom.errors import DbomFileError
from dbom.model import Column, Dataset, Dbom, DocFile, License, ModelInfo, Shard


def _scanned(corpus: Path) -> Dbom:
    manifest = corpus / "dbom.yaml"
    manifest.write_text(
        "model: {name: tiny, version: '1.0', license: Apache-2.0, commercial: false, group: acme, supplier: ACME}\n"
        "dbom: {license: CC0-1.0}\n"
        "datasets:\n"
        "  - name: alpha\n    path: alpha/\n    include: ['data/*.parquet']\n    version: v3\n"
        "    location: contact the data team\n    osaid_class: public\n    languages: [en, de]\n"
        "  - name: beta\n    path: beta/\n    license: MIT\n    homepage: https://example.org/beta\n"
    )
    return dbom.scan(manifest=manifest)


def test_round_trip_of_a_scan(corpus: Path, tmp_path: Path) -> None:
    original = _scanned(corpus)
    out = tmp_path / "rt.cdx.json"
    dbom.write(original, out)
    assert dbom.load(out) == original


def test_round_trip_of_a_hand_built_model_with_every_field(tmp_path: Path) -> None:
    shard = Shard(path="a/b.jsonl.zst", bytes=10, format="jsonl", xxh3_128="ab" * 16, compression="zstd",
                  sha256="cd" * 32, blake3="ef" * 32, records=3, uncompressed_bytes=30,
                  columns=(Column("text", "string"), Column("n", "integer|null")),
                  records_digest="json:0123456789abcdef")
    broken = Shard(path="c.parquet", bytes=5, format="parquet", xxh3_128="01" * 16, error="corrupt Parquet footer")
    original = Dbom(
        model=ModelInfo(name="m", version="2", license="MIT", commercial=True, group="g", supplier="S",
                        description="a model", facts={"contact": "s@example.org", "sme": "yes"},
                        eu_comments={"2.1": "a comment", "3.3": "other information"}),
        datasets=(
            Dataset(name="d", shards=(shard, broken),
                    docs=(DocFile(path="README.md", kind="card", bytes=4, xxh3_128="12" * 16, sha256="34" * 32),),
                    version="1", description="desc", homepage="https://example.org/h",
                    location="s3://bucket/d/", digest="56" * 32,
                    license=License(expression="LicenseRef-hf-llama3", name="llama3", source="card",
                                    url="https://example.org/l"),
                    facts={"osaid_class": "open", "labeling": "none"}, include=("*.jsonl.zst",), exclude=("x/",)),
            Dataset(name="e", digest="78" * 32),
        ),
        dbom_license="CC-BY-4.0",
        timestamp="2026-01-01T00:00:00Z",
        tool_version="0.1.0",
        hash_algorithms=("xxh3-128", "blake3", "sha256"),
        warnings=("d/x: skipped special file",),
    )
    for version in ("1.6", "1.7"):
        out = tmp_path / f"hand-{version}.json"
        dbom.write(original, out, spec_version=version)
        assert dbom.load(out) == original


def test_load_rejects_what_is_not_a_dbom(tmp_path: Path) -> None:
    not_json = tmp_path / "a.json"
    not_json.write_text("{nope")
    with pytest.raises(DbomFileError, match="not a JSON file"):
        dbom.load(not_json)
    other = tmp_path / "b.json"
    other.write_text(json.dumps({"bomFormat": "SPDX"}))
    with pytest.raises(DbomFileError, match="not a CycloneDX document"):
        dbom.load(other)
    sbom = tmp_path / "c.json"
    sbom.write_text(json.dumps({"bomFormat": "CycloneDX", "specVersion": "1.6", "components": []}))
    with pytest.raises(DbomFileError, match="not a DBOM"):
        dbom.load(sbom)


def test_writer_refuses_an_invalid_document_and_leaves_no_file(tmp_path: Path) -> None:
    bad = Dbom(model=ModelInfo(name="m"), datasets=(Dataset(name="d", digest="xyz"),))  # not a hex digest
    out = tmp_path / "bad.json"
    with pytest.raises(dbom.DbomError, match="did not validate"):
        dbom.write(bad, out)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_round_trip_of_a_model_with_weight_files(tmp_path: Path) -> None:
    files = (DocFile(path="model.safetensors", kind="weights", bytes=10, xxh3_128="ab" * 16, sha256="cd" * 32),
             DocFile(path="onnx/model.onnx", kind="weights", bytes=7, xxh3_128="ef" * 16, sha256="01" * 32))
    original = Dbom(model=ModelInfo(name="m", version="1", files=files),
                    datasets=(Dataset(name="d", digest="78" * 32),), tool_version="0.1.0")
    expected = hashlib.sha256(f"model.safetensors\t{'cd' * 32}\nonnx/model.onnx\t{'01' * 32}\n".encode()).hexdigest()
    assert original.model.weights_digest == expected
    for version in ("1.6", "1.7"):
        out = tmp_path / f"weights-{version}.json"
        dbom.write(original, out, spec_version=version)
        assert dbom.load(out) == original
        model = json.loads(out.read_text())["metadata"]["component"]
        assert model["hashes"] == [{"alg": "SHA-256", "content": original.model.weights_digest}]
        assert [c["name"] for c in model["components"]] == ["model.safetensors", "onnx/model.onnx"]
    assert ModelInfo(name="m").weights_digest is None


def test_round_trip_of_provenance(tmp_path: Path) -> None:
    from dbom.model import CodeRef, DatasetsInfo, HubInfo, ProcessingStep, VcsInfo

    vcs = VcsInfo(commit="a" * 40, url="https://example.org/org/corpus.git", ref="main", dirty=True,
                  diff_digest="b" * 64, path="data/raw")
    original = Dbom(
        model=ModelInfo(name="m"),
        datasets=(
            Dataset(name="local-remote", digest="12" * 32, vcs=VcsInfo(commit="c" * 40, url="local")),
            Dataset(name="raw", digest="34" * 32, vcs=vcs),
            Dataset(name="hub", digest="56" * 32, version="d" * 40,
                    shards=(Shard(path="data/a.parquet", bytes=3, format="parquet", xxh3_128="01" * 16),),
                    docs=(DocFile(path="README.md", kind="card", bytes=4, xxh3_128="12" * 16),),
                    location=f"https://huggingface.co/datasets/org/set/tree/{'d' * 40}",
                    hub=HubInfo(repo_id="org/set", revision="d" * 40, path="", blobs=(
                        ("README.md", "e" * 40), ("data/a.parquet", "f" * 64)))),
            Dataset(name="clean", digest="78" * 32, ancestors=("hub", "raw")),
            Dataset(name="from-datasets", digest="9a" * 32, datasets_info=DatasetsInfo(
                kind="DatasetDict", builder="json", config="default", version="0.0.0", revision="b" * 40,
                fingerprints=(("train", "abc"), ("test", "def")), splits=(("train", 3, 100), ("test", None, None)),
                features='{"text":{"dtype":"string","_type":"Value"}}', citation="@misc{x}")),
        ),
        steps=(
            ProcessingStep(name="filter", inputs=("hub", "raw"), outputs=("clean",), command="python f.py --x 1",
                           code=f"https://example.org/org/corpus.git@{'a' * 40}:tools/f.py", kind="filter",
                           code_ref=CodeRef(path="tools/f.py", sha256="9" * 64, vcs=VcsInfo(
                               commit="a" * 40, url="https://example.org/org/corpus.git", path="tools/f.py")),
                           entrypoint="f:main", args=(("x", "1"), ("langs", '["en", "de"]')),
                           config=CodeRef(path="f.yaml", sha256="8" * 64), documents_in=10, documents_out=7,
                           bytes_in=100, bytes_out=70),
            ProcessingStep(name="hand-written", inputs=("clean",), code="somewhere/else.py"),
        ),
        timestamp="2026-01-01T00:00:00Z",
        tool_version="0.1.0",
        training_code=CodeRef(path="train.py", sha256="7" * 64, vcs=vcs),
        environment=(("python", "3.11.7"), ("datasets", "5.2.0"), ("torch", "2.13.0+cpu")),
    )
    for version in ("1.6", "1.7"):
        out = tmp_path / f"prov-{version}.json"
        dbom.write(original, out, spec_version=version)
        assert dbom.load(out) == original
