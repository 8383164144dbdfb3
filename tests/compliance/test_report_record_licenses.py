"""Per-record licenses (a `license` column in the data) in what people read: the reports and the chart.

The corpus: one dataset whose card says CC-BY-4.0, with a Parquet file whose records state their own
license (1,200 CC-BY-NC-4.0, 800 CC-BY-4.0, 10 none) and a JSON Lines file without a license column.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from corpora import write_jsonl_gz
from helpers import datasets_by_name, load_json, props, run_dbom

from dbom.util.humanize import human_bytes

NC_RECORDS, BY_RECORDS, UNLICENSED_RECORDS, JSONL_RECORDS = 1200, 800, 10, 30


def make_mixed(root: Path) -> Path:
    """The dataset `mixed` at `root`: a card (CC-BY-4.0), data/a.parquet with a license column, data/b.jsonl.gz."""
    data = root / "data"
    data.mkdir(parents=True)
    rows = ([{"text": f"non-commercial post {i}", "license": "cc-by-nc-4.0"} for i in range(NC_RECORDS)]
            + [{"text": f"post {i}", "license": "cc-by-4.0"} for i in range(BY_RECORDS)]
            + [{"text": f"orphan {i}", "license": None} for i in range(UNLICENSED_RECORDS)])
    pq.write_table(pa.Table.from_pylist(rows), data / "a.parquet")
    write_jsonl_gz(data / "b.jsonl.gz", JSONL_RECORDS)
    (root / "README.md").write_text("---\nlicense: cc-by-4.0\n---\n# Mixed\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    folder = tmp_path_factory.mktemp("mixed")
    data = make_mixed(folder / "mixed")
    out = folder / "mixed.json"
    done = run_dbom("scan", str(data), "-o", str(out), "--model", "m")
    assert done.returncode == 0, done.stderr
    texts = {}
    for fmt in ("md", "eu", "html"):
        target = folder / f"report.{fmt}"
        done = run_dbom("report", str(out), "--format", fmt, "-o", str(target))
        assert done.returncode == 0, done.stderr
        texts[fmt] = target.read_text(encoding="utf-8")
    return out, texts


def _shares(dbom_file: Path) -> dict[str, tuple[int, int]]:
    """The scan's per-record distribution: license -> (records, bytes of record data)."""
    value = props(datasets_by_name(load_json(dbom_file))["mixed"])["dbom:license:records"]
    return {lic: (records, size) for lic, records, size in json.loads(value)}


def test_the_reports_show_the_per_record_breakdown(scanned: tuple[Path, dict[str, str]]) -> None:
    dbom_file, texts = scanned
    shares = _shares(dbom_file)
    assert shares["CC-BY-NC-4.0"][0] == NC_RECORDS and shares["CC-BY-4.0"][0] == BY_RECORDS
    md = texts["md"]
    nc_bytes, by_bytes = human_bytes(shares["CC-BY-NC-4.0"][1]), human_bytes(shares["CC-BY-4.0"][1])
    assert f"  - CC-BY-NC-4.0 (non-commercial): 1,200 records, {nc_bytes}\n" in md
    assert f"  - CC-BY-4.0 (attribution): 800 records, {by_bytes}\n" in md
    assert "  - none stated: 10 records, " in md
    summary = next(line for line in md.splitlines() if line.startswith("| mixed |"))
    assert "CC-BY-4.0; per record: CC-BY-NC-4.0, CC-BY-4.0 |" in summary
    html = texts["html"]
    assert ('<tr><td>CC-BY-NC-4.0</td><td>non-commercial</td><td class="num">1,200</td>'
            f'<td class="num">{nc_bytes}</td></tr>') in html
    # The finding names the records, with a thousands separator.
    assert "CC-BY-NC-4.0 (1,200 records) is non-commercial" in md


def test_bytes_by_license_class_split_the_dataset_by_its_records(scanned: tuple[Path, dict[str, str]]) -> None:
    dbom_file, texts = scanned
    shares = _shares(dbom_file)
    parquet = dbom_file.parent / "mixed" / "data" / "a.parquet"
    total = sum(p.stat().st_size for p in (dbom_file.parent / "mixed" / "data").iterdir())
    # a.parquet's bytes shared out by the records' data; the rest (b.jsonl.gz, the CC-BY-4.0 records and
    # those without a license) stays under the card's CC-BY-4.0, attribution.
    nc = parquet.stat().st_size * shares["CC-BY-NC-4.0"][1] // sum(size for _, size in shares.values())
    attribution = total - nc
    records = NC_RECORDS + BY_RECORDS + UNLICENSED_RECORDS + JSONL_RECORDS
    md = texts["md"]
    assert f"| non-commercial | 1 | 1,200 | {human_bytes(nc)} |" in md
    assert f"| attribution | 1 | {records - NC_RECORDS:,} | {human_bytes(attribution)} |" in md
    chart = re.search(r'<svg[^>]*aria-labelledby="chart-license-title".*?</svg>', texts["html"], re.S)
    assert chart is not None
    bars = dict(re.findall(r"<g><title>([^:<]+): ([^<(]+) \(", chart.group(0)))
    assert bars == {"non-commercial": human_bytes(nc), "attribution": human_bytes(attribution)}
