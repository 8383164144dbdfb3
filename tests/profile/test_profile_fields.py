"""Text, URL and date fields found by name in Arrow schemas and JSON records, or as the manifest states them."""

from __future__ import annotations

import pyarrow as pa
import pytest

from dbom.errors import DbomError
from dbom.profile.fields import Fields, FieldSpec, find_fields


def test_top_level_names_are_found_with_their_types() -> None:
    schema = pa.schema([("id", pa.int64()), ("url", pa.string()), ("text", pa.large_string()),
                        ("crawl_date", pa.date32())])
    assert find_fields(schema) == Fields(text="text", url="url", date="crawl_date")


def test_nested_fields_are_dotted_paths_and_top_level_wins() -> None:
    metadata = pa.struct([("url", pa.string()), ("timestamp", pa.timestamp("s", tz="UTC"))])
    schema = pa.schema([("content", pa.string()), ("metadata", metadata)])
    assert find_fields(schema) == Fields(text="content", url="metadata.url", date="metadata.timestamp")
    both = pa.schema([("metadata", pa.struct([("url", pa.string())])), ("link", pa.string())])
    assert find_fields(both).url == "link"


def test_name_order_then_schema_order_and_warc_names() -> None:
    schema = pa.schema([("body", pa.string()), ("text", pa.string()), ("WARC-Target-URI", pa.string()),
                        ("WARC-Date", pa.string())])
    assert find_fields(schema) == Fields(text="text", url="WARC-Target-URI", date="WARC-Date")


def test_a_name_of_the_wrong_type_is_not_taken() -> None:
    schema = pa.schema([("text", pa.list_(pa.string())), ("content", pa.binary()), ("body", pa.string()),
                        ("url", pa.int64()), ("date", pa.int64())])
    assert find_fields(schema) == Fields(text="body", url=None, date=None)
    dictionary = pa.schema([("text", pa.dictionary(pa.int32(), pa.string()))])
    assert find_fields(dictionary).text == "text"


def test_json_records_are_searched_by_key_and_value_type() -> None:
    record = {"id": 1, "content": "hello", "meta": {"url": "https://a.example/", "created": "2024-01-02"},
              "text": 3}
    assert find_fields(record) == Fields(text="content", url="meta.url", date="meta.created")


def test_stated_fields_win_and_are_checked_against_the_schema() -> None:
    schema = pa.schema([("text", pa.string()), ("summary", pa.string()), ("src", pa.struct([("u", pa.string())]))])
    spec = FieldSpec(text="summary", url="src.u")
    assert find_fields(schema, spec) == Fields(text="summary", url="src.u", date=None)
    with pytest.raises(DbomError) as missing:
        find_fields(schema, FieldSpec(url="source"), "shard.parquet")
    message = str(missing.value)
    assert message.startswith("shard.parquet: url_field 'source' is not a field") and "src.u" in message
    assert "\n" not in message
    with pytest.raises(DbomError, match="date_field 'src' does not hold dates"):
        find_fields(schema, FieldSpec(date="src"), "shard.parquet")


def test_stated_fields_of_json_records_are_taken_as_stated() -> None:
    assert find_fields({"a": 1}, FieldSpec(text="body.text")).text == "body.text"
