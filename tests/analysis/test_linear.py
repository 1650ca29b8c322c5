"""OLS line and the shared result object: known answers (scipy.stats.linregress), bands."""

import numpy as np
import pytest
from scipy import stats

from backend.analysis import fit_line


def test_line_matches_linregress_and_recovers_truth():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 10, 200)
    y = 1.5 * x - 2.0 + rng.normal(0, 0.5, 200)
    fit = fit_line(x, y)
    reference = stats.linregress(x, y)
    assert fit.slope == pytest.approx(reference.slope)
    assert fit.params["slope"].stderr == pytest.approx(reference.stderr)
    assert fit.params["intercept"].stderr == pytest.approx(reference.intercept_stderr)
    assert fit.pearson_r == pytest.approx(reference.rvalue)
    low, high = fit.params["slope"].low, fit.params["slope"].high
    assert low < 1.5 < high and fit.params["slope"].interval == "wald"
    assert abs(fit.intercept + 2.0) < 0.3


def test_result_is_frozen_and_band_brackets_the_prediction():
    fit = fit_line([1, 2, 3, 4, 5], [2.1, 3.9, 6.2, 8.0, 9.9])
    with pytest.raises(AttributeError):
        fit.values = None  # type: ignore[misc]
    with pytest.raises(ValueError):
        fit.values[0] = 3.0
    band = fit.band([0, 3, 10])
    assert np.all(band.low < band.center) and np.all(band.center < band.high)
    width = band.high - band.low
    assert width[1] < width[0] < width[2]  # narrowest near the mean of x
    assert fit.to_dict()["params"]["slope"]["interval"] == "wald"
