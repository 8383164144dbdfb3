"""dbom.Recorder: a DBOM written at training time, naming the training code's commit and the environment."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import runpy
import subprocess
import sys
from pathlib import Path

import datasets
import pyarrow as pa
import pyarrow.ipc
import pytest
import xxhash
from corpora import make_corpus
from helpers import commit_all, datasets_by_name, git, init_repo, load_json, props, run_dbom, shards_of

import dbom
from dbom.errors import DbomError
from dbom.model import Column
from dbom.scanning.scanner import ScanOptions

TOKEN_REMOTE = "https://user:ghp_FAKE@example.com/org/trainer.git"
CLEAN_REMOTE = "https://example.com/org/trainer.git"
TRAIN_PY = """\
import sys
from pathlib import Path

import datasets

import dbom

here = Path(__file__).parent
datasets.Dataset.from_dict({"q": ["a?", "b?"]}).save_to_disk(str(here / "corpus" / "qa"))
qa = datasets.load_from_disk(str(here / "corpus" / "qa"))
with dbom.Recorder(manifest=here / "dbom.yaml", output=sys.argv[1]) as rec:
    rec.add_dataset(qa, name="qa")
    rec.add_dataset(here / "corpus" / "alpha")
    rec.add_step("filter", kind="filter", code="prepare.py", inputs=["alpha"], outputs=["alpha-clean"],
                 args={"min_len": 3})
    rec.add_dataset(here / "corpus" / "beta", name="alpha-clean")
    print("trained")
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A training project in git: train.py, prepare.py, a manifest, and a small corpus."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    repo = init_repo(tmp_path / "project", remote=TOKEN_REMOTE)
    (repo / "train.py").write_text(TRAIN_PY)
    (repo / "prepare.py").write_text("print('prepare')\n")
    (repo / "dbom.yaml").write_text(
        "model: {name: tiny-lm, version: '0.1', license: Apache-2.0}\n"
        "dbom: {license: CC-BY-4.0}\n"
        "datasets:\n"
        "  - {name: alpha, osaid_class: public}\n"
        "  - {name: alpha-clean, osaid_class: open, version: '2'}\n"
        "  - {name: qa, languages: [en]}\n"
    )
    (repo / ".gitignore").write_text("corpus/\n")  # the data is not in git, the code is
    make_corpus(repo / "corpus")
    commit_all(repo, "training code")
    return repo


def test_a_real_training_script_writes_a_dbom_naming_its_commit(project: Path, tmp_path: Path) -> None:
    commit = git(project, "rev-parse", "HEAD")
    out = tmp_path / "run.cdx.json"
    done = subprocess.run([sys.executable, str(project / "train.py"), str(out)], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "trained"
    assert run_dbom("validate", str(out)).returncode == 0
    text = out.read_text()
    assert "ghp_FAKE" not in text and str(tmp_path) not in text
    doc = load_json(out)
    meta = props(doc["metadata"])
    code = next(c for c in doc["components"] if c["bom-ref"] == meta["dbom:training-code"])
    assert (code["type"], code["name"], code["version"]) == ("application", "train.py", commit)
    assert code["hashes"] == [{"alg": "SHA-256", "content": hashlib.sha256(TRAIN_PY.encode()).hexdigest()}]
    assert code["externalReferences"] == [{"type": "vcs", "url": f"{CLEAN_REMOTE}#{commit}"}]
    assert props(code)["dbom:vcs:dirty"] == "false"
    assert meta["dbom:env:python"] == ".".join(map(str, sys.version_info[:3]))
    assert meta["dbom:env:datasets"] == importlib.metadata.version("datasets")
    assert meta["dbom:env:pyarrow"] == importlib.metadata.version("pyarrow")
    sets = datasets_by_name(doc)
    assert sorted(sets) == ["alpha", "alpha-clean", "qa"]
    assert props(sets["qa"])["dbom:datasets:type"] == "Dataset"
    assert props(sets["alpha"])["dbom:fact:osaid_class"] == "public"  # the manifest's facts, by name
    assert sets["alpha-clean"]["version"] == "2"
    assert sets["alpha-clean"]["pedigree"]["ancestors"][0]["name"] == "alpha"
    task = doc["formulation"][0]["workflows"][0]["tasks"][0]
    step_code = next(c for c in doc["components"] if c["bom-ref"] == task["resourceReferences"][0]["ref"])
    assert (step_code["name"], step_code["version"]) == ("prepare.py", commit)
    assert doc["metadata"]["component"]["name"] == "tiny-lm"
    assert doc["metadata"]["licenses"][0]["license"]["id"] == "CC-BY-4.0"


def test_recorder_in_process_with_a_datasets_object(project: Path, tmp_path: Path) -> None:
    ds = datasets.Dataset.from_dict({"q": ["a?", "b?"], "a": ["a", "b"]})
    ds.save_to_disk(str(tmp_path / "qa"))
    qa = datasets.load_from_disk(str(tmp_path / "qa"))
    out = tmp_path / "in-process.cdx.json"
    (project / "train.py").write_text(TRAIN_PY + "# changed, not committed\n")
    with dbom.Recorder(model="renamed", manifest=project / "dbom.yaml", output=out, code=project / "train.py",
                       spec_version="1.7") as rec:
        recorded = rec.add_dataset(qa, name="qa")
        rec.add_dataset(project / "corpus" / "alpha")
        rec.add_dataset(project / "corpus" / "beta", name="alpha-clean")
        with pytest.raises(DbomError, match="already added"):
            rec.add_dataset(project / "corpus" / "beta", name="alpha-clean")
        assert not out.exists()
    assert recorded.facts == {"languages": "en"}
    assert recorded.shards[0].sha256 == hashlib.sha256(Path(qa.cache_files[0]["filename"]).read_bytes()).hexdigest()
    assert dbom.validate_file(out) == []
    model = dbom.load(out)
    assert model.model.name == "renamed" and model.model.version == "0.1"
    assert model.training_code is not None and model.training_code.vcs is not None
    assert model.training_code.vcs.dirty and model.training_code.vcs.diff_digest  # the script was edited
    assert model.training_code.vcs.commit == git(project, "rev-parse", "HEAD")
    assert model == rec.build()  # what was written is what the recorder holds (SOURCE_DATE_EPOCH pins the time)
    assert json.loads(out.read_text())["specVersion"] == "1.7"


def test_nothing_is_written_when_the_run_fails_or_the_record_is_wrong(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "failed.cdx.json"
    with pytest.raises(RuntimeError), dbom.Recorder(model="m", output=out, code=project) as rec:
        rec.add_dataset(project / "corpus" / "alpha")
        raise RuntimeError("training diverged")
    assert not out.exists()
    with pytest.raises(DbomError, match="names dataset 'nowhere', which was not recorded"), \
            dbom.Recorder(model="m", output=out, code=project) as rec:
        rec.add_step("s", inputs=["nowhere"])
    assert not out.exists()
    with pytest.raises(DbomError, match="dataset 'alpha' has no `path` and was not added"):
        dbom.Recorder(manifest=project / "dbom.yaml", output=out, code=project).write()
    with pytest.raises(DbomError, match="cannot record a dict"):
        dbom.Recorder(output=None).add_dataset({"not": "a dataset"})
    assert list(tmp_path.glob("*.json")) == [] and list(tmp_path.glob(".*tmp")) == []


def test_training_code_outside_git_is_pinned_by_its_digest(tmp_path: Path) -> None:
    script = tmp_path / "loose" / "train.py"
    script.parent.mkdir()
    script.write_text("print(1)\n")
    rec = dbom.Recorder(model="m", output=None, code=script, environment=False)
    model = rec.build()
    assert model.training_code == dbom.CodeRef(path="train.py", sha256=hashlib.sha256(b"print(1)\n").hexdigest())
    assert model.environment == ()


RECORD_IN_MEMORY_PY = """\
import sys

import datasets

import dbom

with dbom.Recorder(model="m", output=sys.argv[1], code=__file__, environment=False) as rec:
    rec.add_dataset(datasets.Dataset.from_dict({"text": ["a", "b", "c"]}), name="m")
"""


def _ipc_stream_xxh3(table: pa.Table) -> str:
    """XXH3-128 of the Arrow IPC stream of `table` as one batch (a table of at most MEMORY_BATCH_ROWS rows)."""
    table = table.combine_chunks()
    stream = pa.BufferOutputStream()
    with pyarrow.ipc.new_stream(stream, table.schema) as writer:
        writer.write_table(table)
    return xxhash.xxh3_128(stream.getvalue().to_pybytes()).hexdigest()


def test_an_in_memory_dataset_is_recorded_with_its_rows_columns_and_content(tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    script = tmp_path / "record.py"
    script.write_text(RECORD_IN_MEMORY_PY)
    outs = []
    for run in ("first", "second"):  # two runs, two processes: the record is the same
        out = tmp_path / f"{run}.cdx.json"
        done = subprocess.run([sys.executable, str(script), str(out)], cwd=tmp_path, capture_output=True, text=True,
                              timeout=300, check=False)
        assert done.returncode == 0, done.stderr
        outs.append(out)
    component = datasets_by_name(load_json(outs[0]))["m"]
    assert component["data"][0]["description"] == f"3 records, {props(component)['dbom:bytes']} bytes in 1 shards " \
                                                  "(arrow-stream)"
    assert props(component)["dbom:records"] == "3"
    (shard,) = shards_of(component).values()
    assert json.loads(props(shard)["dbom:schema"]) == [["text", "string"]]
    table = datasets.Dataset.from_dict({"text": ["a", "b", "c"]}).data.table
    assert props(shard)["dbom:hash:xxh3-128"] == _ipc_stream_xxh3(table)
    (read,) = dbom.load(outs[0]).datasets
    assert read.total_records == 3 and read.shards[0].columns == (Column("text", "string"),)
    done = run_dbom("diff", str(outs[0]), str(outs[1]))
    assert done.returncode == 0, done.stdout + done.stderr


def test_in_memory_content_not_its_history_gives_the_digest() -> None:
    rows = {"text": ["a", "b", "c"], "n": [1, 2, 3]}
    rec = dbom.Recorder(model="m", output=None, environment=False)
    made = rec.add_dataset(datasets.Dataset.from_dict(rows), name="made")
    listed = rec.add_dataset(datasets.Dataset.from_list([{"text": "a", "n": 1}, {"text": "b", "n": 2},
                                                         {"text": "c", "n": 3}]), name="listed")
    assert made.shards == listed.shards and made.digest == listed.digest
    picked = rec.add_dataset(datasets.Dataset.from_dict(rows).select([2, 0]), name="picked")  # an indices mapping
    same_rows = rec.add_dataset(datasets.Dataset.from_dict({"text": ["c", "a"], "n": [3, 1]}), name="same-rows")
    assert picked.shards[0].records == 2 and picked.shards == same_rows.shards
    assert picked.shards[0].xxh3_128 != made.shards[0].xxh3_128
    many = {"text": [f"row {i} " * (i % 7) for i in range(3000)], "tags": [[str(i)] * (i % 3) for i in range(3000)]}
    sliced = rec.add_dataset(datasets.Dataset.from_dict(many).select(range(1000, 2000)), name="sliced")  # a slice
    fresh = rec.add_dataset(datasets.Dataset.from_dict({k: v[1000:2000] for k, v in many.items()}), name="fresh")
    assert sliced.shards == fresh.shards
    splits = rec.add_dataset(datasets.DatasetDict(train=datasets.Dataset.from_dict(rows),
                                                  test=datasets.Dataset.from_dict({"text": ["d"], "n": [4]})),
                             name="splits")
    assert {s.path: s.records for s in splits.shards} == {"test/in-memory": 1, "train/in-memory": 3}
    assert splits.total_records == 4


def test_an_in_memory_records_digest_is_that_of_the_same_rows_saved(tmp_path: Path) -> None:
    rows = {"text": [f"row {i} " * (i % 5) for i in range(5000)], "n": list(range(5000))}
    rec = dbom.Recorder(model="m", output=None, environment=False, options=ScanOptions(records_digest=True))
    in_memory = rec.add_dataset(datasets.Dataset.from_dict(rows), name="in-memory")
    datasets.Dataset.from_dict(rows).save_to_disk(str(tmp_path / "saved"))
    saved = rec.add_dataset(datasets.load_from_disk(str(tmp_path / "saved")), name="saved")
    assert in_memory.total_records == saved.total_records == 5000
    assert in_memory.records_digest is not None and in_memory.records_digest == saved.records_digest
    halves = datasets.concatenate_datasets([datasets.Dataset.from_dict({k: v[:1234] for k, v in rows.items()}),
                                            datasets.Dataset.from_dict({k: v[1234:] for k, v in rows.items()})])
    assert rec.add_dataset(halves, name="halves").shards == in_memory.shards  # chunked otherwise, the same digests


MIT = runpy.run_path(str(Path(__file__).resolve().parents[1] / "licensing" / "license_texts.py"))["MIT"]
NC_CARD = "---\nlicense: cc-by-nc-4.0\n---\n# Instruct\n\nInstructions and their answers.\n"


def _instruct_repo(root: Path, card: str | None, info_license: str | None = None) -> Path:
    """A git repository: an MIT LICENSE at its top, and `instruct/`, a DatasetDict saved there, with `card`."""
    repo = init_repo(root)
    (repo / "LICENSE").write_text(MIT)
    info = datasets.DatasetInfo(license=info_license) if info_license else None
    datasets.DatasetDict(
        train=datasets.Dataset.from_dict({"prompt": ["hi?", "why?"], "answer": ["hello", "because"]}, info=info),
        test=datasets.Dataset.from_dict({"prompt": ["who?"], "answer": ["me"]}, info=info),
    ).save_to_disk(str(repo / "instruct"))
    if card is not None:
        (repo / "instruct" / "README.md").write_text(card)
    (repo / "dbom.yaml").write_text("model: {name: chat, version: '1', commercial: true}\n")
    commit_all(repo, "data")
    return repo


def test_a_split_of_a_saved_dataset_dict_has_the_dicts_card_license(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    repo = _instruct_repo(tmp_path / "repo", NC_CARD)
    train = datasets.load_from_disk(str(repo / "instruct"))["train"]
    out = tmp_path / "run.cdx.json"
    told: list[str] = []
    with dbom.Recorder(manifest=repo / "dbom.yaml", output=out, code=repo, environment=False,
                       options=ScanOptions(warn=told.append)) as rec:
        recorded = rec.add_dataset(train, name="instruct")
    assert (recorded.license.expression, recorded.license.source) == ("CC-BY-NC-4.0", "card")
    assert {(e.expression, e.source, e.path) for e in recorded.license_evidence} == {
        ("CC-BY-NC-4.0", "card", None), ("MIT", "license-file", "../LICENSE")}
    assert [s.path for s in recorded.shards] == ["train/data-00000-of-00001.arrow"]  # the split only
    assert "README.md" in {d.path for d in recorded.docs} and not any(d.path.startswith("test/") for d in recorded.docs)
    assert recorded.vcs is not None and recorded.vcs.path == "instruct"
    assert rec.warnings == []  # the repository's MIT above the data card is its code license, no conflict
    assert recorded.code_license is not None and recorded.code_license.expression == "MIT"
    conflict = ("instruct: license conflict: CC-BY-NC-4.0 is non-commercial, but the model is for commercial use "
                "(model.commercial: true)")
    assert dbom.load(out).warnings == (*rec.warnings, conflict)
    assert told == [*rec.warnings, conflict]  # the run is told too, as `dbom scan` tells it
    component = datasets_by_name(load_json(out))["instruct"]
    assert component["licenses"][0]["license"]["id"] == "CC-BY-NC-4.0"
    check = run_dbom("check", str(out), "--strict")
    assert check.returncode == 1
    assert "conflict license.non-commercial instruct" in " ".join(check.stdout.split())
    # `dbom scan` of the DatasetDict's folder says the same
    scan = run_dbom("scan", "-c", str(repo / "dbom.yaml"), str(repo / "instruct"), "-o", str(tmp_path / "scan.json"))
    assert scan.returncode == 0, scan.stderr
    assert "dbom: warning: instruct: license conflict: CC-BY-NC-4.0 is non-commercial" in scan.stderr
    assert datasets_by_name(load_json(tmp_path / "scan.json"))["instruct"]["licenses"] == component["licenses"]


def test_a_saved_splits_own_info_license_wins_over_the_repositorys_license_file(tmp_path: Path) -> None:
    repo = _instruct_repo(tmp_path / "repo", card=None, info_license="cc-by-nc-4.0")
    train = datasets.load_from_disk(str(repo / "instruct"))["train"]
    assert train.info.license == "cc-by-nc-4.0"
    rec = dbom.Recorder(manifest=repo / "dbom.yaml", output=None, code=repo, environment=False)
    recorded = rec.add_dataset(train, name="instruct")
    assert (recorded.license.expression, recorded.license.source) == ("CC-BY-NC-4.0", "datasets-info")
    assert {(e.expression, e.source, e.path) for e in recorded.license_evidence} == {
        ("CC-BY-NC-4.0", "datasets-info", None), ("MIT", "license-file", "../LICENSE")}
    assert rec.warnings == ["instruct: ../LICENSE: reads as MIT, but the datasets object's info declares "
                            "CC-BY-NC-4.0; keeping the info's license"]
    assert any("license conflict: CC-BY-NC-4.0 is non-commercial" in w for w in rec.build().warnings)


def test_verify_checks_each_dataset_against_a_dbom_before_training(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "corpus")
    reference = tmp_path / "released.cdx.json"
    with dbom.Recorder(model="tiny", output=reference, environment=False) as rec:
        rec.add_dataset(corpus / "alpha")
    with dbom.Recorder(model="tiny", output=None, environment=False, verify=reference) as rec:
        assert rec.add_dataset(corpus / "alpha").name == "alpha"  # the same data: no error
        with pytest.raises(DbomError, match="has no dataset 'beta' to verify against"):
            rec.add_dataset(corpus / "beta")
    changed = corpus / "alpha" / "data" / "part-0.parquet"
    data = bytearray(changed.read_bytes())
    data[len(data) // 2] ^= 0x01
    changed.write_bytes(bytes(data))
    (corpus / "alpha" / "data" / "part-1.parquet").unlink()
    recorder = dbom.Recorder(model="tiny", output=None, environment=False, verify=reference)
    with pytest.raises(DbomError) as raised:
        recorder.add_dataset(corpus / "alpha")
    message = str(raised.value)
    assert message.startswith("alpha: differs from released.cdx.json: ")
    assert "1 missing (data/part-1.parquet)" in message and "1 changed (data/part-0.parquet: content" in message
    with pytest.raises(DbomError, match="no such file"):
        dbom.Recorder(output=None, verify=tmp_path / "nowhere.json").add_dataset(corpus / "beta")
