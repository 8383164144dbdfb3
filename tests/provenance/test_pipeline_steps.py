"""Processing steps: raw -> filtered -> deduplicated, with code pinned by commit, as CycloneDX formulation."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import pytest
from corpora import write_jsonl_gz, write_parquet
from helpers import commit_all, datasets_by_name, git, init_repo, load_json, props, run_dbom

import dbom
from dbom.errors import ManifestError
from dbom.provenance.pipeline import CodeError, folder_sha256, resolve_code

TOKEN_REMOTE = "https://user:ghp_FAKE@example.com/org/pipeline.git"
CLEAN_REMOTE = "https://example.com/org/pipeline.git"
FILTER_PY = "import sys\n\n\ndef main():\n    print('filter', sys.argv)\n"
DEDUP_PY_COMMITTED = "def main():\n    print('dedup v1')\n"


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture
def project(tmp_path: Path) -> dict[str, Any]:
    """A pipeline repository (code, config, three datasets) and a separate tools repository."""
    tools = init_repo(tmp_path / "tools-repo", remote="git@github.com:org/tools.git")
    (tools / "dedup").mkdir()
    (tools / "dedup" / "minhash.py").write_text(DEDUP_PY_COMMITTED)
    tools_commit = commit_all(tools, "dedup v1")
    (tools / "dedup" / "minhash.py").write_text("def main():\n    print('dedup v2, not committed')\n")

    repo = init_repo(tmp_path / "pipeline", remote=TOKEN_REMOTE)
    (repo / "src").mkdir()
    (repo / "src" / "filter.py").write_text(FILTER_PY)
    (repo / "configs").mkdir()
    (repo / "configs" / "dedup.yaml").write_text("threshold: 0.8\nnum_perm: 128\n")
    write_jsonl_gz(repo / "data" / "raw" / "raw-0.jsonl.gz", 120)
    write_parquet(repo / "data" / "filtered" / "part-0.parquet", 80)
    write_parquet(repo / "data" / "deduplicated" / "part-0.parquet", 64)
    (repo / "dbom.yaml").write_text(f"""\
model: {{name: tiny-lm, version: "1.0"}}
datasets:
  - {{name: raw, path: data/raw}}
  - {{name: filtered, path: data/filtered}}
  - {{name: deduplicated, path: data/deduplicated, version: v1}}
steps:
  - name: quality-filter
    kind: filter
    code: src/filter.py
    command: python src/filter.py --min-words 50 data/raw data/filtered
    args: {{min_words: 50, lang: en, keep_code: true}}
    inputs: [raw]
    outputs: [filtered]
    documents_in: 120
    documents_out: 80
  - name: minhash-dedup
    kind: dedup
    code: ../tools-repo@{tools_commit[:8]}:dedup/minhash.py
    entrypoint: "dedup.minhash:main"
    config: configs/dedup.yaml
    args: {{threshold: 0.8}}
    inputs: filtered
    outputs: [deduplicated]
    bytes_out: 4096
""")
    commit = commit_all(repo, "pipeline")
    return {"repo": repo, "commit": commit, "tools_commit": tools_commit}


def _by_ref(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["bom-ref"]: c for c in doc["components"]}


def test_two_steps_give_a_valid_formulation_whose_refs_resolve(project: dict[str, Any], tmp_path: Path) -> None:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonValidator

    out = tmp_path / "pipeline.cdx.json"
    result = run_dbom("scan", "-q", "-c", str(project["repo"] / "dbom.yaml"), "-o", str(out), "--spec-version", "1.6")
    assert result.returncode == 0, result.stderr
    text = out.read_text()
    assert "ghp_FAKE" not in text and str(tmp_path) not in text
    assert run_dbom("validate", str(out)).returncode == 0  # schema and integrity: every ref resolves
    assert JsonValidator(SchemaVersion.V1_6).validate_str(text) is None  # a second schema engine agrees

    doc = load_json(out)
    components = _by_ref(doc)
    data_refs = {c["name"]: c["bom-ref"] for c in doc["components"] if c["type"] == "data"}
    workflow = doc["formulation"][0]["workflows"][0]
    assert workflow["inputs"] == [{"resource": {"ref": data_refs["raw"]}}]
    assert workflow["outputs"] == [{"type": "artifact", "resource": {"ref": data_refs["deduplicated"]}}]
    filter_task, dedup_task = workflow["tasks"]
    assert [i["resource"]["ref"] for i in filter_task["inputs"] if "resource" in i] == [data_refs["raw"]]
    assert filter_task["outputs"] == [{"type": "artifact", "resource": {"ref": data_refs["filtered"]}}]
    assert dedup_task["inputs"][0] == {"resource": {"ref": data_refs["filtered"]}}
    assert dedup_task["outputs"][0]["resource"]["ref"] == data_refs["deduplicated"]
    assert workflow["taskDependencies"] == [{"ref": dedup_task["bom-ref"], "dependsOn": [filter_task["bom-ref"]]}]
    assert filter_task["steps"][0]["commands"][0]["executed"] == \
        "python src/filter.py --min-words 50 data/raw data/filtered"
    assert filter_task["inputs"][-1] == {"parameters": [{"name": "min_words", "value": "50"},
                                                        {"name": "lang", "value": "en"},
                                                        {"name": "keep_code", "value": "true"}]}
    assert props(filter_task) == {"dbom:step:kind": "filter", "dbom:step:documents-in": "120",
                                  "dbom:step:documents-out": "80"}
    assert props(dedup_task)["dbom:step:entrypoint"] == "dedup.minhash:main"

    # the filter's code: this repository at its commit, the file's digest, the remote without its token
    filter_code = components[filter_task["resourceReferences"][0]["ref"]]
    assert (filter_code["type"], filter_code["name"], filter_code["version"]) == \
        ("application", "src/filter.py", project["commit"])
    assert filter_code["hashes"] == [{"alg": "SHA-256", "content": _sha(FILTER_PY)}]
    assert filter_code["externalReferences"] == [{"type": "vcs", "url": f"{CLEAN_REMOTE}#{project['commit']}"}]
    # the dedup code: the file as it is at the pinned commit (the working copy has changed since)
    dedup_code = components[dedup_task["resourceReferences"][0]["ref"]]
    assert dedup_code["version"] == project["tools_commit"]  # the short revision resolved in full
    assert dedup_code["hashes"][0]["content"] == _sha(DEDUP_PY_COMMITTED)
    assert props(dedup_code)["dbom:vcs:url"] == "ssh://github.com/org/tools.git"
    config = next(components[i["resource"]["ref"]] for i in dedup_task["inputs"]
                  if "resource" in i and i["resource"]["ref"].startswith("config:"))
    assert config["type"] == "file" and config["name"] == "configs/dedup.yaml"
    assert config["hashes"][0]["content"] == _sha("threshold: 0.8\nnum_perm: 128\n")

    datasets = datasets_by_name(doc)
    assert "pedigree" not in datasets["raw"] or "ancestors" not in datasets["raw"]["pedigree"]
    filtered_stub, = datasets["filtered"]["pedigree"]["ancestors"]
    assert filtered_stub == {"type": "data", "name": "raw", "hashes": datasets["raw"]["hashes"]}
    dedup_stub, = datasets["deduplicated"]["pedigree"]["ancestors"]
    assert dedup_stub["name"] == "filtered" and "bom-ref" not in dedup_stub
    deps = {d["ref"]: d["dependsOn"] for d in doc["dependencies"]}
    assert deps[data_refs["filtered"]] == [data_refs["raw"]]
    assert deps[data_refs["deduplicated"]] == [data_refs["filtered"]]

    model = dbom.load(out)
    assert [s.name for s in model.steps] == ["quality-filter", "minhash-dedup"]
    # the CLI's default content profile is a sample; the API's is off unless asked
    again = dbom.scan(manifest=project["repo"] / "dbom.yaml", options=dbom.ScanOptions(profile="sample"))
    assert model.steps == again.steps and model.datasets == again.datasets


def test_the_same_dbom_validates_under_1_7(project: dict[str, Any], tmp_path: Path) -> None:
    model = dbom.scan(manifest=project["repo"] / "dbom.yaml")
    out = tmp_path / "p17.json"
    dbom.write(model, out, spec_version="1.7")
    assert dbom.validate_file(out) == []
    assert dbom.load(out) == model
    step = model.steps[1]
    assert step.code == f"ssh://github.com/org/tools.git@{project['tools_commit']}:dedup/minhash.py"
    assert step.args == (("threshold", "0.8"),) and step.bytes_out == 4096 and step.inputs == ("filtered",)


def _line(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_manifest_errors_name_the_step_and_line(project: dict[str, Any], tmp_path: Path) -> None:
    manifest = project["repo"] / "dbom.yaml"
    text = manifest.read_text()
    bad = manifest.parent / "bad.yaml"  # beside the real one, so relative paths resolve the same way
    cases = [
        ("inputs: filtered", "inputs: [filterd]",
         r"steps\[minhash-dedup\].inputs names 'filterd', which is not a dataset"),
        ("outputs: [filtered]", "outputs: [nope]", r"steps\[quality-filter\].outputs names 'nope'"),
        ("code: src/filter.py", "code: src/missing.py",
         r"steps\[quality-filter\].code: no such file or folder: src/missing.py"),
        ("config: configs/dedup.yaml", "config: configs", r"steps\[minhash-dedup\].config: configs is a folder"),
        ("documents_in: 120", "documents_in: -1", r"steps\[quality-filter\].documents_in must be a whole number"),
        ("args: {threshold: 0.8}", "args: [0.8]", r"steps\[minhash-dedup\].args must be a mapping"),
        ("name: minhash-dedup", "name: quality-filter", r"step name 'quality-filter' is declared twice"),
        ("kind: filter", "language: python", r"unknown key 'language' in steps\[\]"),
    ]
    for old, new, expected in cases:
        wrong = text.replace(old, new)
        bad.write_text(wrong)
        with pytest.raises(ManifestError, match=rf"bad.yaml: line {_line(wrong, new)}: {expected}"):
            dbom.scan(manifest=bad)
    # through the CLI: one line, exit 1, nothing written
    bad.write_text(text.replace("inputs: filtered", "inputs: [filterd]"))
    out = tmp_path / "never.json"
    result = run_dbom("scan", "-q", "-c", str(bad), "-o", str(out))
    assert result.returncode == 1 and not out.exists()
    assert result.stderr.count("\n") == 1 and "steps[minhash-dedup].inputs" in result.stderr


def test_code_references_in_every_form(project: dict[str, Any], tmp_path: Path) -> None:
    repo = project["repo"]
    remote = resolve_code("https://user:tok@github.com/org/tools@3F2A9C1:filters/dedup.py", repo)
    assert remote.sha256 is None and remote.path == "filters/dedup.py"
    assert remote.vcs is not None and (remote.vcs.url, remote.vcs.commit) == ("https://github.com/org/tools",
                                                                              "3f2a9c1")
    with pytest.raises(CodeError, match="pinned by a commit id"):
        resolve_code("https://github.com/org/tools@main:filters/dedup.py", repo)
    folder = resolve_code("src", repo)
    assert folder.path == "src" and folder.sha256 == folder_sha256(repo / "src")
    assert folder.vcs is not None and not folder.vcs.dirty
    (repo / "src" / "filter.py").write_text(FILTER_PY + "# edited\n")
    edited = resolve_code("src/filter.py", repo)
    assert edited.vcs is not None and edited.vcs.dirty and edited.vcs.diff_digest
    assert edited.sha256 == _sha(FILTER_PY + "# edited\n")
    loose = tmp_path / "loose"
    loose.mkdir()
    (loose / "run.sh").write_text("echo run\n")
    outside = resolve_code("../loose/run.sh", repo)
    assert outside.vcs is None and outside.path == "run.sh"  # no local folder names in a DBOM
    with pytest.raises(CodeError, match="no commit 'nope'"):
        resolve_code("../tools-repo@nope:dedup/minhash.py", repo)
    with pytest.raises(CodeError, match=r"no file 'dedup/other\.py'"):
        resolve_code(f"../tools-repo@{project['tools_commit']}:dedup/other.py", repo)
    assert git(repo, "status", "--porcelain") == "M src/filter.py"


def test_the_model_is_trained_on_what_the_steps_wrote_not_on_their_inputs(project: dict[str, Any],
                                                                          tmp_path: Path) -> None:
    """EU 1.3 asks for the training data after pre-processing: raw and filtered are consumed by steps."""
    out = tmp_path / "dbom.cdx.json"
    done = run_dbom("scan", "-c", str(project["repo"] / "dbom.yaml"), "-o", str(out), "-q")
    assert done.returncode == 0, done.stderr
    doc = load_json(out)
    model = doc["metadata"]["component"]
    assert [d["ref"] for d in model["modelCard"]["modelParameters"]["datasets"]] == ["data:deduplicated"]
    depends = {d["ref"]: d["dependsOn"] for d in doc["dependencies"]}
    assert depends[model["bom-ref"]] == ["data:deduplicated"]
    assert depends["data:deduplicated"] == ["data:filtered"] and depends["data:filtered"] == ["data:raw"]
    assert set(datasets_by_name(doc)) == {"raw", "filtered", "deduplicated"}  # the intermediates stay
    eu = tmp_path / "eu.md"
    assert run_dbom("report", str(out), "--format", "eu", "-o", str(eu)).returncode == 0
    lines = eu.read_text(encoding="utf-8").splitlines()
    table = lines.index("| modality | training data size | types of content |")
    rows = [line for line in lines[table + 2:] if line.startswith("|")]
    assert len(rows) == 1 and "deduplicated" in rows[0] and not re.search(r"\braw\b", rows[0])
    assert "64 records" in rows[0]  # deduplicated's 64, not 120 + 80 + 64
    spdx = tmp_path / "dbom.spdx.json"
    assert run_dbom("export", str(out), "--format", "spdx3", "-o", str(spdx)).returncode == 0
    import json

    graph = json.loads(spdx.read_text(encoding="utf-8"))["@graph"]
    trained = next(n for n in graph if n.get("relationshipType") == "trainedOn")
    names = {n["spdxId"]: n.get("name") for n in graph if "spdxId" in n}
    assert [names[target] for target in trained["to"]] == ["deduplicated"]
    assert [d.name for d in dbom.load(out).trained_on] == ["deduplicated"]
