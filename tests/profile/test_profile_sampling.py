"""The seeded sample (deterministic, at its rate) and the extrapolation by bytes with its 95% interval."""

from __future__ import annotations

import random

import numpy as np
import pytest

from dbom.profile.sampling import SAMPLE_BYTES, RatioSums, RecordSample, extrapolate, sampling_rate


def test_the_rate_bounds_the_expected_bytes() -> None:
    assert sampling_rate(SAMPLE_BYTES) == 1.0
    assert sampling_rate(10 * SAMPLE_BYTES) == pytest.approx(0.1)
    assert sampling_rate(10 * SAMPLE_BYTES, power_of_two=True) == 1 / 16
    assert sampling_rate(1 << 40, budget=1 << 30) == pytest.approx(1 / 1024)


def test_selection_is_deterministic_seeded_and_at_its_rate() -> None:
    sample = RecordSample(0.1, seed=7)
    chosen = sample.select("shard-a", 0, 100_000)
    assert 9_500 < int(chosen.sum()) < 10_500
    assert np.array_equal(chosen, RecordSample(0.1, seed=7).select("shard-a", 0, 100_000))
    # batches of any size select the same records
    assert np.array_equal(np.concatenate([sample.select("shard-a", 0, 333), sample.select("shard-a", 333, 667)]),
                          chosen[:1000])
    assert [sample.keeps("shard-a", i) for i in range(2000)] == chosen[:2000].tolist()
    assert not np.array_equal(chosen, RecordSample(0.1, seed=8).select("shard-a", 0, 100_000))
    assert not np.array_equal(chosen, sample.select("shard-b", 0, 100_000))
    assert RecordSample(1.0).select("x", 0, 5).all() and RecordSample(1.0).exact


def test_a_bad_rate_is_refused() -> None:
    for rate in (0.0, -1.0, 1.5):
        with pytest.raises(ValueError, match="sampling rate"):
            RecordSample(rate)


def _population(seed: int, size: int) -> tuple[list[int], list[int]]:
    """Records' bytes and a figure roughly proportional to them (tokens: about bytes / 4.2, noisy)."""
    rng = random.Random(seed)
    xs = [int(rng.lognormvariate(7, 1)) + 1 for _ in range(size)]
    ys = [max(0, round(x / 4.2 + rng.gauss(0, x ** 0.5))) for x in xs]
    return xs, ys


def test_the_95_percent_interval_covers_the_true_total_about_95_times_in_100() -> None:
    xs, ys = _population(1, 20_000)
    truth, total_bytes = sum(ys), sum(xs)
    covered = 0
    for seed in range(200):
        keep = RecordSample(0.02, seed=seed).select("shard", 0, len(xs))
        sums = RatioSums()
        kept_x = [x for x, k in zip(xs, keep, strict=True) if k]
        sums.add(kept_x, [y for y, k in zip(ys, keep, strict=True) if k])
        estimate = extrapolate(sums, sum(kept_x), sum(x * x for x in kept_x), total_bytes, 0.02)
        assert estimate is not None and estimate.low <= estimate.value <= estimate.high
        covered += estimate.low <= truth <= estimate.high
    assert 180 <= covered <= 199


def test_every_record_read_is_exact_and_nothing_sampled_is_unknown() -> None:
    sums = RatioSums()
    sums.add([10, 20], [3, 5])
    assert extrapolate(sums, 30, 500, 30, 1.0).exact  # type: ignore[union-attr]
    assert extrapolate(RatioSums(), 0, 0, 1000, 0.01) is None


def test_the_interval_never_goes_below_what_was_counted() -> None:
    sums = RatioSums()
    sums.add([100], [1000])
    estimate = extrapolate(sums, 100, 10_000, 10_000, 0.5)
    assert estimate is not None and estimate.low >= 1000 and estimate.value == 100_000
