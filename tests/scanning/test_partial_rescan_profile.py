"""A partial rescan with the content profile on patches the dataset's profile too (dbom.profile.dataset_total).

The DBOM of a rescan where some files changed must be the bytes a scan without the cache writes, whether
the profile was patched (the changed shards' profiles taken out, the new ones put in) or made again from
every shard (where a patch cannot be exact: the shard holding the first date gone, a medium's bytes read
from a file that changed). The merged profile is also checked against the whole merge directly, over
random shards and random changes.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from corpora import write_jsonl_changed

import dbom
from dbom.fingerprint.cache import default_cache_dir
from dbom.profile.accumulator import ProfileAccumulator
from dbom.profile.dataset_total import DatasetTotal, NotExact
from dbom.profile.domain_counts import DomainCounts
from dbom.profile.sampling import RecordSample

EPOCH = "1700000000"


@pytest.fixture(autouse=True)
def _epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def _rows(i: int) -> list[dict[str, object]]:
    return [{"text": f"Record {i}.{j}: write to user{i}@example.com, the weather is fine today",
             "url": f"https://www.site{i % 6}.example.org/page/{j}", "date": f"2021-03-{i % 25 + 2:02d}"}
            for j in range(i % 3 + 1)]


def _corpus(root: Path) -> Path:
    data = root / "corpus"
    for i in range(40):
        write_jsonl_changed(data / "web" / f"part-{i:03d}.jsonl", _rows(i))
    first = data / "web" / "part-first.jsonl"  # the only shard holding the first and the last dates
    write_jsonl_changed(first, [{"text": "the oldest", "date": "2020-01-01"},
                                {"text": "the newest", "date": "2023-12-31"}])
    images = pa.table({"image": pa.array([b"\x89PNG" + bytes(200)] * 3, pa.binary()), "caption": ["a", "b", "c"]})
    (data / "media").mkdir()
    pq.write_table(images, data / "media" / "images.parquet")
    (data / "README.md").write_text("---\nlicense: cc-by-4.0\n---\n# corpus\n", encoding="utf-8")
    return data


def _rescan(data: Path, out: Path, mode: str) -> tuple[bool, bytes]:
    """(whether the lines were patched, the DBOM written) of a cached rescan through the API."""
    scanned = dbom.scan([data], options=dbom.ScanOptions(profile=mode))
    snapshot = scanned.datasets[0].snapshot
    dbom.write(scanned, out, memo_dir=default_cache_dir())  # as `dbom scan` writes: lines kept
    return snapshot is not None and snapshot.patch is not None, out.read_bytes()


def _fresh(data: Path, out: Path, mode: str) -> bytes:
    dbom.write(dbom.scan([data], options=dbom.ScanOptions(profile=mode, use_cache=False)), out)
    return out.read_bytes()


def _profile(written: bytes) -> dict[str, str]:
    """The dataset's `dbom:profile:*` properties."""
    component = json.loads(written)["components"][0]
    return {p["name"]: p["value"] for p in component["properties"] if p["name"].startswith("dbom:profile:")}


@pytest.mark.parametrize("mode", ["sample", "exact"])
def test_changed_new_and_deleted_shards_patch_the_profile_and_equal_a_full_scan(tmp_path: Path, mode: str) -> None:
    data = _corpus(tmp_path)
    patched, first = _rescan(data, tmp_path / "first.json", mode)
    assert not patched
    write_jsonl_changed(data / "web" / "part-007.jsonl", [{"text": "Changed: now in another words entirely", "url":
                                              "https://new.example.com/", "date": "2021-03-05"}])
    write_jsonl_changed(data / "web" / "part-015b.jsonl",
                        [{"text": "A new shard, call +1 202 555 0143", "date": "2021-03-09"}])
    (data / "web" / "part-020.jsonl").unlink()
    patched, written = _rescan(data, tmp_path / "second.json", mode)
    assert patched
    assert written == _fresh(data, tmp_path / "fresh.json", mode)
    profile = _profile(written)
    assert profile and profile != _profile(first)  # the profile is there, and it changed
    distinct = "dbom:profile:domains-distinct"
    assert (_profile(first)[distinct], profile[distinct]) == ("1", "2")  # example.com joins example.org
    # the next rescan copies what the patch kept: the same bytes
    assert _rescan(data, tmp_path / "third.json", mode) == (False, written)
    # and a second patch starts from the patched profile
    (data / "web" / "part-030.jsonl").unlink()
    patched, again = _rescan(data, tmp_path / "fourth.json", mode)
    assert patched and again == _fresh(data, tmp_path / "fresh2.json", mode)


def test_the_shard_holding_the_first_date_touched_is_patched_and_gone_is_made_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dbom.profile.dataset_profile import DatasetProfiler

    data = _corpus(tmp_path)
    _, before = _rescan(data, tmp_path / "first.json", "sample")
    oldest = data / "web" / "part-first.jsonl"
    stamp = oldest.stat().st_mtime_ns + 5_000_000_000
    os.utime(oldest, ns=(stamp, stamp))  # the same content, read again: taken out and put back
    profiled: list[str] = []
    read_each = DatasetProfiler.read_each

    def counted(self: DatasetProfiler, shards: Any, jobs: int) -> Any:
        for shard, path in shards:
            profiled.append(shard.path)
            yield from read_each(self, [(shard, path)], jobs)

    with monkeypatch.context() as patch:  # (not `undo`: it would take back the cache folder and the epoch too)
        patch.setattr(DatasetProfiler, "read_each", counted)
        patched, after = _rescan(data, tmp_path / "second.json", "sample")
    assert patched and after == before
    assert profiled == []  # its content's profile was cached: its records are not read again
    oldest.unlink()  # the first date's only shard gone: the next first date is not known
    patched, written = _rescan(data, tmp_path / "third.json", "sample")
    assert not patched
    assert written == _fresh(data, tmp_path / "fresh.json", "sample")
    assert "2020-01-01" in before.decode() and "2020-01-01" not in written.decode()


def test_a_changed_file_whose_modality_was_read_from_it_takes_the_whole_path(tmp_path: Path) -> None:
    data = _corpus(tmp_path)
    _rescan(data, tmp_path / "first.json", "sample")
    pictures = pa.array([random.Random(n).randbytes(6000) for n in range(2)], pa.binary())
    table = pa.table({"image": pictures, "caption": ["x", "y"]})
    pq.write_table(table, data / "media" / "images.parquet")
    patched, written = _rescan(data, tmp_path / "second.json", "sample")
    assert not patched
    assert written == _fresh(data, tmp_path / "fresh.json", "sample")
    assert json.loads(_profile(written)["dbom:profile:modality"])["image"] > 10_000


def test_a_change_that_moves_the_sampling_rate_profiles_every_shard_again(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from dbom.profile import sampling

    data = _corpus(tmp_path)
    corpus_bytes = sum(p.stat().st_size for folder in ("web", "media") for p in (data / folder).iterdir())
    monkeypatch.setattr(sampling, "SAMPLE_BYTES", corpus_bytes + 200)  # every record sampled, for now
    _, first = _rescan(data, tmp_path / "first.json", "sample")
    write_jsonl_changed(data / "web" / "part-004.jsonl", _rows(4) * 3)  # a little larger: the rate is 1/2 now
    patched, written = _rescan(data, tmp_path / "second.json", "sample")
    assert not patched
    assert written == _fresh(data, tmp_path / "fresh.json", "sample")
    sampled = "dbom:profile:sampled-records"
    assert int(_profile(written)[sampled]) < int(_profile(first)[sampled])


def test_the_kept_profile_after_a_patch_is_the_one_a_whole_scan_keeps(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    data = _corpus(tmp_path)
    _rescan(data, tmp_path / "first.json", "sample")
    write_jsonl_changed(data / "web" / "part-011.jsonl", _rows(12))
    (data / "web" / "part-012.jsonl").unlink()
    write_jsonl_changed(data / "web" / "new" / "part-100.jsonl", _rows(100))
    patched = dbom.scan([data], options=dbom.ScanOptions(profile="sample")).datasets[0].snapshot
    monkeypatch.setenv("DBOM_CACHE_DIR", str(tmp_path / "another-cache"))
    whole = dbom.scan([data], options=dbom.ScanOptions(profile="sample")).datasets[0].snapshot
    assert patched.patch is not None and whole.patch is None
    # the rate's bytes too: the files' sizes by name, the card's left out
    readme = (data / "README.md").stat().st_size
    assert whole.profile_state["rate_bytes"] == sum(p.stat().st_size for p in data.rglob("*") if p.is_file()) - readme
    assert patched.profile_state == whole.profile_state


def test_a_profile_made_otherwise_is_not_patched(tmp_path: Path) -> None:
    data = _corpus(tmp_path)
    _rescan(data, tmp_path / "first.json", "sample")
    write_jsonl_changed(data / "web" / "part-003.jsonl", [{"text": "changed"}])
    patched, written = _rescan(data, tmp_path / "second.json", "exact")  # another mode: every shard again
    assert not patched
    assert written == _fresh(data, tmp_path / "fresh.json", "exact")


# --- the patched profile against the whole merge, over random shards and changes ------------------------

WORDS = ["alpha", "beta", "gamma", "delta", "eps", "zeta", "eta", "theta", "iota", "kappa"]


def _shard_profile(rng: random.Random, key: str, sample: RecordSample, presampled: bool) -> ProfileAccumulator:
    one = ProfileAccumulator(sample=sample, shard_key=key, domain_limit=8)
    rows = []
    for _ in range(rng.randrange(0, 6)):
        row: dict[str, object] = {"text": " ".join(rng.choices(WORDS, k=rng.randrange(1, 9)))}
        if rng.random() < 0.7:
            row["url"] = f"https://d{rng.randrange(7)}.example.com/"
        if rng.random() < 0.5:
            row["date"] = f"2022-0{rng.randrange(1, 4)}-1{rng.randrange(3)}"
        if rng.random() < 0.2:
            row["title"] = "other field"
        rows.append(row)
    if presampled:
        sizes = [len(json.dumps(row)) + 1 for row in rows]
        picked = [k for k in range(len(rows)) if rng.random() < 0.5]
        one.add_sampled([rows[k] for k in picked], [sizes[k] for k in picked])
        one.count_lines(len(rows), sum(sizes))
    elif rows:
        one.add(rows)
    return one


def _merged(profiles: list[ProfileAccumulator], sample: RecordSample) -> DatasetTotal:
    total = DatasetTotal(ProfileAccumulator(sample=sample, domain_limit=8))
    for one in profiles:
        total.add(json.loads(json.dumps(one.to_json())))
    total.readable = len(profiles)
    return total


def _random_dataset(rng: random.Random, sample: RecordSample
                    ) -> tuple[dict[str, ProfileAccumulator], dict[str, Any], list[str]]:
    """A few random shards' profiles by key, their merged state as a dataset keeps it, and some keys to take out."""
    shards = {f"s{n}": _shard_profile(rng, f"s{n}", sample, rng.random() < 0.3) for n in range(rng.randrange(1, 9))}
    state = json.loads(json.dumps(_merged(list(shards.values()), sample).to_json()))
    return shards, state, rng.sample(sorted(shards), rng.randrange(0, len(shards) + 1))


def test_taking_shards_out_and_putting_others_in_gives_the_whole_merge() -> None:
    rng = random.Random(11)
    sample = RecordSample(0.5)
    exact = inexact = 0
    for _trial in range(150):
        shards, state, gone = _random_dataset(rng, sample)
        total = DatasetTotal.from_json(state)
        new = {f"n{n}": _shard_profile(rng, f"n{n}", sample, rng.random() < 0.3) for n in range(rng.randrange(0, 3))}
        try:
            for one in new.values():
                total.add(one)
                total.readable += 1
            for key in gone:
                total.remove(shards.pop(key).to_json())
                total.readable -= 1
            total.check_exact()
        except NotExact:
            inexact += 1
            continue
        exact += 1
        shards.update(new)
        whole = _merged(list(shards.values()), sample)
        assert total.properties(False) == whole.properties(False)
        assert total.total.to_json() == whole.total.to_json()
    assert exact > 60 and inexact > 5  # both kinds met


def test_the_sum_of_the_shards_taken_out_subtracts_as_each_of_them_does() -> None:
    """`DatasetTotal.subtract` of the removed shards' sum (made in a worker process by `summed_profiles`) gives what
    removing them one by one gives; it may also succeed where one by one cannot (the last shards at a bound gone
    with every dated record), and then gives the whole merge of what is left."""
    rng = random.Random(23)
    sample = RecordSample(0.5)
    same = beyond = 0
    for _trial in range(200):
        shards, state, gone = _random_dataset(rng, sample)
        one_by_one, summed = DatasetTotal.from_json(state), DatasetTotal.from_json(state)
        removed = DatasetTotal(summed.total.blank())
        for key in gone:
            removed.add(json.loads(json.dumps(shards[key].to_json())))
        try:
            for key in gone:
                one_by_one.remove(shards[key].to_json())
                one_by_one.readable -= 1
            one_by_one.check_exact()
        except NotExact:
            one_by_one = None
        try:
            if not removed.total.domains.exact:  # summed_profiles leaves those to be taken out one by one
                raise NotExact("past exact counting")
            summed.subtract(removed)
            summed.readable -= len(gone)
            summed.check_exact()
        except NotExact:
            assert one_by_one is None  # never refused where one by one succeeds, but past exact domain counts
            continue
        whole = _merged([one for key, one in shards.items() if key not in gone], sample)
        assert summed.total.to_json() == whole.total.to_json()
        assert summed.properties(False) == whole.properties(False)
        if one_by_one is None:
            beyond += 1
            continue
        same += 1
        assert summed.to_json() == one_by_one.to_json()
    assert same > 80  # both taken out exactly, the same way


def test_domain_counts_past_exact_counting_are_not_subtracted() -> None:
    counts, other = DomainCounts(2), DomainCounts(2)
    counts.add([("a.com", 5, 1), ("b.com", 3, 1)])
    other.add([("a.com", 5, 1)])
    counts.subtract(other)
    assert counts.to_json()["domains"] == [["b.com", 3, 1]] and (counts.bytes, counts.records) == (3, 1)
    counts.add([("c.com", 1, 1), ("d.com", 1, 1)])  # past the limit: a summary now
    assert not counts.exact
    with pytest.raises(ValueError):
        counts.subtract(DomainCounts(2))
    with pytest.raises(ValueError, match="less"):
        exact = DomainCounts(2)
        exact.add([("a.com", 1, 1)])
        exact.subtract(other)


def test_a_touched_file_is_neither_profiled_again_nor_taken_out_and_put_back(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file whose content did not change (touched) has the profile its content had: it is not made again from
    the lines read, and the pair (taken out, put in) is left out of the patch. A changed file is both."""
    from dbom.profile.dataset_profile import DatasetProfiler

    data = _corpus(tmp_path)
    _, before = _rescan(data, tmp_path / "first.json", "sample")
    touched = data / "web" / "part-007.jsonl"
    stamp = touched.stat().st_mtime_ns + 5_000_000_000
    os.utime(touched, ns=(stamp, stamp))
    profiled: list[str] = []
    removed: list[Any] = []
    profile_sampled, read_each, remove = DatasetProfiler.profile_sampled, DatasetProfiler.read_each, DatasetTotal.remove

    def counted_sampled(self: DatasetProfiler, shards: Any) -> Any:  # the lines sampled as the files were read
        profiled.extend(shard.path for shard, _ in shards)
        return profile_sampled(self, shards)

    def counted_read_each(self: DatasetProfiler, shards: Any, jobs: int) -> Any:  # read for the profile alone
        shards = list(shards)
        profiled.extend(shard.path for shard, _ in shards)
        return read_each(self, shards, jobs)

    def counted_remove(self: DatasetTotal, data: Any) -> None:
        removed.append(data)
        remove(self, data)

    monkeypatch.setattr(DatasetProfiler, "profile_sampled", counted_sampled)
    monkeypatch.setattr(DatasetProfiler, "read_each", counted_read_each)
    monkeypatch.setattr(DatasetTotal, "remove", counted_remove)
    patched, after = _rescan(data, tmp_path / "second.json", "sample")
    assert patched and after == before
    assert profiled == [] and removed == []
    write_jsonl_changed(touched, _rows(107))
    os.utime(data / "web" / "part-008.jsonl", ns=(stamp, stamp))
    patched, after = _rescan(data, tmp_path / "third.json", "sample")
    assert profiled == ["web/part-007.jsonl"] and len(removed) == 1
    assert patched and after == _fresh(data, tmp_path / "fresh.json", "sample")


def test_a_changed_document_with_the_profile_on_takes_the_whole_path(tmp_path: Path) -> None:
    """A card changed beside a shard: no patch (documents are not patched in), and no profile asked of a document."""
    data = _corpus(tmp_path)
    _rescan(data, tmp_path / "first.json", "sample")
    (data / "README.md").write_text("---\nlicense: mit\n---\n# corpus, changed\n", encoding="utf-8")
    write_jsonl_changed(data / "web" / "part-003.jsonl", _rows(103))
    patched, written = _rescan(data, tmp_path / "second.json", "sample")
    assert not patched and written == _fresh(data, tmp_path / "fresh.json", "sample")
