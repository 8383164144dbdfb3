"""Licensing through the real `dbom scan`: data and code licenses of a repository, and per-record licenses."""

from __future__ import annotations

import importlib.resources
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from corpora import write_parquet
from helpers import commit_all, datasets_by_name, init_repo, load_json, props, run_dbom

import dbom
from dbom.compliance.check import check


def _spdx_text(name: str) -> str:
    return (importlib.resources.files("spdx") / "data" / f"{name}.txt").read_text(encoding="utf-8")


def _repo_with_data_and_code_licenses(tmp_path: Path) -> Path:
    repo = init_repo(tmp_path / "repo")
    (repo / "LICENSE").write_text(_spdx_text("Apache-2.0"))
    (repo / "DATA_LICENSE").write_text("Copyright (c) 2026 Example Data Co.\n\n" + _spdx_text("CC-BY-NC-4.0"))
    write_parquet(repo / "corpus" / "part-0.parquet", 40)
    (repo / "tools").mkdir()
    (repo / "tools" / "clean.py").write_text("print('clean')\n")
    commit_all(repo)
    (repo / "dbom.yaml").write_text(
        "model: {name: tiny, version: '1', license: Apache-2.0, commercial: true}\n"
        "datasets:\n  - name: corpus\n    path: corpus/\n")
    return repo


def test_data_license_beside_code_license_and_the_conflict_with_a_commercial_model(tmp_path: Path) -> None:
    repo = _repo_with_data_and_code_licenses(tmp_path)
    out = tmp_path / "dbom.cdx.json"
    result = run_dbom("scan", "-c", str(repo / "dbom.yaml"), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "corpus: license conflict: CC-BY-NC-4.0 is non-commercial, but the model is for commercial use" \
        in result.stderr

    component = datasets_by_name(load_json(out))["corpus"]
    assert component["licenses"] == [{"license": {"id": "CC-BY-NC-4.0", "acknowledgement": "declared"}}]
    p = props(component)
    assert p["dbom:license:source"] == "license-file" and p["dbom:license:path"] == "../DATA_LICENSE"
    assert json.loads(p["dbom:license:code"]) == {"license": "Apache-2.0", "source": "license-file",
                                                  "path": "../LICENSE"}
    assert json.loads(p["dbom:license:evidence"]) == [
        {"license": "CC-BY-NC-4.0", "source": "license-file", "path": "../DATA_LICENSE"},
        {"license": "Apache-2.0", "source": "license-file", "path": "../LICENSE"},
    ]
    assert p["dbom:license:class"] == "non-commercial"
    assert p["dbom:license:classes"] == "attribution,non-commercial"

    loaded = dbom.load(out)
    assert loaded.datasets[0].code_license is not None
    assert loaded.datasets[0].code_license.expression == "Apache-2.0"
    conflicts = check(loaded).conflicts
    assert [(f.id, f.dataset) for f in conflicts] == [("license.non-commercial", "corpus")]

    # `dbom check --strict` fails on the conflict; the model made non-commercial clears it.
    assert run_dbom("check", str(out), "--strict").returncode == 1
    (repo / "dbom.yaml").write_text((repo / "dbom.yaml").read_text().replace("commercial: true", "commercial: false"))
    result = run_dbom("scan", "-c", str(repo / "dbom.yaml"), "-o", str(out))
    assert "license conflict" not in result.stderr
    assert check(dbom.load(out)).conflicts == ()


def test_per_record_license_column_gives_the_distribution_by_records_and_bytes(tmp_path: Path) -> None:
    data = tmp_path / "mixed"
    data.mkdir()
    rows = [
        {"text": "a" * 10, "license": "cc-by-4.0"},
        {"text": "b" * 200, "license": "CC-BY-NC-4.0"},
        {"text": "c" * 30, "license": "cc-by-4.0"},
        {"text": "d" * 7, "license": None},
        {"text": "e" * 5, "license": "mit"},
    ]
    pq.write_table(pa.Table.from_pylist(rows[:3]), data / "a.parquet")
    pq.write_table(pa.Table.from_pylist(rows[3:]), data / "b.parquet")
    (data / "c.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "m.json"
    result = run_dbom("scan", str(data), "-o", str(out), "--model", "m")
    assert result.returncode == 0, result.stderr

    # Independent truth: Parquet bytes are the row's string values; JSON Lines bytes its line.
    def parquet_bytes(r: dict[str, str | None]) -> int:
        return len(r["text"] or "") + len(r["license"] or "")

    def jsonl_bytes(r: dict[str, str | None]) -> int:
        return len(json.dumps(r)) + 1

    expected: dict[str, list[int]] = {}
    for r in rows:
        key = {"cc-by-4.0": "CC-BY-4.0", "mit": "MIT", None: "(none)"}.get(r["license"], r["license"])
        entry = expected.setdefault(key, [0, 0])
        entry[0] += 2
        entry[1] += parquet_bytes(r) + jsonl_bytes(r)
    shares = json.loads(props(datasets_by_name(load_json(out))["mixed"])["dbom:license:records"])
    assert {lic: [r, b] for lic, r, b in shares} == expected
    assert shares[0][0] == "CC-BY-4.0"  # most records first

    loaded = dbom.load(out)
    assert [s.license for s in loaded.datasets[0].record_licenses] == [s[0] for s in shares]
    # A non-commercial part of a mixed corpus is a finding even when the dataset has no license of its own.
    findings = {(f.id, f.dataset) for f in check(loaded).findings}
    assert ("license.non-commercial", "mixed") in findings
