"""Axis transforms: round trips, known values, ticks, refusals."""

import numpy as np
import pytest

from backend.analysis import AnalysisInputError, get_transform
from backend.analysis.transforms import TRANSFORMS


@pytest.mark.parametrize("name", sorted(TRANSFORMS))
def test_round_trip(name):
    transform = get_transform(name)
    values = np.array([0.01, 0.2, 0.5, 0.77, 0.99])
    assert np.allclose(transform.inverse(transform.forward(values)), values)


def test_known_values():
    assert get_transform("logit").forward(0.5) == pytest.approx(0.0)
    assert get_transform("logit").forward(0.75) == pytest.approx(np.log(3))
    assert get_transform("probit").forward(0.975) == pytest.approx(1.959964, abs=1e-6)
    assert get_transform("log").forward(1000.0) == pytest.approx(3.0)


def test_accuracy_transforms_clip_the_ends_and_refuse_outside():
    logit = get_transform("logit")
    assert np.isfinite(logit.forward([0.0, 1.0])).all()
    with pytest.raises(AnalysisInputError, match="logit"):
        logit.forward([1.2])
    with pytest.raises(AnalysisInputError, match="log"):
        get_transform("log").forward([0.0])


def test_ticks_are_in_transformed_space_with_data_labels():
    positions, labels = get_transform("log").ticks(1e18, 1e22)
    assert labels == ["1e+18", "1e+19", "1e+20", "1e+21", "1e+22"]
    assert np.allclose(positions, [18, 19, 20, 21, 22])
    positions, labels = get_transform("logit").ticks(0.05, 0.95)
    assert labels[0] == "5%" and labels[-1] == "95%"
    assert positions[0] == pytest.approx(np.log(0.05 / 0.95))
    positions, labels = get_transform("linear").ticks(0, 1)
    assert positions[0] == 0 and positions[-1] == pytest.approx(1.0)


def test_unknown_transform_is_refused_with_the_choices():
    with pytest.raises(AnalysisInputError, match="linear"):
        get_transform("sqrt")
