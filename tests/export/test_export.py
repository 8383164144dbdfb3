"""`dbom export`: SPDX 3.0.1 checked by the SPDX project's own bindings, Croissant by mlcroissant, on real files."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import mlcroissant as mlc
import pyarrow as pa
import pyarrow.parquet as pq
from corpora import copy_samples
from helpers import run_dbom
from spdx_python_model import v3_0_1 as spdx3

EPOCH = {"SOURCE_DATE_EPOCH": "0"}


def _corpus(root: Path) -> dict[str, list[dict[str, object]]]:
    """Two datasets: `books` (two Parquet files) and `notes` (JSON Lines), with what they hold."""
    books = [{"id": i, "title": f"Book {i}", "text": f"Once upon a time, number {i}."} for i in range(30)]
    (root / "books" / "data").mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist(books[:18]), root / "books" / "data" / "part-0.parquet")
    pq.write_table(pa.Table.from_pylist(books[18:]), root / "books" / "data" / "part-1.parquet")
    (root / "books" / "README.md").write_text("---\nlicense: cc-by-4.0\n---\n# Books\n")
    notes = [{"note": f"remember {i}", "score": i} for i in range(12)]
    (root / "notes").mkdir()
    (root / "notes" / "notes.jsonl").write_text("".join(json.dumps(n) + "\n" for n in notes))
    return {"books": books, "notes": notes}


def _scan(root: Path, out: Path, *extra: str) -> None:
    done = run_dbom("scan", str(root / "books"), str(root / "notes"), "-o", str(out), "-q", *extra, env=EPOCH)
    assert done.returncode == 0, done.stderr


def _load_spdx(path: Path) -> dict[str, list[object]]:
    objects = spdx3.SHACLObjectSet()
    with open(path, encoding="utf-8") as fh:
        spdx3.JSONLDDeserializer().read(fh, objects)
    assert not objects.missing_ids  # every reference resolves inside the document
    by_type: dict[str, list[object]] = {}
    for obj in objects.foreach():
        by_type.setdefault(type(obj).__name__, []).append(obj)
    return by_type


def test_a_bare_scan_exports_to_spdx3_that_the_spdx_bindings_load(tmp_path: Path) -> None:
    _corpus(tmp_path / "data")
    out = tmp_path / "dbom.cdx.json"
    _scan(tmp_path / "data", out)
    spdx = tmp_path / "dbom.spdx.json"
    done = run_dbom("export", str(out), "--format", "spdx3", "-o", str(spdx))
    assert done.returncode == 0, done.stderr
    assert "no modality" in done.stderr  # a bare scan states no modality: SPDX's dataset type is noAssertion
    # what the profiles require and a DBOM cannot know is left out, one warning a property
    assert "asks for releaseTime of each dataset_DatasetPackage; the DBOM does not know it (left out) for: " \
           "books, notes" in done.stderr
    found = _load_spdx(spdx)
    files = {f.name: f for f in found["software_File"]}
    assert set(files) == {"data/part-0.parquet", "data/part-1.parquet", "notes.jsonl"}
    for name, file in files.items():
        folder = "books" if name.startswith("data/") else "notes"
        expected = hashlib.sha256((tmp_path / "data" / folder / name).read_bytes()).hexdigest()
        assert [h.hashValue for h in file.verifiedUsing] == [expected]
    packages = {p.name: p for p in found["dataset_DatasetPackage"]}
    assert set(packages) == {"books", "notes"}
    relations = found["Relationship"]
    trained = [r for r in relations if str(r.relationshipType).endswith("/trainedOn")]
    assert len(trained) == 1 and sorted(target.name for target in trained[0].to) == ["books", "notes"]
    assert trained[0].from_ is found["ai_AIPackage"][0]
    licenses = {e.simplelicensing_licenseExpression for e in found["simplelicensing_LicenseExpression"]}
    assert licenses == {"CC-BY-4.0"}
    again = tmp_path / "again.spdx.json"
    assert run_dbom("export", str(out), "--format", "spdx3", "-o", str(again)).returncode == 0
    assert again.read_bytes() == spdx.read_bytes()  # deterministic
    assert str(tmp_path) not in spdx.read_text(encoding="utf-8")


def test_the_sample_manifest_facts_reach_the_spdx_dataset_fields(tmp_path: Path) -> None:
    samples = copy_samples(tmp_path / "samples")
    out = tmp_path / "dbom.cdx.json"
    assert run_dbom("scan", "-c", str(samples / "dbom.yaml"), "-o", str(out), "-q", env=EPOCH).returncode == 0
    spdx = tmp_path / "dbom.spdx.json"
    done = run_dbom("export", str(out), "--format", "spdx3", "-o", str(spdx))
    assert done.returncode == 0 and "modality" not in done.stderr, done.stderr
    packages = {p.name: p for p in _load_spdx(spdx)["dataset_DatasetPackage"]}
    web = packages["web-text"]
    assert "ExampleBot" in web.dataset_dataCollectionProcess and "2024-01/2024-06" in web.dataset_dataCollectionProcess
    assert [str(t).rsplit("/", 1)[-1] for t in web.dataset_datasetType] == ["text"]
    assert web.software_packageVersion == "2024.06" and web.dataset_knownBias


def test_croissant_validates_hashes_match_and_records_iterate(tmp_path: Path) -> None:
    data = _corpus(tmp_path / "data")
    out = tmp_path / "dbom.cdx.json"
    _scan(tmp_path / "data", out)
    folder = tmp_path / "croissant"  # every dataset's file in one folder: valid, with hashes that match
    done = run_dbom("export", str(out), "--format", "croissant", "-o", str(folder),
                    "--root", f"books={tmp_path / 'data' / 'books'}", "--root", f"notes={tmp_path / 'data' / 'notes'}")
    assert done.returncode == 0, done.stderr
    for name in data:
        path = folder / f"{name}.croissant.json"
        for item in json.loads(path.read_text(encoding="utf-8"))["distribution"]:
            if item["@type"] == "cr:FileObject":
                local = (path.parent / item["contentUrl"]).resolve()
                assert item["sha256"] == hashlib.sha256(local.read_bytes()).hexdigest()
        mlc.Dataset(jsonld=str(path))  # validates: raises on an error
    for name, rows in data.items():
        # mlcroissant reads a file set's files below the Croissant file's folder: one file in each dataset root
        root = tmp_path / "data" / name
        path = root / "croissant.json"
        done = run_dbom("export", str(out), "--format", "croissant", "--dataset", name, "-o", str(path),
                        "--root", f"{name}={root}")
        assert done.returncode == 0, done.stderr
        doc = json.loads(path.read_text(encoding="utf-8"))
        assert doc["conformsTo"] == "http://mlcommons.org/croissant/1.1"
        for item in doc["distribution"]:
            if item["@type"] == "cr:FileObject":
                local = (path.parent / item["contentUrl"]).resolve()
                assert item["sha256"] == hashlib.sha256(local.read_bytes()).hexdigest()
        dataset = mlc.Dataset(jsonld=str(path))  # validates: raises on an error
        record_set = dataset.metadata.record_sets[0].uuid
        records = list(dataset.records(record_set=record_set))
        assert len(records) == len(rows)
        column = "title" if name == "books" else "note"
        got = sorted(_text(r[f"{record_set}/{column}"]) for r in records)
        assert got == sorted(str(row[column]) for row in rows)
    books = json.loads((folder / "books.croissant.json").read_text(encoding="utf-8"))
    assert books["license"] == "https://spdx.org/licenses/CC-BY-4.0"


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def test_no_sha256_is_told_and_bad_input_is_one_line(tmp_path: Path) -> None:
    _corpus(tmp_path / "data")
    out = tmp_path / "dbom.cdx.json"
    _scan(tmp_path / "data", out, "--hash", "none")
    spdx = run_dbom("export", str(out), "--format", "spdx3", "-o", str(tmp_path / "x.spdx.json"))
    assert spdx.returncode == 0 and "no SHA-256" in spdx.stderr
    croissant = run_dbom("export", str(out), "--format", "croissant", "-o", str(tmp_path / "c.json"), "--dataset",
                         "books")
    assert croissant.returncode == 0 and "--hash sha256" in croissant.stderr
    assert json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))["distribution"] == []
    not_cdx = tmp_path / "other.json"
    not_cdx.write_text(json.dumps({"hello": "world"}))
    for args, says in (((str(tmp_path / "none.json"),), "no such file"),
                       ((str(not_cdx),), str(not_cdx)),
                       ((str(out), "--dataset", "nope"), "no dataset 'nope'")):
        done = run_dbom("export", *args, "--format", "croissant", "-o", str(tmp_path / "y.json"))
        assert done.returncode == 1 and done.stderr.startswith("dbom: error: ") and says in done.stderr, done.stderr
        assert len(done.stderr.splitlines()) == 1 and not (tmp_path / "y.json").exists()
    usage = run_dbom("export", str(out), "--format", "spdx3", "-o", str(tmp_path / "z.json"), "--dataset", "books")
    assert usage.returncode == 2 and not (tmp_path / "z.json").exists()


def test_spdx_reads_back_through_io(tmp_path: Path) -> None:
    _corpus(tmp_path / "data")
    out = tmp_path / "dbom.cdx.json"
    _scan(tmp_path / "data", out)
    spdx = tmp_path / "dbom.spdx.json"
    assert run_dbom("export", str(out), "--format", "spdx3", "-o", str(spdx)).returncode == 0
    objects = spdx3.SHACLObjectSet()
    spdx3.JSONLDDeserializer().read(io.StringIO(spdx.read_text(encoding="utf-8")), objects)
    documents = list(objects.foreach_type(spdx3.SpdxDocument))
    assert len(documents) == 1 and len(documents[0].rootElement) == 1
