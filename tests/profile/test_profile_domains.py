"""Registered domains of URLs (offline, public-suffix aware) and the counts per domain: exact, then bounded."""

from __future__ import annotations

import json
import random
from collections import Counter

import pyarrow as pa
import pytest

from dbom.profile.domain_counts import DomainCount, DomainCounts
from dbom.profile.domains import DomainResolver


def domains_of(urls: list[str | None]) -> list[str | None]:
    names, indices = DomainResolver().domains(pa.array(urls, pa.string()))
    return [names[i] if i >= 0 else None for i in indices.tolist()]


def test_registered_domains_under_public_suffixes() -> None:
    urls = ["https://forums.news.bbc.co.uk/a?b=1", "HTTP://WWW.Example.COM:8080/x", "//cdn.example.net/y",
            "https://user:pw@shop.example.com.au/", "example.org/page", "https://foo.github.io/",
            "http://例子.中国/", "http://xn--fiqs8s.xn--fiqs8s/", "https://www.example.com./"]
    assert domains_of(urls) == ["bbc.co.uk", "example.com", "example.net", "example.com.au", "example.org",
                                "github.io", "例子.中国", "xn--fiqs8s.xn--fiqs8s", "example.com"]


def test_ip_addresses_and_hosts_without_a_suffix_are_their_own_domain() -> None:
    assert domains_of(["http://192.0.2.7/x", "http://[2001:db8::1]:80/", "http://localhost:8000/"]) == [
        "192.0.2.7", "2001:db8::1", "localhost"]


def test_values_without_a_host_have_no_domain() -> None:
    assert domains_of([None, "", "not a url", "https:///path", "   "]) == [None] * 5


def test_no_network_and_no_disk_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    import socket

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the domain resolver opened a connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    resolver = DomainResolver()
    assert resolver.domain_of_host("a.b.example.co.jp") == "example.co.jp"


def _stream(seed: int, domains: int, records: int) -> list[tuple[str, int, int]]:
    """A Zipf-like stream of (domain, bytes, 1): a few large domains, a long tail."""
    rng = random.Random(seed)
    weights = [1 / (rank + 1) ** 1.1 for rank in range(domains)]
    names = [f"site{rank}.example" for rank in range(domains)]
    return [(name, rng.randint(100, 5000), 1) for name in rng.choices(names, weights, k=records)]


def _exact(stream: list[tuple[str, int, int]]) -> tuple[Counter[str], Counter[str]]:
    sizes: Counter[str] = Counter()
    records: Counter[str] = Counter()
    for name, size, count in stream:
        sizes[name] += size
        records[name] += count
    return sizes, records


def test_exact_counts_up_to_the_limit_and_the_top_share() -> None:
    stream = _stream(1, 300, 5000)
    counts = DomainCounts(limit=1000)
    for start in range(0, len(stream), 700):
        counts.add(stream[start : start + 700])
    sizes, records = _exact(stream)
    assert counts.exact and counts.error_bound == 0 and counts.distinct() == len(sizes)
    expected = sorted(sizes, key=lambda name: (-sizes[name], name))
    top = counts.top()
    assert len(top) == -(-len(sizes) // 10)
    assert top == [DomainCount(name, sizes[name], records[name]) for name in expected[: len(top)]]
    assert len(counts.top(sme=True)) == -(-len(sizes) // 20)


def test_sme_list_is_capped_at_a_thousand() -> None:
    counts = DomainCounts(limit=50_000)
    counts.add((f"d{i}.example", 10 + i, 1) for i in range(30_000))
    assert len(counts.top(sme=True)) == 1000 and len(counts.top()) == 3000


@pytest.mark.parametrize("seed", [2, 3])
def test_past_the_limit_the_bound_holds_and_heavy_domains_stay(seed: int) -> None:
    stream = _stream(seed, 5000, 40_000)
    limit = 200
    counts = DomainCounts(limit=limit)
    for start in range(0, len(stream), 500):
        counts.add(stream[start : start + 500])
    sizes, records = _exact(stream)
    bound = counts.error_bound
    assert not counts.exact and 0 < bound <= sum(sizes.values()) / (limit + 1)
    assert counts.bytes == sum(sizes.values()) and len(counts.counts) <= 2 * limit
    held = {item.domain: item for item in counts.ranked()}
    for name, size in sizes.items():
        if name in held:
            assert held[name].bytes <= size <= held[name].bytes + bound
            assert held[name].records <= records[name]
        else:
            assert size <= bound
    assert all(name in held for name, size in sizes.items() if size > bound)
    assert abs(counts.distinct() - len(sizes)) <= 0.05 * len(sizes)


def test_merged_shards_keep_the_bound_over_their_bytes() -> None:
    shards = [_stream(seed, 3000, 8000) for seed in range(4, 10)]
    merged = DomainCounts(limit=150)
    for shard in shards:
        counts = DomainCounts(limit=150)
        counts.add(shard)
        merged.merge(DomainCounts.from_json(json.loads(json.dumps(counts.to_json()))))
    sizes, _ = _exact([item for shard in shards for item in shard])
    assert merged.bytes == sum(sizes.values())
    bound = merged.error_bound
    assert bound <= merged.bytes / 151
    held = {item.domain: item.bytes for item in merged.ranked()}
    for name, size in sizes.items():
        assert held.get(name, 0) <= size <= held.get(name, 0) + bound


def test_merging_exact_shards_is_the_exact_count_of_all() -> None:
    first, second = _stream(11, 100, 900), _stream(12, 100, 900)
    a, b, whole = DomainCounts(), DomainCounts(), DomainCounts()
    a.add(first)
    b.add(second)
    whole.add(first + second)
    a.merge(b)
    assert a.to_json() == whole.to_json() and a.exact


def test_serialised_counts_are_deterministic_and_round_trip() -> None:
    counts = DomainCounts(limit=100)
    counts.add(_stream(13, 2000, 3000))
    data = json.dumps(counts.to_json())
    again = DomainCounts(limit=100)
    again.add(_stream(13, 2000, 3000))
    assert json.dumps(again.to_json()) == data
    restored = DomainCounts.from_json(json.loads(data))
    assert json.dumps(restored.to_json()) == data and restored.distinct() == counts.distinct()
