"""Bytes and records per domain: exact up to `DOMAIN_LIMIT` distinct domains, then a bounded heavy-hitters summary.

Counting is exact (every domain, its bytes and records) while a profile has seen at most `DOMAIN_LIMIT`
distinct domains. Past that, the counts become a weighted Misra-Gries summary of `DOMAIN_LIMIT` counters
(Agarwal et al., "Mergeable summaries", 2012), by bytes: when more than twice `DOMAIN_LIMIT` domains are held,
the (limit+1)-th largest count is subtracted from every count and the counts left at zero or below are dropped.
Its error bound, stated with the figures as `error_bound_bytes`, is `E = (B - S) / (limit + 1)` where `B` is
the bytes counted and `S` what the summary still holds, at most `B / (limit + 1)`: each domain's true bytes
lie in `[bytes, bytes + E]`, and every domain with more than `E` bytes is in the summary. A domain's records
are those counted while it was held (a lower bound, exact while counting is exact). Summaries merge with the
same guarantee (the bound is over the merged bytes). The number of distinct domains is exact while counting
is, then estimated by a HyperLogLog of 2^14 registers (standard error 0.81%).
"""

from __future__ import annotations

import base64
import heapq
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import xxhash

DOMAIN_LIMIT = 100_000
TOP_SHARE = 0.10  # the EU summary's top 10% of domains by bytes
SME_TOP_SHARE = 0.05  # for an SME: 5%, and at most SME_TOP_MAX domains
SME_TOP_MAX = 1000
_HLL_BITS = 14
_HLL_REGISTERS = 1 << _HLL_BITS


@dataclass(frozen=True)
class DomainCount:
    """One domain of the list: its bytes of content and its records."""

    domain: str
    bytes: int
    records: int


class DomainCounts:
    """Bytes and records per registered domain, mergeable and serialisable (see the module's docstring)."""

    def __init__(self, limit: int = DOMAIN_LIMIT) -> None:
        if limit < 1:
            raise ValueError("the domain limit is at least 1")
        self.limit = limit
        self.bytes = 0  # bytes of every record that had a domain
        self.records = 0
        self.counts: dict[str, list[int]] = {}  # domain -> [bytes, records]
        self.exact = True
        self._hll: bytearray | None = None  # kept once counting is no longer exact

    def add(self, domains: Iterable[tuple[str, int, int]]) -> None:
        """Count (domain, bytes, records) triples, e.g. one batch's totals per domain."""
        counts, hll = self.counts, self._hll
        for domain, size, records in domains:
            self.bytes += size
            self.records += records
            entry = counts.get(domain)
            if entry is None:
                counts[domain] = [size, records]
                if hll is not None:
                    _hll_add(hll, domain)
            else:
                entry[0] += size
                entry[1] += records
        if len(counts) > (self.limit if self.exact else 2 * self.limit):
            self._prune()

    def merge(self, other: DomainCounts) -> None:
        """Add another profile's counts (of the same limit)."""
        if other.limit != self.limit:
            raise ValueError(f"cannot merge domain counts of limits {self.limit} and {other.limit}")
        if not other.exact:
            self._start_sketch()
        if self._hll is not None:
            other_hll = other._hll if other._hll is not None else _hll_of(other.counts)
            self._hll = bytearray(map(max, self._hll, other_hll))
        bytes_, records = self.bytes + other.bytes, self.records + other.records
        self.add((domain, size, count) for domain, (size, count) in other.counts.items())
        self.bytes, self.records = bytes_, records

    def subtract(self, other: DomainCounts) -> None:
        """Take out counts `merge` added (a shard's that is gone); ValueError when that cannot be exact: either
        summary is past exact counting, or `other` holds more than these counts do (nothing is changed then)."""
        if other.limit != self.limit or not (self.exact and other.exact) or self._hll is not None:
            raise ValueError("only exact domain counts of the same limit can be subtracted")
        left = {}
        for domain, (size, records) in other.counts.items():
            entry = self.counts.get(domain)
            if entry is None or entry[0] < size or entry[1] < records or (entry[1] == records and entry[0] != size):
                raise ValueError(f"the counts of {domain} hold less than what is taken out")
            left[domain] = (entry[0] - size, entry[1] - records)
        if other.bytes > self.bytes or other.records > self.records:
            raise ValueError("the counts hold less than what is taken out")
        for domain, (size, records) in left.items():
            if records:
                self.counts[domain] = [size, records]
            else:  # every record of a domain counts: none left, no shard holds it
                del self.counts[domain]
        self.bytes -= other.bytes
        self.records -= other.records

    def scaled(self, factor: int) -> DomainCounts:
        """These counts multiplied by `factor` (those of a sample taken at the rate 1 / `factor`)."""
        if factor == 1:
            return self
        other = DomainCounts(self.limit)
        other.exact, other._hll = self.exact, self._hll
        other.bytes, other.records = self.bytes * factor, self.records * factor
        other.counts = {domain: [size * factor, records * factor] for domain, (size, records) in self.counts.items()}
        return other

    def _start_sketch(self) -> None:
        if self._hll is None:
            self._hll = _hll_of(self.counts)
        self.exact = False

    def _prune(self) -> None:
        """Keep the `limit` largest counts: subtract the (limit+1)-th largest from all, drop those left at 0."""
        self._start_sketch()
        if len(self.counts) <= self.limit:
            return
        cut = heapq.nlargest(self.limit + 1, (entry[0] for entry in self.counts.values()))[-1]
        self.counts = {domain: [size - cut, records] for domain, (size, records) in self.counts.items()
                       if size > cut}

    @property
    def error_bound(self) -> int:
        """The most any domain's bytes are undercounted (0 while counting is exact)."""
        if self.exact:
            return 0
        held = sum(entry[0] for entry in self.counts.values())
        return math.ceil((self.bytes - held) / (self.limit + 1))

    def distinct(self) -> int:
        """The number of distinct domains: exact while counting is, then the HyperLogLog's estimate."""
        if self._hll is None:
            return len(self.counts)
        return max(len(self.counts), _hll_estimate(self._hll))

    def ranked(self) -> list[DomainCount]:
        """Every domain held, most bytes first (then by name)."""
        order = sorted(self.counts.items(), key=lambda item: (-item[1][0], item[0]))
        return [DomainCount(domain, size, records) for domain, (size, records) in order]

    def top(self, sme: bool = False) -> list[DomainCount]:
        """The top 10% of distinct domains by bytes (5%, at most 1,000, for an SME), at least one if any."""
        distinct = self.distinct()
        wanted = math.ceil(distinct * (SME_TOP_SHARE if sme else TOP_SHARE))
        if sme:
            wanted = min(wanted, SME_TOP_MAX)
        return self.ranked()[:wanted]

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict of the state, the same for the same counts (domains sorted)."""
        return {"limit": self.limit, "exact": self.exact, "bytes": self.bytes, "records": self.records,
                "domains": [[domain, *self.counts[domain]] for domain in sorted(self.counts)],
                "hll": base64.b64encode(bytes(self._hll)).decode("ascii") if self._hll is not None else None}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DomainCounts:
        """The counts `to_json` wrote."""
        counts = cls(int(data["limit"]))
        counts.exact = bool(data["exact"])
        counts.bytes, counts.records = int(data["bytes"]), int(data["records"])
        counts.counts = {str(domain): [int(size), int(records)] for domain, size, records in data["domains"]}
        if data.get("hll") is not None:
            counts._hll = bytearray(base64.b64decode(data["hll"]))
            if len(counts._hll) != _HLL_REGISTERS:
                raise ValueError("a domain sketch of the wrong size")
        return counts


def _hll_add(registers: bytearray, item: str) -> None:
    value = xxhash.xxh3_64_intdigest(item.encode("utf-8"))
    slot = value >> (64 - _HLL_BITS)
    rest = value & ((1 << (64 - _HLL_BITS)) - 1)
    rank = (64 - _HLL_BITS) - rest.bit_length() + 1
    if rank > registers[slot]:
        registers[slot] = rank


def _hll_of(items: Iterable[str]) -> bytearray:
    registers = bytearray(_HLL_REGISTERS)
    for item in items:
        _hll_add(registers, item)
    return registers


def _hll_estimate(registers: bytearray) -> int:
    """HyperLogLog's estimate (Flajolet et al. 2007), linear counting for small cardinalities."""
    m = len(registers)
    alpha = 0.7213 / (1 + 1.079 / m)
    raw = alpha * m * m / sum(2.0 ** -r for r in registers)
    zeros = registers.count(0)
    if raw <= 2.5 * m and zeros:
        return round(m * math.log(m / zeros))
    return round(raw)
