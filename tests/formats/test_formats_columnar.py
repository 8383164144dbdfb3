"""Parquet and Arrow IPC shards, written with pyarrow and Hugging Face `datasets`."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.ipc as ipc
import pyarrow.parquet as pq
import pytest
from conftest import assert_one_line_error

from dbom.errors import FormatError
from dbom.formats import Detected, detect, inspect_shard
from dbom.model import Column


def _table(rows: int) -> pa.Table:
    return pa.table(
        {
            "id": pa.array(range(rows), pa.int64()),
            "text": pa.array([f"row {i}" for i in range(rows)], pa.string()),
            "tags": pa.array([["a", "b"][: i % 3] for i in range(rows)], pa.list_(pa.string())),
            "score": pa.array([i / 2 for i in range(rows)], pa.float32()),
        }
    )


EXPECTED_COLUMNS = (
    Column("id", "int64"),
    Column("text", "string"),
    Column("tags", "list<item: string>"),
    Column("score", "float"),
)


def _detect(path: Path) -> Detected:
    detected = detect(path, path.read_bytes()[:512])
    assert detected is not None
    return detected


@pytest.fixture
def parquet_file(tmp_path: Path) -> Path:
    path = tmp_path / "train-00000-of-00001.parquet"
    pq.write_table(_table(2500), path, row_group_size=1000)
    assert pq.ParquetFile(path).metadata.num_row_groups == 3
    return path


def test_parquet_records_and_schema_from_footer(parquet_file: Path) -> None:
    detected = _detect(parquet_file)
    assert detected == Detected("parquet")
    inspection = inspect_shard(parquet_file, detected)
    assert inspection.records == 2500
    # pyarrow writes Parquet lists with the spec's "element" child name; the type is as the file states it
    tags = Column("tags", "list<element: string>")
    assert inspection.columns == (*EXPECTED_COLUMNS[:2], tags, EXPECTED_COLUMNS[3])
    assert inspection.uncompressed_bytes is None


def test_parquet_never_reads_data_pages(parquet_file: Path) -> None:
    # Zero every data page: a reader that touched the data would fail; the footer is intact.
    data = bytearray(parquet_file.read_bytes())
    metadata = pq.read_metadata(parquet_file)
    for group in range(metadata.num_row_groups):
        for column in range(metadata.num_columns):
            chunk = metadata.row_group(group).column(column)
            start = chunk.dictionary_page_offset or chunk.data_page_offset
            data[start : start + chunk.total_compressed_size] = bytes(chunk.total_compressed_size)
    parquet_file.write_bytes(bytes(data))
    with pytest.raises(Exception):  # noqa: B017 - the pages really are destroyed
        pq.read_table(parquet_file)
    assert inspect_shard(parquet_file, Detected("parquet")).records == 2500


def test_parquet_truncated_footer(parquet_file: Path) -> None:
    parquet_file.write_bytes(parquet_file.read_bytes()[:-100])
    with pytest.raises(FormatError) as caught:
        inspect_shard(parquet_file, Detected("parquet"))
    assert_one_line_error(caught.value, parquet_file, "corrupt Parquet footer")


def test_parquet_overwritten_footer(parquet_file: Path) -> None:
    data = bytearray(parquet_file.read_bytes())
    footer_length = int.from_bytes(data[-8:-4], "little")
    start = len(data) - 8 - footer_length
    data[start : len(data) - 8] = b"\xff" * footer_length  # garbage metadata, lengths and magic intact
    parquet_file.write_bytes(bytes(data))
    with pytest.raises(FormatError) as caught:
        inspect_shard(parquet_file, Detected("parquet"))
    assert_one_line_error(caught.value, parquet_file, "corrupt Parquet footer")


def test_parquet_wrong_magic(tmp_path: Path) -> None:
    path = tmp_path / "fake.parquet"
    path.write_text("id,text\n1,a\n")
    detected = _detect(path)
    assert detected == Detected("parquet")
    with pytest.raises(FormatError) as caught:
        inspect_shard(path, detected)
    assert_one_line_error(caught.value, path, "not a Parquet file (bad magic bytes)")


def test_feather_v2_file(tmp_path: Path) -> None:
    path = tmp_path / "table.feather"
    feather.write_feather(_table(1234), path, chunksize=500)
    detected = _detect(path)
    assert detected == Detected("arrow")
    inspection = inspect_shard(path, detected)
    assert inspection.records == 1234
    assert inspection.columns == EXPECTED_COLUMNS


def test_arrow_ipc_stream(tmp_path: Path) -> None:
    path = tmp_path / "stream.arrow"
    table = _table(700)
    with ipc.new_stream(path, table.schema) as writer:
        for batch in table.to_batches(max_chunksize=100):
            writer.write_batch(batch)
    detected = _detect(path)
    assert detected == Detected("arrow-stream")
    inspection = inspect_shard(path, detected)
    assert inspection.records == 700
    assert inspection.columns == EXPECTED_COLUMNS


def test_datasets_save_to_disk(tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets")
    folder = tmp_path / "saved"
    rows = {"text": [f"doc {i}" for i in range(321)], "label": [i % 2 for i in range(321)]}
    datasets.Dataset.from_dict(rows).save_to_disk(str(folder))

    found = {path.name: detect(path, path.read_bytes()[:512]) for path in folder.iterdir()}
    assert found["dataset_info.json"] is None
    assert found["state.json"] is None
    shards = [folder / name for name, detected in found.items() if detected is not None]
    assert [path.name for path in shards] == ["data-00000-of-00001.arrow"]
    assert found["data-00000-of-00001.arrow"] == Detected("arrow-stream")

    inspection = inspect_shard(shards[0], Detected("arrow-stream"))
    assert inspection.records == 321
    assert inspection.columns == (Column("text", "string"), Column("label", "int64"))


def test_arrow_file_wrong_magic(tmp_path: Path) -> None:
    path = tmp_path / "fake.arrow"
    path.write_bytes(b"PAR1 this is not arrow")
    with pytest.raises(FormatError) as caught:
        inspect_shard(path, _detect(path))
    assert_one_line_error(caught.value, path, "not an Arrow IPC file (bad magic bytes)")


def test_truncated_arrow_file(tmp_path: Path) -> None:
    path = tmp_path / "table.arrow"
    feather.write_feather(_table(300), path, compression="uncompressed")
    path.write_bytes(path.read_bytes()[:-40])
    with pytest.raises(FormatError) as caught:
        inspect_shard(path, _detect(path))
    assert_one_line_error(caught.value, path, "corrupt Arrow IPC file")


def test_truncated_arrow_stream(tmp_path: Path) -> None:
    path = tmp_path / "data-00000-of-00001.arrow"
    table = _table(300)
    with ipc.new_stream(path, table.schema) as writer:
        writer.write_table(table, max_chunksize=100)
    path.write_bytes(path.read_bytes()[:-300])
    with pytest.raises(FormatError) as caught:
        inspect_shard(path, _detect(path))
    assert_one_line_error(caught.value, path, "corrupt Arrow IPC stream")


def _outcome(path: Path, content: bytes | None) -> object:
    try:
        return inspect_shard(path, Detected("parquet"), content=content)
    except FormatError as exc:
        return str(exc)


@pytest.mark.parametrize("damage", ["none", "truncated", "overwritten footer", "wrong magic", "empty"])
def test_parquet_from_the_hashed_bytes_says_what_the_file_says(parquet_file: Path, damage: str) -> None:
    """A small file is inspected from the bytes just hashed (Digests.content): the same answer, or error."""
    from dbom.fingerprint.hashing import hash_file

    data = bytearray(parquet_file.read_bytes())
    if damage == "truncated":
        data = data[:-100]
    elif damage == "overwritten footer":
        footer_length = int.from_bytes(data[-8:-4], "little")
        data[len(data) - 8 - footer_length:len(data) - 8] = b"\xff" * footer_length
    elif damage == "wrong magic":
        data[:4] = b"PAR2"
    elif damage == "empty":
        data = bytearray()
    parquet_file.write_bytes(bytes(data))
    content = hash_file(parquet_file, ()).content
    assert content == bytes(data)  # the whole file came in one read
    from_bytes, from_file = _outcome(parquet_file, content), _outcome(parquet_file, None)
    assert from_bytes == from_file
    assert (damage == "none") == (not isinstance(from_file, str))
