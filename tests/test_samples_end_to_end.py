"""README's first command on sample_datasets/, checked against independent truth.

Digests are checked against coreutils' `sha256sum`, record counts against each format's own
library, and the document against a second schema engine (python-jsonschema).
"""

from __future__ import annotations

import csv
import gzip
import importlib.resources
import json
import subprocess
from pathlib import Path
from typing import Any

import pyarrow.ipc as ipc
import pyarrow.parquet as pq
import pytest
from corpora import copy_samples
from helpers import datasets_by_name, load_json, props, run_dbom, shards_of
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7


def _true_records(path: Path) -> int:
    name = path.name
    if name.endswith(".parquet"):
        return pq.read_table(path).num_rows
    if name.endswith(".arrow"):
        with ipc.open_stream(path) as reader:
            return reader.read_all().num_rows
    if name.endswith(".jsonl.gz"):
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            return sum(1 for line in fh if json.loads(line) is not None)
    if name.endswith(".csv"):
        with open(path, newline="", encoding="utf-8") as fh:
            return sum(1 for _ in csv.reader(fh)) - 1
    raise AssertionError(f"unexpected shard {path}")


def _sha256sum(paths: list[Path]) -> dict[Path, str]:
    out = subprocess.run(["sha256sum", *map(str, paths)], capture_output=True, text=True, check=True).stdout
    return {Path(line.split(None, 1)[1].strip()): line.split()[0] for line in out.splitlines()}


def _independent_validator(version: str) -> Draft7Validator:
    res = importlib.resources.files("cyclonedx.schema._res")
    registry: Registry[Any] = Registry()
    for name in ("spdx", "jsf-0.82", "cryptography-defs"):
        schema = json.loads(res.joinpath(f"{name}.SNAPSHOT.schema.json").read_text())
        resource = Resource.from_contents(schema, default_specification=DRAFT7)
        for alias in (f"{name}.SNAPSHOT.schema.json", f"{name}.schema.json"):
            registry = registry.with_resource(f"http://cyclonedx.org/schema/{alias}", resource)
    schema = json.loads(res.joinpath(f"bom-{version}.SNAPSHOT.schema.json").read_text())
    return Draft7Validator(schema, registry=registry)


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    work = tmp_path_factory.mktemp("samples")
    samples = copy_samples(work / "sample_datasets")
    written = {}
    for version in ("1.6", "1.7"):
        out = work / f"dbom-{version}.cdx.json"
        result = run_dbom("scan", "-c", str(samples / "dbom.yaml"), "-o", str(out), "--spec-version", version,
                          "--no-cache", cwd=work)
        assert result.returncode == 0, result.stderr
        written[version] = out
    written["root"] = samples
    return written


@pytest.mark.parametrize("version", ["1.6", "1.7"])
def test_sample_dbom_validates_with_both_engines(scans: dict[str, Path], version: str) -> None:
    out = scans[version]
    assert run_dbom("validate", str(out)).returncode == 0
    doc = load_json(out)
    assert doc["specVersion"] == version
    errors = sorted(_independent_validator(version).iter_errors(doc), key=lambda e: list(e.path))
    assert errors == [], [e.message for e in errors[:3]]


def test_sample_dbom_has_true_digests_and_counts(scans: dict[str, Path]) -> None:
    root = scans["root"]
    doc = load_json(scans["1.6"])
    datasets = datasets_by_name(doc)
    assert sorted(datasets) == ["code-docs", "forum-qa", "recipes", "web-text"]

    model = doc["metadata"]["component"]
    assert model["name"] == "tiny-lm" and model["type"] == "machine-learning-model"
    assert [d["ref"] for d in model["modelCard"]["modelParameters"]["datasets"]] == [
        datasets[n]["bom-ref"] for n in sorted(datasets)
    ]

    all_files = sorted(p for p in root.rglob("*") if p.is_file())
    sums = _sha256sum(all_files)
    for name, component in datasets.items():
        dataset_root = root / name
        shards = shards_of(component)
        data_files = sorted(p for p in dataset_root.rglob("*")
                            if p.suffix in (".parquet", ".arrow", ".gz", ".csv"))
        assert sorted(shards) == sorted(p.relative_to(dataset_root).as_posix() for p in data_files), name
        total = 0
        for path in data_files:
            shard = shards[path.relative_to(dataset_root).as_posix()]
            assert shard["hashes"][0] == {"alg": "SHA-256", "content": sums[path]}
            records = _true_records(path)
            assert int(props(shard)["dbom:records"]) == records
            assert int(props(shard)["dbom:bytes"]) == path.stat().st_size
            total += records
        assert int(props(component)["dbom:records"]) == total
        assert component["data"][0]["type"] == "dataset"


def test_sample_licenses_come_from_the_cards(scans: dict[str, Path]) -> None:
    datasets = datasets_by_name(load_json(scans["1.6"]))
    ids = {name: c["licenses"][0]["license"]["id"] for name, c in datasets.items()}
    assert ids == {"code-docs": "Apache-2.0", "forum-qa": "CC-BY-NC-4.0", "recipes": "CC0-1.0",
                   "web-text": "CC-BY-4.0"}
    assert all(props(c)["dbom:license:source"] == "card" for c in datasets.values())

