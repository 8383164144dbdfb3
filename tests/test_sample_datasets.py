"""The committed sample datasets: reproducible by make_samples.py, described by dbom.yaml, licensed."""

from __future__ import annotations

import csv
import gzip
import re
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from dbom.manifest import DATASET_FACT_KEYS, MODEL_FACT_KEYS, SECTION_FACT_KEYS, load_manifest

SAMPLES = Path(__file__).resolve().parents[1] / "sample_datasets"
SCRIPT = SAMPLES / "make_samples.py"
DATASETS = ("web-text", "forum-qa", "recipes", "code-docs")
CARD_LICENSES = {"web-text": "cc-by-4.0", "forum-qa": "cc-by-nc-4.0", "recipes": "cc0-1.0",
                 "code-docs": "apache-2.0"}
OSAID = {"web-text": "public", "forum-qa": "obtainable", "recipes": "open", "code-docs": "open"}
RECORDS = {
    "web-text": {"data/train-00000-of-00004.parquet": 300, "data/train-00001-of-00004.parquet": 300,
                 "data/train-00002-of-00004.parquet": 300, "data/train-00003-of-00004.parquet": 260},
    "forum-qa": {"forum-qa-00000.jsonl.gz": 2000, "forum-qa-00001.jsonl.gz": 2000,
                 "forum-qa-00002.jsonl.gz": 1800},
    "recipes": {"recipes-part1.csv": 260, "recipes-part2.csv": 237},
    "code-docs": {"train/data-00000-of-00002.arrow": 161, "train/data-00001-of-00002.arrow": 160,
                  "test/data-00000-of-00001.arrow": 80},
}


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _front_matter(card: Path) -> tuple[dict[str, object], str]:
    text = card.read_text(encoding="utf-8")
    assert text.startswith("---\n"), f"{card} has no YAML front matter"
    header, body = text[4:].split("\n---\n", 1)
    return yaml.safe_load(header), body


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh run of make_samples.py into a temporary folder that already holds stale and foreign files."""
    out = tmp_path_factory.mktemp("samples")
    (out / "keep.txt").write_text("not the script's\n")
    (out / "web-text").mkdir()
    (out / "web-text" / "stale.parquet").write_bytes(b"old")
    subprocess.run([sys.executable, str(SCRIPT), str(out)], check=True, capture_output=True, timeout=120)
    return out


@pytest.mark.parametrize("name", DATASETS)
def test_regeneration_is_byte_identical(regenerated: Path, name: str) -> None:
    committed, fresh = _files(SAMPLES / name), _files(regenerated / name)
    assert sorted(fresh) == sorted(committed)
    changed = [rel for rel in committed if committed[rel] != fresh[rel]]
    assert not changed, f"{name}: {changed} differ; rerun `python sample_datasets/make_samples.py`"


def test_script_replaces_only_its_own_folders(regenerated: Path) -> None:
    assert (regenerated / "keep.txt").read_text() == "not the script's\n"
    assert not (regenerated / "web-text" / "stale.parquet").exists()
    assert sorted(p.name for p in regenerated.iterdir()) == sorted([*DATASETS, "keep.txt"])


def test_manifest_loads_and_states_every_fact() -> None:
    manifest = load_manifest(SAMPLES / "dbom.yaml")
    assert manifest.model["name"] == "tiny-lm"
    assert manifest.model["version"] == "1.0"
    assert manifest.model["commercial"] is True
    assert manifest.dbom == {"license": "CC-BY-4.0"}
    assert manifest.steps == ()
    assert set(manifest.model_info().facts) == set(MODEL_FACT_KEYS)
    assert [d.name for d in manifest.datasets] == list(DATASETS)
    for entry in manifest.datasets:
        assert entry.path == (SAMPLES / entry.name).resolve()
        assert entry.path.is_dir()
        # Every fact but those of EU sections the dataset is not in (and `size`: the scan counts text).
        others = {k for section, keys in SECTION_FACT_KEYS.items() if section != entry.facts["eu_category"]
                  for k in keys} - {"tdm_opt_out"}  # asked of crawled data, stated of every sample
        assert sorted(entry.facts) == sorted(set(DATASET_FACT_KEYS) - others - {"size"}), entry.name
        assert all(value.strip() for value in entry.facts.values()), entry.name
        assert entry.facts["osaid_class"] == OSAID[entry.name]
        assert entry.location and entry.location.startswith("https://example.org/")
        assert entry.homepage and entry.homepage.startswith("https://example.org/")


@pytest.mark.parametrize("name", DATASETS)
def test_card_and_license_file(name: str) -> None:
    front, body = _front_matter(SAMPLES / name / "README.md")
    assert front["license"] == CARD_LICENSES[name]
    assert isinstance(front["language"], list) and "en" in front["language"]
    assert front["pretty_name"] and front["description"]
    assert re.search(r"^Homepage: https://example\.org/\S+$", body, re.MULTILINE)
    urls = re.findall(r"https?://[^\s)`]+", body)
    assert all(re.match(r"https://(?:[\w-]+\.)*example\.(?:org|com)/", url) for url in urls), urls
    assert (SAMPLES / name / "LICENSE").read_text(encoding="utf-8").strip()


def test_forum_qa_is_non_commercial() -> None:
    front, _ = _front_matter(SAMPLES / "forum-qa" / "README.md")
    assert front["license"] == "cc-by-nc-4.0"
    text = (SAMPLES / "forum-qa" / "LICENSE").read_text(encoding="utf-8")
    assert "Attribution-NonCommercial 4.0 International" in text
    assert "https://creativecommons.org/licenses/by-nc/4.0/" in text


def _count(path: Path) -> int:
    name = path.name
    if name.endswith(".parquet"):
        metadata = pq.ParquetFile(path).metadata
        assert metadata.num_row_groups >= 2
        return metadata.num_rows
    if name.endswith(".jsonl.gz"):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            return sum(1 for _ in handle)
    if name.endswith(".csv"):
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
        assert {len(row) for row in rows} == {len(rows[0])}
        return len(rows) - 1
    with pa.memory_map(str(path)) as source:
        return pa.ipc.open_stream(source).read_all().num_rows


@pytest.mark.parametrize("name", DATASETS)
def test_record_counts_and_sizes(name: str) -> None:
    root = SAMPLES / name
    assert {rel: _count(root / rel) for rel in RECORDS[name]} == RECORDS[name]
    size = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
    assert 100_000 <= size <= 600_000, size
