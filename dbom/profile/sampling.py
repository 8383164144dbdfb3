"""A deterministic, seeded sample of a dataset's records, bounded in bytes, and totals extrapolated from it.

Selection. Each record is kept or not by a hash of (seed, shard key, record index): the same seed, shards and
records give the same sample on any machine, in any order of shards, in one process or many. The rate is set
for the dataset before its records are read, from its expected bytes: `rate = min(1, budget / bytes)`, so that
the sample holds `budget` bytes (`SAMPLE_BYTES`, 8 MiB, by default) in expectation when `bytes` is the
dataset's text; given file bytes of compressed shards instead, the sample is larger by the compression ratio.

Extrapolation, by bytes. The profile counts the text bytes `X` of every record, sampled or not, and for the
sampled records their bytes `x_i` and a figure `y_i` (tokens, words, matches). The total is the ratio
estimate `Y = X * sum(y_i) / sum(x_i)`. Its variance under Bernoulli sampling at rate `p`, linearised, is
estimated by `V = (1 - p) / p^2 * sum(e_i^2)` with residuals `e_i = y_i - R x_i`, `R = sum(y_i) / sum(x_i)`;
the 95% interval is `Y +- 1.96 sqrt(V)` (normal approximation), and never below the sampled total itself.
At rate 1 (every record) the figure is exact and the interval is that figure. The sums are integers and add
up across shards, so shards' profiles merge exactly (at one rate).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import xxhash

SAMPLE_BYTES = 8 << 20
Z_95 = 1.959963984540054  # the standard normal's 97.5th percentile
_UNIT = 1 << 53  # a record's hash is drawn as an integer in [0, 2^53): rates are multiples of 2^-53
UNIT = _UNIT
_MASK = (1 << 64) - 1


def sampling_rate(expected_bytes: int, budget: int | None = None, power_of_two: bool = False) -> float:
    """The rate that samples `budget` bytes of a dataset of `expected_bytes` bytes (1 when it is no larger).

    `power_of_two`: the largest power of two at or below that rate, so that a dataset that grows a little
    keeps its rate (and the profiles cached per shard under it). The budget is SAMPLE_BYTES unless given."""
    budget = SAMPLE_BYTES if budget is None else budget
    if expected_bytes <= budget:
        return 1.0
    if power_of_two:
        return 2.0 ** -math.ceil(math.log2(expected_bytes / budget))
    return budget / expected_bytes


class RecordSample:
    """Which records are sampled: those whose seeded hash falls below the rate."""

    def __init__(self, rate: float, seed: int = 0) -> None:
        if not 0.0 < rate <= 1.0:
            raise ValueError(f"a sampling rate is in (0, 1], not {rate}")
        self.seed = seed
        self.threshold = min(_UNIT, math.ceil(rate * _UNIT))

    @property
    def rate(self) -> float:
        """The share of records kept, as the integer threshold says it."""
        return self.threshold / _UNIT

    @property
    def exact(self) -> bool:
        """Whether every record is kept."""
        return self.threshold >= _UNIT

    def select(self, key: str, start: int, count: int) -> Any:
        """A numpy bool array: which of records `start` to `start + count - 1` of shard `key` are kept."""
        import numpy as np

        if self.exact:
            return np.ones(count, dtype=bool)
        base = np.uint64(xxhash.xxh3_64_intdigest(f"{self.seed}\x00{key}".encode()))
        index = np.arange(start, start + count, dtype=np.uint64)
        return (_splitmix64(base + index * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(11)) < np.uint64(
            self.threshold)

    def keeps(self, key: str, index: int) -> bool:
        """Whether record `index` of shard `key` is kept (the scalar form of `select`)."""
        if self.exact:
            return True
        base = xxhash.xxh3_64_intdigest(f"{self.seed}\x00{key}".encode())
        value = (base + index * 0x9E3779B97F4A7C15) & _MASK
        value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & _MASK
        return ((value ^ (value >> 31)) >> 11) < self.threshold


def _splitmix64(values: Any) -> Any:
    """SplitMix64's finaliser over a numpy uint64 array (wrapping arithmetic)."""
    import numpy as np

    with np.errstate(over="ignore"):
        values = values ^ (values >> np.uint64(30))
        values = values * np.uint64(0xBF58476D1CE4E5B9)
        values = values ^ (values >> np.uint64(27))
        values = values * np.uint64(0x94D049BB133111EB)
        return values ^ (values >> np.uint64(31))


@dataclass
class RatioSums:
    """Sums over sampled records of one figure `y` against their bytes `x`: sum y, sum y^2, sum x*y."""

    y: int = 0
    yy: int = 0
    xy: int = 0

    def add(self, xs: list[int], ys: list[int]) -> None:
        """Add records with bytes `xs` and figures `ys`."""
        self.y += sum(ys)
        self.yy += sum(v * v for v in ys)
        self.xy += sum(a * b for a, b in zip(xs, ys, strict=True))

    def merge(self, other: RatioSums) -> None:
        """Add another shard's sums."""
        self.y += other.y
        self.yy += other.yy
        self.xy += other.xy


@dataclass(frozen=True)
class Estimate:
    """A total: its value and 95% interval (equal to the value when every record was read)."""

    value: int
    low: int
    high: int

    @property
    def exact(self) -> bool:
        """Whether the figure was counted, not estimated."""
        return self.low == self.value == self.high


def extrapolate(sums: RatioSums, sampled_bytes: int, sampled_xx: int, total_bytes: int,
                rate: float) -> Estimate | None:
    """The total of a figure over every record from its sums over the sample (the method of this module).

    `sampled_bytes` and `sampled_xx` are the sums of x and x^2 over the sampled records, `total_bytes` the
    bytes of every record and `rate` the sampling rate. None when there was text but none was sampled.
    """
    if rate >= 1.0 or sampled_bytes >= total_bytes:
        return Estimate(sums.y, sums.y, sums.y)
    if sampled_bytes <= 0:
        return None
    ratio = sums.y / sampled_bytes
    value = ratio * total_bytes
    residuals = max(0.0, sums.yy - 2 * ratio * sums.xy + ratio * ratio * sampled_xx)
    half = Z_95 * math.sqrt((1 - rate) / (rate * rate) * residuals)
    return Estimate(round(value), max(sums.y, math.floor(value - half)), math.ceil(value + half))
