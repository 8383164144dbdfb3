"""Records digests: order-independent, layout-independent digests of a shard's records (`--records-digest`)."""

from __future__ import annotations

import csv
import decimal
import gzip
import json
import random
import struct
from datetime import date, datetime, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.ipc as ipc
import pyarrow.parquet as pq
import pytest
import xxhash
from corpora import write_jsonl_gz, write_parquet
from helpers import datasets_by_name, load_json, props, run_dbom, shards_of

from dbom.errors import FormatError
from dbom.formats import inspect_shard
from dbom.formats.base import Detected
from dbom.formats.records_digest import TextRecords, arrow_batch_sum, canonical_json, format_digest
from dbom.model import Dataset, Shard, combine_records_digests

ENV = {"SOURCE_DATE_EPOCH": "0"}


def digest_of(path: Path, fmt: str, compression: str | None = None) -> str:
    found = inspect_shard(path, Detected(fmt, compression), records_digest=True)
    assert found.records_digest is not None
    return found.records_digest


def dataset_digest(paths: list[Path], fmt: str) -> str | None:
    shards = tuple(Shard(p.name, 1, fmt, "", records_digest=digest_of(p, fmt)) for p in paths)
    return Dataset("d", shards=shards).records_digest


# --- Parquet and Arrow ---------------------------------------------------------------------------


def test_parquet_resharded_keeps_the_dataset_digest_and_a_changed_row_does_not(tmp_path: Path) -> None:
    write_parquet(tmp_path / "a" / "p0.parquet", 120)
    write_parquet(tmp_path / "a" / "p1.parquet", 80, start=120)
    whole = [row for name in ("p0", "p1") for row in pq.read_table(tmp_path / "a" / f"{name}.parquet").to_pylist()]
    random.Random(3).shuffle(whole)  # other files, other row order, other row groups and compression
    table = pa.Table.from_pylist(whole)
    (tmp_path / "b").mkdir()
    pq.write_table(table.slice(0, 70), tmp_path / "b" / "q0.parquet", compression="zstd", row_group_size=7)
    pq.write_table(table.slice(70, 70), tmp_path / "b" / "q1.parquet", compression="none")
    pq.write_table(table.slice(140), tmp_path / "b" / "q2.parquet", use_dictionary=False)

    before = dataset_digest(sorted((tmp_path / "a").iterdir()), "parquet")
    after = dataset_digest(sorted((tmp_path / "b").iterdir()), "parquet")
    assert before is not None and before.startswith("arrow:")
    assert after == before

    whole[5] = {**whole[5], "text": whole[5]["text"] + "!"}
    pq.write_table(pa.Table.from_pylist(whole[140:]), tmp_path / "b" / "q2.parquet")
    pq.write_table(pa.Table.from_pylist(whole[:70]), tmp_path / "b" / "q0.parquet")
    assert dataset_digest(sorted((tmp_path / "b").iterdir()), "parquet") != before


def test_arrow_digest_ignores_physical_layout(tmp_path: Path) -> None:
    ids = list(range(50))
    texts = [f"row {i}" if i % 7 else None for i in ids]
    plain = pa.table({"id": pa.array(ids, pa.int64()), "text": pa.array(texts, pa.string())})
    other = pa.table({"text": pa.array(texts, pa.large_string()).dictionary_encode(),  # other order, encoding, widths
                      "id": pa.array(ids, pa.int32())})
    pq.write_table(plain, tmp_path / "plain.parquet")
    feather.write_feather(other, tmp_path / "other.arrow", chunksize=9)  # Arrow IPC file, several batches
    with ipc.new_stream(tmp_path / "stream.arrow", plain.schema) as writer:  # the `datasets` layout
        for batch in plain.to_batches(max_chunksize=13):
            writer.write_batch(batch)
    expected = digest_of(tmp_path / "plain.parquet", "parquet")
    assert digest_of(tmp_path / "other.arrow", "arrow") == expected
    assert digest_of(tmp_path / "stream.arrow", "arrow-stream") == expected
    renamed = plain.rename_columns(["id", "body"])  # a column name is part of the record
    pq.write_table(renamed, tmp_path / "renamed.parquet")
    assert digest_of(tmp_path / "renamed.parquet", "parquet") != expected


NESTED = pa.schema([
    ("i8", pa.int8()), ("u64", pa.uint64()), ("f32", pa.float32()), ("f64", pa.float64()), ("flag", pa.bool_()),
    ("day", pa.date32()), ("at", pa.timestamp("us", tz="UTC")), ("price", pa.decimal128(12, 3)),
    ("blob", pa.binary()), ("uuid", pa.binary(4)), ("tags", pa.list_(pa.string())),
    ("pair", pa.list_(pa.int64(), 2)), ("meta", pa.struct([("a", pa.int64()), ("b", pa.string())])),
    ("attrs", pa.map_(pa.string(), pa.int64())), ("nothing", pa.null()),
])


def _nested_rows(n: int) -> list[dict[str, object]]:
    rows = []
    for i in range(n):
        rows.append({
            "i8": None if i % 11 == 0 else i % 100 - 50, "u64": 2**63 + i, "f32": i / 4,
            "f64": float("nan") if i == 3 else i * 1.5,
            "flag": None if i % 5 == 0 else i % 2 == 0, "day": date(2020, 1, 1 + i % 28),
            "at": datetime(2024, 1, 1, i % 24, tzinfo=timezone.utc), "price": decimal.Decimal(f"{i}.125"),
            "blob": bytes([i % 256]) * (i % 4), "uuid": bytes([i % 256, 1, 2, 3]),
            "tags": None if i % 6 == 0 else [f"t{j}" for j in range(i % 3)], "pair": [i, -i],
            "meta": None if i % 9 == 0 else {"a": i, "b": None if i % 2 else f"m{i}"},
            "attrs": [("k", i), ("j", 2 * i)], "nothing": None,
        })
    return rows


def test_nested_and_typed_columns_hash_the_same_whatever_the_batching(tmp_path: Path) -> None:
    rows = _nested_rows(40)
    table = pa.Table.from_pylist(rows, schema=NESTED)
    pq.write_table(table, tmp_path / "whole.parquet")
    pq.write_table(table, tmp_path / "groups.parquet", row_group_size=3)
    expected = digest_of(tmp_path / "whole.parquet", "parquet")
    assert digest_of(tmp_path / "groups.parquet", "parquet") == expected
    # record batches that are slices with offsets into the same buffers
    sliced = sum(arrow_batch_sum(b) for b in table.to_batches(max_chunksize=7))
    assert format_digest("arrow", sliced) == expected


@pytest.mark.parametrize(("column", "a", "b"), [
    ("tags", ["x", "y"], ["y", "x"]),      # order inside a list counts
    ("tags", [], None),                    # an empty list is not a null
    ("blob", b"", None),                   # an empty value is not a null
    ("meta", {"a": 1, "b": None}, None),   # a struct of nulls is not a null struct
    ("pair", [1, 2], [2, 1]),
    ("attrs", [("k", 1)], [("j", 1)]),
    ("f64", 0.0, -0.0),
])
def test_distinct_values_give_distinct_digests(tmp_path: Path, column: str, a: object, b: object) -> None:
    digests = set()
    for n, value in enumerate((a, b)):
        rows = _nested_rows(3)
        rows[1][column] = value
        pq.write_table(pa.Table.from_pylist(rows, schema=NESTED), tmp_path / f"{n}.parquet")
        digests.add(digest_of(tmp_path / f"{n}.parquet", "parquet"))
    assert len(digests) == 2


M64 = (1 << 64) - 1


def _mix(x: int) -> int:
    x ^= x >> 30
    x = (x * 0xBF58476D1CE4E5B9) & M64
    x ^= x >> 27
    x = (x * 0x94D049BB133111EB) & M64
    return x ^ (x >> 31)


def test_arrow_digest_follows_its_documented_definition_and_is_pinned(tmp_path: Path) -> None:
    # Recomputed here in plain Python from the rules in dbom/formats/records_digest.py, constants
    # written out: the digest must not change between releases, since DBOMs of different releases are diffed.
    null, tag_int = 0x6A09E667F3BCC908, 0xBB67AE8584CAA73B
    tag_float, tag_struct = 0x3C6EF372FE94F82B, 0x9B05688C2B3E6C1F
    ids, texts, scores = [1, -2, 3], ["a", "b", None], [0.5, None, 2.0]

    def value_hashes(i: int) -> dict[str, int]:
        score = scores[i]
        return {
            "id": _mix((ids[i] & M64) ^ tag_int),
            "text": null if texts[i] is None else xxhash.xxh3_64_intdigest(texts[i].encode()),
            "score": null if score is None else _mix(int.from_bytes(struct.pack("<d", score), "little") ^ tag_float),
        }

    expected = 0
    for i in range(3):
        fields = sum(h * (xxhash.xxh3_64_intdigest(name.encode()) | 1) for name, h in value_hashes(i).items())
        expected += _mix((fields & M64) ^ tag_struct)
    table = pa.table({"id": ids, "text": texts, "score": scores})
    pq.write_table(table, tmp_path / "t.parquet")
    assert digest_of(tmp_path / "t.parquet", "parquet") == format_digest("arrow", expected) == "arrow:7c6e7953a856c00d"


def test_an_empty_table_sums_to_zero(tmp_path: Path) -> None:
    pq.write_table(pa.Table.from_pylist([], schema=NESTED), tmp_path / "empty.parquet")
    assert digest_of(tmp_path / "empty.parquet", "parquet") == "arrow:0000000000000000"


def test_corrupt_parquet_data_is_one_line_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.parquet"
    pq.write_table(pa.table({"id": list(range(1000)), "text": [f"doc {i} " * 20 for i in range(1000)]}), path)
    data = bytearray(path.read_bytes())
    start = pq.ParquetFile(path).metadata.row_group(0).column(1).data_page_offset + 40
    data[start : start + 200] = b"\xff" * 200
    path.write_bytes(bytes(data))
    assert inspect_shard(path, Detected("parquet")).records == 1000  # the footer is intact
    with pytest.raises(FormatError, match="corrupt Parquet data") as info:
        inspect_shard(path, Detected("parquet"), records_digest=True)
    assert "\n" not in str(info.value)


# --- JSON Lines, JSON, CSV, text -----------------------------------------------------------------


def test_json_scheme_is_the_sum_of_xxh3_of_canonical_json(tmp_path: Path) -> None:
    records = [{"b": 1, "a": "é"}, [1, 2.5, None], "x"]
    (tmp_path / "r.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    expected = sum(xxhash.xxh3_64_intdigest(c) for c in
                   (b'{"a":"\xc3\xa9","b":1}', b"[1,2.5,null]", b'"x"'))
    assert canonical_json(records[0]) == b'{"a":"\xc3\xa9","b":1}'
    assert digest_of(tmp_path / "r.jsonl", "jsonl") == format_digest("json", expected)


def test_jsonl_reserialised_and_resharded_keeps_the_digest(tmp_path: Path) -> None:
    write_jsonl_gz(tmp_path / "a" / "p0.jsonl.gz", 30)
    with gzip.open(tmp_path / "a" / "p0.jsonl.gz", "rt", encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh]
    (tmp_path / "b").mkdir()
    # other key order, spacing and escapes, other file split, no compression, blank lines
    (tmp_path / "b" / "x.jsonl").write_text(
        "".join(json.dumps(dict(reversed(r.items())), indent=None, ensure_ascii=True) + "\n\n" for r in records[:10]))
    (tmp_path / "b" / "y.json").write_text(json.dumps(records[10:][::-1], indent=2))  # a JSON array
    before = digest_of(tmp_path / "a" / "p0.jsonl.gz", "jsonl", "gzip")
    parts = [digest_of(tmp_path / "b" / "x.jsonl", "jsonl"), digest_of(tmp_path / "b" / "y.json", "json")]
    assert combine_records_digests(parts) == before
    records[4]["score"] += 1
    (tmp_path / "b" / "x.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records[:10]))
    parts[0] = digest_of(tmp_path / "b" / "x.jsonl", "jsonl")
    assert combine_records_digests(parts) != before


def test_csv_and_tsv_of_one_table_agree_and_the_header_counts(tmp_path: Path) -> None:
    rows = [["id", "text"], ["1", "a, with comma"], ["2", "b"], ["3", "c"]]
    with open(tmp_path / "t.csv", "w", newline="") as fh:
        csv.writer(fh).writerows(rows)
    (tmp_path / "t.tsv").write_text("".join("\t".join(r) + "\n" for r in [rows[0], rows[3], rows[1], rows[2]]))
    assert digest_of(tmp_path / "t.csv", "csv") == digest_of(tmp_path / "t.tsv", "tsv")
    (tmp_path / "u.tsv").write_text("".join("\t".join(r) + "\n" for r in [["id", "body"], *rows[1:]]))
    assert digest_of(tmp_path / "u.tsv", "tsv") != digest_of(tmp_path / "t.tsv", "tsv")


def test_text_lines_crlf_and_lf_agree_and_blocks_do_not_matter(tmp_path: Path) -> None:
    (tmp_path / "lf.txt").write_bytes(b"one\ntwo\n\nthree")
    (tmp_path / "crlf.txt").write_bytes(b"three\r\n\r\ntwo\r\none\r\n")
    assert digest_of(tmp_path / "lf.txt", "text") == digest_of(tmp_path / "crlf.txt", "text")
    rng = random.Random(1)
    for _ in range(500):
        data = bytes(rng.choice(b"ab\r\n") for _ in range(rng.randint(0, 40)))
        lines = data.split(b"\n")
        if data.endswith(b"\n") or not data:
            lines.pop()
        expected = sum(xxhash.xxh3_64_intdigest(line.removesuffix(b"\r")) for line in lines)
        acc = TextRecords()
        i = 0
        while i < len(data):
            step = rng.randint(1, 6)
            acc.feed(data[i : i + step])
            i += step
        assert acc.digest() == format_digest("text", expected), data


def test_combine_needs_every_shard_and_one_scheme() -> None:
    a, b = format_digest("json", 2**64 - 1), format_digest("json", 2)
    assert combine_records_digests([a, b]) == format_digest("json", 1)  # modulo 2^64
    assert combine_records_digests([a, None]) is None
    assert combine_records_digests([a, format_digest("csv", 1)]) is None
    assert combine_records_digests(["json:nothex!!nothex!!"]) is None


# --- through `dbom scan` -------------------------------------------------------------------------


def test_scan_writes_digests_only_when_asked_and_the_cache_keeps_them_apart(corpus: Path, tmp_path: Path) -> None:
    plain, digested, again = tmp_path / "plain.json", tmp_path / "digested.json", tmp_path / "again.json"
    for out, extra in ((plain, ()), (digested, ("--records-digest",)), (again, ())):
        done = run_dbom("scan", str(corpus / "alpha"), str(corpus / "beta"), "-o", str(out), "-q", *extra, env=ENV)
        assert done.returncode == 0, done.stderr
    assert plain.read_bytes() == again.read_bytes()  # the digest scan's cache entries did not leak
    assert "dbom:records-digest" not in plain.read_text()
    doc = load_json(digested)
    for name, scheme in (("alpha", "arrow:"), ("beta", "json:")):
        dataset = datasets_by_name(doc)[name]
        shard_digests = [props(s)["dbom:records-digest"] for s in shards_of(dataset).values()]
        assert all(d.startswith(scheme) for d in shard_digests)
        assert props(dataset)["dbom:records-digest"] == combine_records_digests(shard_digests)
    # a second digest scan is served from the cache and gives the same document
    cached = tmp_path / "cached.json"
    done = run_dbom("scan", str(corpus / "alpha"), str(corpus / "beta"), "-o", str(cached), "--records-digest",
                    env=ENV)
    assert "read 0 files (0 B, 6 from cache)" in done.stderr, done.stderr
    assert cached.read_bytes() == digested.read_bytes()
