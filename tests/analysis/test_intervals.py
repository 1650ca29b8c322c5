"""Bootstrap percentile intervals: the same numbers as ``np.nanpercentile`` whether or not some
resamples failed (NaN), so the fast path without NaNs changes no published interval."""

from __future__ import annotations

import numpy as np
import pytest

from backend.analysis.results import percentile_interval


@pytest.mark.parametrize("shape", [(200, 80), (100, 3), (7, 1)])
@pytest.mark.parametrize("level", [0.95, 0.68])
def test_percentile_interval_equals_nanpercentile(shape, level):
    rng = np.random.default_rng(0)
    samples = rng.lognormal(size=shape) * 1e-3
    tail = 100 * (1 - level) / 2
    expected = np.nanpercentile(samples, [tail, 100 - tail], axis=0)
    low, high = percentile_interval(samples, level)
    assert np.array_equal(low, expected[0]) and np.array_equal(high, expected[1])


def test_failed_resamples_are_left_out():
    samples = np.array([[1.0, 10.0], [2.0, np.nan], [3.0, 30.0], [np.nan, 20.0]])
    low, high = percentile_interval(samples, 0.5)
    assert low.tolist() == [1.5, 15.0] and high.tolist() == [2.5, 25.0]
