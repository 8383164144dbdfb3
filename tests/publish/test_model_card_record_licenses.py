"""The model card `dbom attach` writes lists a dataset's per-record licenses under their duties."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from corpora import make_tiny_model
from helpers import run_dbom

from dbom.publish.model_card import MARK_START


def _mixed(root: Path, card_license: str | None) -> Path:
    """A dataset whose records state their license: 1,500 CC-BY-NC-4.0 and 20 CC0-1.0 (and a card, if given)."""
    root.mkdir(parents=True)
    rows = ([{"text": f"nc {i}", "license": "cc-by-nc-4.0"} for i in range(1500)]
            + [{"text": f"pd {i}", "license": "cc0-1.0"} for i in range(20)])
    pq.write_table(pa.Table.from_pylist(rows), root / "part-0.parquet")
    if card_license:
        (root / "README.md").write_text(f"---\nlicense: {card_license}\n---\n# Mixed\n", encoding="utf-8")
    return root


def _card_section(data: Path, tmp_path: Path) -> str:
    out = tmp_path / "dbom.cdx.json"
    done = run_dbom("scan", str(data), "-o", str(out), "--model", "tiny-lm")
    assert done.returncode == 0, done.stderr
    model = make_tiny_model(tmp_path / "tiny-lm")
    done = run_dbom("attach", str(out), str(model))
    assert done.returncode == 0, done.stderr
    card = (model / "README.md").read_text(encoding="utf-8")
    return card[card.index(MARK_START):]


def test_per_record_non_commercial_licenses_are_listed(tmp_path: Path) -> None:
    section = _card_section(_mixed(tmp_path / "mixed", "cc-by-4.0"), tmp_path)
    assert "- **Non-commercial** (mixed (CC-BY-NC-4.0, 1,500 records)):" in section
    assert "- **Attribution** (mixed (CC-BY-4.0), mixed (CC-BY-NC-4.0, 1,500 records)):" in section
    assert "| mixed | not stated | CC-BY-4.0; per record: CC-BY-NC-4.0 (1,500), CC0-1.0 (20) |" in section


def test_a_dataset_licensed_only_per_record_is_not_called_unknown(tmp_path: Path) -> None:
    section = _card_section(_mixed(tmp_path / "mixed", None), tmp_path)
    assert "- **Non-commercial** (mixed (CC-BY-NC-4.0, 1,500 records)):" in section
    assert "License unknown" not in section  # every record states its license
    assert "| mixed | not stated | unknown; per record: CC-BY-NC-4.0 (1,500), CC0-1.0 (20) |" in section
