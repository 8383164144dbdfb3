"""A Parquet shard's profile reads only the columns of its text, URL and date fields, and is the profile of
all its columns read (what the accumulator makes of `record_batches`)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dbom.formats import inspect_shard
from dbom.formats.base import Detected
from dbom.model import Shard
from dbom.profile.accumulator import ProfileAccumulator
from dbom.profile.dataset_profile import DatasetProfiler, ProfileSettings
from dbom.profile.fields import FieldSpec
from dbom.profile.sampling import SAMPLE_BYTES
from dbom.profile.shard_records import record_batches

pytest.importorskip("pycld2", reason="the profile extra: pip install -e '.[profile]'")

ROWS = 5000


def _table(kind: str) -> pa.Table:
    texts = [f"record {i} says something about rivers, write to someone{i % 7}@example.org" for i in range(ROWS)]
    noise = {"payload": [bytes([i % 256]) * 300 for i in range(ROWS)], "score": [i / 7 for i in range(ROWS)]}
    if kind == "nested":
        meta = [{"url": f"https://www.site{i % 13}.example.com/{i}", "date": f"2023-0{1 + i % 9}-1{i % 10}"}
                for i in range(ROWS)]
        return pa.table({**noise, "text": texts, "metadata": meta})
    if kind == "pair":
        return pa.table({**noise, "question": texts, "answer": texts[::-1]})
    if kind == "chat":
        chats = [[{"role": "user", "content": t}, {"role": "assistant", "content": "ok"}] for t in texts]
        return pa.table({**noise, "messages": chats})
    return pa.table(noise)  # no field the profile reads


@pytest.mark.parametrize("kind", ["nested", "pair", "chat", "none"])
@pytest.mark.parametrize("mode, rate_bytes", [("exact", 1), ("sample", 4 * SAMPLE_BYTES)])
def test_the_profile_of_a_parquet_shard_is_that_of_all_its_columns(tmp_path: Path, kind: str, mode: str,
                                                                     rate_bytes: int) -> None:
    path = tmp_path / f"{kind}.parquet"
    pq.write_table(_table(kind), path, row_group_size=1700)
    profiler = DatasetProfiler(ProfileSettings(mode), FieldSpec(), rate_bytes)
    shard = Shard(path=path.name, bytes=path.stat().st_size, format="parquet", xxh3_128="0" * 32)
    whole = ProfileAccumulator(FieldSpec(), sample=profiler.sample, shard_key="0" * 32, name=path.name)
    for batch in record_batches(path, "parquet", None):
        whole.add(batch)
    pruned = profiler.read(shard, path).to_json()
    assert pruned == whole.to_json()
    assert pruned["records"] == ROWS
    if kind != "none":
        assert pruned["text_records"] == ROWS and pruned["sampled_records"] > 0
    # the inspection, shown the footer, profiles a table with no field itself; the others are read after
    inspected = inspect_shard(path, Detected("parquet"), profile=profiler.inline(shard))
    if kind == "none":
        assert profiler.profile_sampled([(shard, inspected.profile)])[0].to_json() == pruned  # type: ignore[union-attr]
    else:
        assert inspected.profile is None
