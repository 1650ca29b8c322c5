"""Figures are sent as built: hover names live in arrays that plotly's deep copies copy at
once, and the JSON Dash sends is the same as with plain object arrays."""

from __future__ import annotations

import copy
import json

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from app.figures.base import SharedValues, point_trace, shared_values
from app.figures.coverage import make_coverage_figure


def test_shared_values_copy_at_once_and_encode_like_object_arrays():
    values = shared_values(np.array([["a", 1], ["b", 2]], dtype=object))
    copied = copy.deepcopy(values)
    assert isinstance(copied, SharedValues) and copied is not values
    assert copied[0, 0] is values[0, 0]  # the same immutable value, not a copy of it
    copied[0, 0] = "z"
    assert values[0, 0] == "a"  # a copy all the same
    plain = np.array([["a", 1], ["b", 2]], dtype=object)
    assert pio.to_json(go.Scatter(customdata=values)) == pio.to_json(go.Scatter(customdata=plain))


def test_point_trace_and_coverage_figure_json_unchanged():
    trace = point_trace(
        x=[1.0, 2.0], y=[3.0, 4.0], models=["m1", "m2"], checkpoints=[1, 2], name="g"
    )
    assert isinstance(trace.customdata, SharedValues)
    assert json.loads(pio.to_json(trace))["customdata"] == [["m1", 1], ["m2", 2]]
    grid = pd.DataFrame(
        {
            "model": ["m1", "m1", "m2", "m2"],
            "eval_set": ["e1", "e2", "e1", "e2"],
            "n_checkpoints": [3, 0, 1, 2],
            "measured": [True, False, True, True],
        }
    )
    sent = json.loads(pio.to_json(make_coverage_figure(grid)))
    assert [t["name"] for t in sent["data"]] == ["measured", "missing"]
    assert sent["data"][0]["x"] == ["e1", "e1", "e2"]
    assert sent["data"][0]["customdata"] == [["m1", "e1", 3], ["m2", "e1", 1], ["m2", "e2", 2]]
    assert sent["layout"]["xaxis"]["categoryarray"] == ["e1", "e2"]
    assert sent["layout"]["yaxis"]["categoryarray"] == ["m2", "m1"]
    assert sent["layout"]["xaxis"]["showgrid"] is False and sent["layout"]["xaxis"]["side"] == "top"
    assert sent["layout"]["legend"] == {
        "title": {"text": ""},
        "itemsizing": "constant",
        "orientation": "h",
        "y": -0.02,
        "yanchor": "top",
    }
    assert sent["layout"]["template"]["layout"]["plot_bgcolor"] == "white"
