"""ProfileAccumulator on real Parquet and JSON records: counts checked against independent computations."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from profile_texts import TEXTS, records
from tokenizers import Tokenizer

from dbom.profile import FieldSpec, ProfileAccumulator, RecordSample, TokenCounter, profile_of

# The registered domain of each host of profile_texts.records, written by hand.
REGISTERED = {"www.example.co.uk": "example.co.uk", "news.example.co.uk": "example.co.uk",
              "blog.example.org": "example.org", "example.org": "example.org", "shop.example.com": "example.com",
              "192.0.2.7": "192.0.2.7", "例子.中国": "例子.中国", "a.b.example.com.au": "example.com.au"}


def _parquet(path: Path, rows: list[dict[str, object]], row_group_size: int = 64) -> Path:
    pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=row_group_size)
    return path


def _profile(source: object, **kwargs: object) -> ProfileAccumulator:
    acc = ProfileAccumulator(**kwargs)  # type: ignore[arg-type]
    if isinstance(source, Path):
        for batch in pq.ParquetFile(source).iter_batches(batch_size=50):
            acc.add(batch)
    else:
        acc.add(source)
    return acc


def _dump(acc: ProfileAccumulator) -> str:
    return json.dumps(acc.to_json(), sort_keys=True)


def test_counts_on_parquet_match_independent_computations(tmp_path: Path, tokenizer_file: Path) -> None:
    rows = records(240)
    acc = _profile(_parquet(tmp_path / "shard.parquet", rows), tokenizer=TokenCounter.from_path(tokenizer_file))
    texts = [str(row["text"]) for row in rows]
    profile = profile_of(acc)
    assert acc.fields_seen == {"text": {"text"}, "url": {"metadata.url"}, "date": {"metadata.date"}}
    assert profile.mode == "exact" and profile.records == 240 and profile.sampled_records == 240
    assert profile.text_bytes == sum(len(t.encode()) for t in texts)
    assert profile.characters == sum(map(len, texts))
    assert profile.words is not None and profile.words.exact
    assert profile.words.value == sum(len(t.split()) for t in texts)
    reference = Tokenizer.from_file(str(tokenizer_file))
    expected_tokens = sum(len(e.ids) for e in reference.encode_batch(texts, add_special_tokens=False))
    assert profile.tokens is not None and profile.tokens.value == expected_tokens and profile.tokens.exact
    assert profile.tokenizer == TokenCounter.from_path(tokenizer_file).identity()

    sizes: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    for row, text in zip(rows, texts, strict=True):
        domain = REGISTERED[urlsplit(row["metadata"]["url"]).hostname]  # type: ignore[index]
        sizes[domain] += len(text.encode())
        counts[domain] += 1
    expected = sorted(sizes, key=lambda name: (-sizes[name], name))[:1]  # 10% of 6 distinct domains: 1
    assert profile.domains_distinct == len(sizes) == 6
    assert [(d.domain, d.bytes, d.records) for d in profile.domains] == [(n, sizes[n], counts[n]) for n in expected]
    assert profile.domains_exact and acc.domains.ranked()[0].domain == expected[0]
    assert {d.domain: d.bytes for d in acc.domains.ranked()} == dict(sizes)

    shares = dict(profile.languages)
    language_bytes: Counter[str] = Counter()
    for index, text in enumerate(texts):
        language_bytes[sorted(TEXTS)[index % len(TEXTS)]] += len(text.encode())
    for language, size in language_bytes.items():
        assert shares[language] == pytest.approx(size / profile.text_bytes, abs=0.03)
    assert profile.languages[0][1] >= profile.languages[-1][1]

    # a record's text is repeated 1 + index % 3 times, with its contact line and card sentence
    contacts = sum(1 + i % 3 for i in range(240) if i % 5 == 0)
    cards = sum(1 + i % 3 for i in range(240) if i % 7 == 0)
    found = {kind: estimate.value for kind, estimate in profile.pii.items()}  # type: ignore[union-attr]
    assert found == {"email": contacts, "phone": contacts, "ip": 0, "card": cards, "iban": 0}
    assert profile.pii_per_million["card"] == round(cards * 1e6 / profile.characters, 3)
    assert profile.period == ("2023-01-01", "2023-12-28")


def test_json_rows_and_arrow_batches_give_the_same_profile(tmp_path: Path) -> None:
    rows = records(120)
    from_parquet = _profile(_parquet(tmp_path / "s.parquet", rows))
    from_rows = ProfileAccumulator()
    for start in range(0, 120, 37):
        from_rows.add(rows[start : start + 37])
    assert _dump(from_rows) == _dump(from_parquet)


def test_shards_merged_equal_one_pass_and_survive_json(tmp_path: Path, tokenizer_file: Path) -> None:
    rows = records(300)
    counter = TokenCounter.from_path(tokenizer_file)
    whole = _profile(rows, tokenizer=counter)
    merged = None
    for start in range(0, 300, 100):
        part = _profile(_parquet(tmp_path / f"{start}.parquet", rows[start : start + 100]), tokenizer=counter)
        restored = ProfileAccumulator.from_json(json.loads(_dump(part)))
        if merged is None:
            merged = restored
        else:
            merged.merge(restored)
    assert merged is not None
    assert _dump(merged) == _dump(whole)
    assert profile_of(merged).properties() == profile_of(whole).properties()
    assert _dump(_profile(rows, tokenizer=counter)) == _dump(whole)  # deterministic


def test_no_value_of_personal_data_is_kept(tmp_path: Path) -> None:
    rows = records(40)
    acc = _profile(rows)
    document = _dump(acc) + json.dumps(profile_of(acc).properties())
    for needle in ("person0@example.net", "4111 1111 1111 1111", "7946"):
        assert needle not in document


def test_a_sample_is_extrapolated_by_bytes_with_its_interval(tokenizer_file: Path) -> None:
    rows = records(4000)
    counter = TokenCounter.from_path(tokenizer_file)
    exact = profile_of(_profile(rows, tokenizer=counter))
    acc = _profile(rows, tokenizer=counter, sample=RecordSample(0.25, seed=3), shard_key="shard-0")
    sampled = profile_of(acc)
    assert sampled.mode == "sample" and 900 < sampled.sampled_records < 1100
    assert sampled.text_bytes == exact.text_bytes and sampled.characters == exact.characters
    assert sampled.domains == exact.domains and sampled.period == exact.period  # read on every record
    for estimate, truth in ((sampled.tokens, exact.tokens), (sampled.words, exact.words)):
        assert estimate is not None and truth is not None and not estimate.exact
        assert estimate.low <= truth.value <= estimate.high
        assert estimate.high - estimate.low < 0.1 * truth.value  # tokens per byte vary by language
    props = dict(sampled.properties())
    low, high = json.loads(props["dbom:profile:tokens-ci"])
    assert props["dbom:profile:mode"] == "sample" and low <= int(props["dbom:profile:tokens"]) <= high
    with pytest.raises(ValueError, match="different rates"):
        acc.merge(_profile(rows[:10], tokenizer=counter))


def test_properties_say_each_figure_once_and_leave_out_what_was_not_counted() -> None:
    rows = records(50)
    props = profile_of(_profile(rows)).properties()
    names = [name for name, _ in props]
    assert len(names) == len(set(names))
    assert "dbom:profile:tokens" not in names and "dbom:profile:tokenizer" not in names  # no tokenizer
    values = dict(props)
    assert values["dbom:profile:url-field"] == "metadata.url"
    assert json.loads(values["dbom:profile:languages"])[0].keys() == {"language", "share"}
    assert json.loads(values["dbom:profile:domains"])[0].keys() == {"domain", "bytes", "records"}
    assert json.loads(values["dbom:profile:pii"])["estimate"] is True
    dates = sorted(row["metadata"]["date"][:10] for row in rows)  # type: ignore[index]
    assert json.loads(values["dbom:profile:period"]) == {"first": dates[0], "last": dates[-1]}


def test_dates_timestamps_and_bad_date_strings() -> None:
    stamps = pa.array([dt.datetime(2020, 5, 1, 23, 30, tzinfo=dt.timezone.utc), None,
                       dt.datetime(2019, 1, 2, tzinfo=dt.timezone.utc)], pa.timestamp("ms", tz="UTC"))
    table = pa.table({"text": ["a", "b", "c"], "created": stamps})
    acc = _profile(table)
    assert (acc.first_date, acc.last_date, acc.dated_records) == ("2019-01-02", "2020-05-01", 2)
    rows = [{"text": "x", "date": "2021-13-01"}, {"text": "y", "date": "yesterday"},
            {"text": "z", "date": "2021-02-03 10:00"}, {"text": "w", "date": 20210101}]
    acc = _profile(rows)
    assert (acc.first_date, acc.last_date, acc.dated_records) == ("2021-02-03", "2021-02-03", 1)
    days = pa.table({"content": ["a"], "crawl_date": pa.array([dt.date(2024, 2, 29)], pa.date32())})
    assert _profile(days).first_date == "2024-02-29"


def test_stated_fields_and_records_without_them() -> None:
    rows = [{"body": "Hello there friend", "link": "https://x.example.com/"}, {"body": None}, "not an object",
            {"body": 3, "link": 4}]
    acc = _profile(rows, spec=FieldSpec(text="body", url="link"))
    profile = profile_of(acc)
    assert acc.records == 4 and acc.text_records == 1 and profile.words is not None and profile.words.value == 3
    assert [(d.domain, d.records) for d in acc.domains.ranked()] == [("example.com", 1)]
    empty = _profile([{"id": 1}, {"id": 2}])
    assert profile_of(empty).words is None and empty.records == 2
    assert [name for name, _ in profile_of(empty).properties()] == [
        "dbom:profile:mode", "dbom:profile:sampled-records", "dbom:profile:sampled-bytes", "dbom:profile:characters"]


def test_a_lone_surrogate_in_a_json_string_is_read_as_a_replacement_character() -> None:
    rows = [{"text": "Hello there \ud800 my friend", "url": "https://a.example.org/x"}]
    acc = _profile(rows)
    assert acc.text_records == 1 and acc.characters == len(rows[0]["text"]) and acc.language_bytes
    assert acc.text_bytes == len("Hello there \ufffd my friend".encode())


def test_json_fields_are_found_in_the_first_rows_not_only_the_first() -> None:
    rows = [{"id": 0}, {"id": 1, "url": "https://www.example.net/a"}, {"id": 2, "content": "Some words here"}]
    acc = _profile(rows)
    assert acc.fields_seen == {"text": {"content"}, "url": {"url"}, "date": set()}
    assert acc.text_records == 1 and [d.domain for d in acc.domains.ranked()] == ["example.net"]
