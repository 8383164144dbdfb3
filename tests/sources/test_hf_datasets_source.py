"""Recording `datasets` objects: their cache files fingerprinted by the scanner, their info and fingerprints."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import datasets
import pyarrow.ipc as ipc
import pytest

import dbom
from dbom.errors import DbomError
from dbom.manifest import DatasetEntry
from dbom.model import Dbom, ModelInfo
from dbom.sources.hf_datasets import datasets_object_name, record_datasets_object


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    datasets.disable_progress_bars()


def _jsonl(path: Path, rows: int, prefix: str) -> Path:
    path.write_text("".join(json.dumps({"text": f"{prefix} {i}", "n": i}) + "\n" for i in range(rows)))
    return path


@pytest.fixture
def built(tmp_path: Path) -> datasets.DatasetDict:
    """A DatasetDict made by the real `json` builder from local files (no network), cached under tmp_path."""
    files = {"train": str(_jsonl(tmp_path / "train.jsonl", 30, "t")),
             "test": str(_jsonl(tmp_path / "test.jsonl", 10, "q"))}
    return datasets.load_dataset("json", data_files=files, cache_dir=str(tmp_path / "hf-datasets-cache"))


def _sha256(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def test_a_dataset_dict_from_a_builder(built: datasets.DatasetDict) -> None:
    recorded = record_datasets_object(built, name="qa")
    assert recorded.name == "qa"
    files = {Path(f["filename"]).name: f["filename"] for split in built.values() for f in split.cache_files}
    assert {s.path: s.sha256 for s in recorded.shards} == {n: _sha256(p) for n, p in files.items()}
    assert {s.path: s.records for s in recorded.shards} == {"json-test.arrow": 10, "json-train.arrow": 30}
    assert recorded.total_records == 40
    assert [d.path for d in recorded.docs] == ["dataset_info.json"]  # the builder's own metadata, beside the data
    info = recorded.datasets_info
    assert info is not None
    assert (info.kind, info.builder, info.config, info.version) == ("DatasetDict", "json", "default", "0.0.0")
    assert dict(info.fingerprints) == {"train": built["train"]._fingerprint, "test": built["test"]._fingerprint}
    assert dict((n, (e, b)) for n, e, b in info.splits) == {
        "train": (30, built["train"].info.splits["train"].num_bytes),
        "test": (10, built["test"].info.splits["test"].num_bytes)}
    assert json.loads(info.features or "") == built["train"].features.to_dict()
    assert datasets_object_name(built) == "json"


def test_a_mapped_split_saved_and_loaded_with_its_info(tmp_path: Path) -> None:
    info = datasets.DatasetInfo(description="Tiny questions.", citation="@misc{tiny}", homepage="https://example.org/t",
                                license="cc-by-4.0")
    ds = datasets.Dataset.from_dict({"text": ["a", "bb", "ccc"]}, info=info)
    ds.save_to_disk(str(tmp_path / "saved"))
    loaded = datasets.load_from_disk(str(tmp_path / "saved"))
    mapped = loaded.map(lambda row: {"length": len(row["text"])})
    recorded = record_datasets_object(mapped, name="tiny")
    (cache_file,) = mapped.cache_files
    (shard,) = recorded.shards
    assert shard.path == Path(cache_file["filename"]).name and shard.sha256 == _sha256(cache_file["filename"])
    with ipc.open_stream(cache_file["filename"]) as reader:
        assert shard.records == reader.read_all().num_rows == 3
    assert [c.name for c in shard.columns or ()] == ["text", "length"]
    assert recorded.description == "Tiny questions." and recorded.homepage == "https://example.org/t"
    assert (recorded.license.expression, recorded.license.source) == ("CC-BY-4.0", "datasets-info")
    assert recorded.datasets_info is not None and recorded.datasets_info.citation == "@misc{tiny}"
    assert recorded.datasets_info.fingerprints == (("", mapped._fingerprint),)

    # a manifest entry of the same name adds what people know, and its license wins
    entry = DatasetEntry(name="tiny", version="2", license="MIT", facts={"osaid_class": "open"})
    with_facts = record_datasets_object(mapped, name="tiny", entry=entry)
    assert (with_facts.version, with_facts.license.expression, with_facts.license.source) == ("2", "MIT", "manifest")
    assert with_facts.facts == {"osaid_class": "open"}


def test_a_dataset_dict_saved_to_disk_spans_two_folders(tmp_path: Path) -> None:
    dd = datasets.DatasetDict(train=datasets.Dataset.from_dict({"x": list(range(8))}),
                              test=datasets.Dataset.from_dict({"x": [1, 2]}))
    dd.save_to_disk(str(tmp_path / "dd"))
    recorded = record_datasets_object(datasets.load_from_disk(str(tmp_path / "dd")), name="dd")
    assert {s.path: s.records for s in recorded.shards} == {"test/data-00000-of-00001.arrow": 2,
                                                            "train/data-00000-of-00001.arrow": 8}
    assert {d.path for d in recorded.docs} >= {"train/state.json", "test/dataset_info.json"}
    assert str(tmp_path) not in repr(recorded)


def test_streaming_datasets_are_recorded_from_their_info_in_memory_ones_from_their_table(tmp_path: Path) -> None:
    streaming = datasets.load_dataset("json", data_files=str(_jsonl(tmp_path / "s.jsonl", 5, "s")), split="train",
                                      streaming=True)
    recorded = record_datasets_object(streaming, name="stream")
    assert recorded.shards == () and recorded.datasets_info is not None
    assert recorded.datasets_info.kind == "IterableDataset" and recorded.datasets_info.builder == "json"
    in_memory = datasets.Dataset.from_dict({"x": [1]})
    mem = record_datasets_object(in_memory, name="mem")
    assert [(s.path, s.records, s.format) for s in mem.shards] == [("in-memory", 1, "arrow-stream")]
    assert mem.datasets_info is not None
    assert mem.datasets_info.fingerprints == (("", in_memory._fingerprint),)
    with pytest.raises(DbomError, match="not a datasets object"):
        record_datasets_object([1, 2, 3], name="list")


def test_a_vanished_cache_file_is_an_error(tmp_path: Path) -> None:
    ds = datasets.Dataset.from_dict({"x": [1, 2]})
    ds.save_to_disk(str(tmp_path / "gone"))
    loaded = datasets.load_from_disk(str(tmp_path / "gone"))
    Path(loaded.cache_files[0]["filename"]).unlink()
    with pytest.raises(DbomError, match="a cache file of dataset 'gone' no longer exists"):
        record_datasets_object(loaded, name="gone")


def test_recorded_datasets_write_validate_and_read_back(built: datasets.DatasetDict, tmp_path: Path) -> None:
    recorded = record_datasets_object(built, name="qa")
    model = Dbom(model=ModelInfo(name="m"), datasets=(recorded,), timestamp="2026-01-01T00:00:00Z")
    for version in ("1.6", "1.7"):
        out = tmp_path / f"ds-{version}.json"
        dbom.write(model, out, spec_version=version)
        assert dbom.validate_file(out) == []
        assert dbom.load(out).datasets[0] == recorded
        assert str(tmp_path) not in out.read_text()


def test_a_datasets_object_is_profiled_from_its_rows_in_memory_or_on_disk(tmp_path: Path) -> None:
    pytest.importorskip("pycld2", reason="the profile extra: pip install -e '.[profile]'")
    texts = [f"The river ran past the old mill on day {i}, and the miller counted the sacks again." for i in range(400)]
    rows = {"text": texts, "url": [f"https://www.site{i % 9}.org/post/{i}" for i in range(400)]}
    in_memory = datasets.Dataset.from_dict(rows)
    in_memory.save_to_disk(str(tmp_path / "saved"))
    on_disk = datasets.load_from_disk(str(tmp_path / "saved"))
    options = dbom.ScanOptions(profile="exact", use_cache=False)
    profiles = [dict(record_datasets_object(obj, "rows", options).profile) for obj in (in_memory, on_disk)]
    assert profiles[0] == profiles[1]  # the same rows, the same profile, whatever backs them
    assert int(profiles[0]["dbom:profile:words"]) == sum(len(t.split()) for t in texts)
    assert int(profiles[0]["dbom:profile:characters"]) == sum(len(t) for t in texts)
    assert json.loads(profiles[0]["dbom:profile:languages"])[0]["language"] == "en"
    assert profiles[0]["dbom:profile:domains-distinct"] == "9"
    # a split with an indices mapping counts the rows it holds, not those of the table under it
    subset = datasets.DatasetDict({"train": on_disk.select(range(100))})
    words = int(dict(record_datasets_object(subset, "rows", options).profile)["dbom:profile:words"])
    assert words == sum(len(t.split()) for t in texts[:100])


def test_a_saved_dataset_folder_is_profiled_by_a_plain_scan(tmp_path: Path) -> None:
    pytest.importorskip("pycld2", reason="the profile extra: pip install -e '.[profile]'")
    texts = [f"Record {i}: a short English sentence about the weather in the valley." for i in range(200)]
    datasets.Dataset.from_dict({"text": texts}).save_to_disk(str(tmp_path / "saved"))
    scanned = dbom.scan([tmp_path / "saved"], options=dbom.ScanOptions(profile="exact", use_cache=False))
    profile = dict(scanned.datasets[0].profile)
    assert {s.format for s in scanned.datasets[0].shards} == {"arrow-stream"}
    assert int(profile["dbom:profile:words"]) == sum(len(t.split()) for t in texts)


def test_a_dataset_dict_over_two_folders_is_recorded_again_after_a_change(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # as the Recorder writes (the scan cache on, lines kept): the second recording crashed, reading the
    # merged dataset's kept lines as those of its first folder
    from dbom.fingerprint.cache import default_cache_dir

    monkeypatch.chdir(tmp_path)
    datasets.Dataset.from_dict({"x": list(range(8))}).save_to_disk("a")
    datasets.Dataset.from_dict({"x": [1, 2]}).save_to_disk("b")

    def record(out: str) -> dict[str, int | None]:
        both = datasets.DatasetDict(train=datasets.load_from_disk("a"), test=datasets.load_from_disk("b"))
        recorded = record_datasets_object(both, name="dd")
        dbom.write(Dbom(model=ModelInfo(name="m"), datasets=(recorded,)), tmp_path / out, memo_dir=default_cache_dir())
        return {s.path: s.records for s in dbom.load(tmp_path / out).datasets[0].shards}

    first = record("one.json")
    assert record("two.json") == first == {"a/data-00000-of-00001.arrow": 8, "b/data-00000-of-00001.arrow": 2}
    datasets.Dataset.from_dict({"x": [5, 6, 7]}).save_to_disk("b2")
    (tmp_path / "b").rename(tmp_path / "b-old")
    (tmp_path / "b2").rename(tmp_path / "b")
    assert record("three.json") == {"a/data-00000-of-00001.arrow": 8, "b/data-00000-of-00001.arrow": 3}
