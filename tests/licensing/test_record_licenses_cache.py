"""Per-record license shares come from the cache like everything else: a rescan counts nothing again."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import dbom
from dbom.licensing import record_licenses


def _corpus(folder: Path) -> Path:
    folder.mkdir()
    for index in range(4):
        licenses = ["cc-by-4.0", "cc-by-nc-4.0", "mit"] * 100
        pq.write_table(pa.table({"text": [f"row {i}" for i in range(300)], "license": licenses}),
                       folder / f"part-{index}.parquet")
    return folder


def test_a_rescan_takes_the_counts_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = _corpus(tmp_path / "data")
    first = dbom.scan([data]).datasets[0].record_licenses
    assert {share.license: share.records for share in first} == {"CC-BY-4.0": 400, "CC-BY-NC-4.0": 400, "MIT": 400}

    def counting_is_not_allowed(*args: object, **kwargs: object) -> None:
        raise AssertionError("a shard's licenses were counted again")

    with monkeypatch.context() as patched:  # (undo() would also undo the test's own cache folder)
        patched.setattr(record_licenses, "count_shard", counting_is_not_allowed)
        assert dbom.scan([data]).datasets[0].record_licenses == first
    table = pa.table({"text": ["x"], "license": ["apache-2.0"]})
    pq.write_table(table, data / "part-0.parquet")  # changed: counted again, the others still cached
    calls: list[str] = []
    real = record_licenses.count_shard

    def count(path: Path, *args: object) -> object:
        calls.append(Path(path).name)
        return real(path, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(record_licenses, "count_shard", count)
    changed = {share.license: share.records for share in dbom.scan([data]).datasets[0].record_licenses}
    assert calls == ["part-0.parquet"]
    assert changed == {"CC-BY-4.0": 300, "CC-BY-NC-4.0": 300, "MIT": 300, "Apache-2.0": 1}
    assert {s.license: s.records for s in dbom.scan([data], options=dbom.ScanOptions(use_cache=False))
            .datasets[0].record_licenses} == changed
