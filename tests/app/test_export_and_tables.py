"""Pure helpers of the shell: figure -> points CSV (plain and base64 typed arrays), table rows,
learning-curve frames, the coverage grid figure, WebGL switching and hover/customdata."""

from __future__ import annotations

import base64
import io
import json
from types import SimpleNamespace

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from app.components.export_data import (
    decode_array,
    export_basename,
    figure_points_frame,
    fits_csv,
)
from app.figures.base import WEBGL_THRESHOLD, band_trace, grouped_point_traces, point_trace
from app.figures.coverage import make_coverage_figure
from app.palette import color_for
from app.tables import (
    curve_frame,
    curve_series,
    human_number,
    model_href,
    model_name_of,
    model_rows,
)


def _figure() -> dict:
    points = point_trace(
        x=np.array([1.0, 2.0, 3.0]),
        y=np.array([0.5, 0.4, 0.3]),
        models=["a/b", "c", "d"],
        checkpoints=["final", "step1", "step2"],
        name="pile",
    )
    line = go.Scatter(x=[1, 3], y=[0.5, 0.3], mode="lines", name="fit")
    band = band_trace(x=[1, 3], lower=[0.4, 0.2], upper=[0.6, 0.4], name="pile")
    # as the browser sends it back: plotly.py's JSON (numpy arrays as base64 typed arrays)
    return json.loads(go.Figure([points, line, band]).to_json())


def test_points_frame_reads_typed_arrays_and_skips_bands():
    figure = _figure()
    assert "bdata" in figure["data"][0]["x"]
    frame = figure_points_frame(figure)
    assert list(frame["kind"]) == ["point"] * 3 + ["line"] * 2
    points = frame[frame["kind"] == "point"]
    assert list(points["model"]) == ["a/b", "c", "d"]
    assert list(points["checkpoint"]) == ["final", "step1", "step2"]
    assert list(points["x"]) == [1.0, 2.0, 3.0]
    assert frame[frame["kind"] == "line"]["model"].isna().all()


def test_decode_array_of_a_2d_typed_array():
    data = np.arange(6, dtype="f8").reshape(2, 3)
    encoded = {"dtype": "f8", "bdata": base64.b64encode(data.tobytes()).decode(), "shape": "2, 3"}
    assert decode_array(encoded) == data.tolist()
    assert decode_array(None) == []


def test_fits_csv_and_file_names():
    text = fits_csv([{"group": "pile", "slope": 1.5}, {"group": "c4", "slope": 2.0}])
    assert pd.read_csv(io.StringIO(text)).to_dict("records") == [
        {"group": "pile", "slope": 1.5},
        {"group": "c4", "slope": 2.0},
    ]
    assert export_basename("/loss-to-loss#main") == "scalescope-loss-to-loss"
    assert export_basename("/model#curves") == "scalescope-model-curves"
    assert export_basename("/#main") == "scalescope-home"


def test_point_traces_switch_to_webgl_and_carry_model_and_checkpoint():
    n = WEBGL_THRESHOLD + 2
    frame = pd.DataFrame(
        {
            "x": np.arange(n, dtype=float),
            "y": np.ones(n),
            "model": [f"m{i}" for i in range(n)],
            "checkpoint": "final",
            "data": ["pile"] * (n - 1) + [None],
        }
    )
    traces = grouped_point_traces(frame, x="x", y="y", group="data")
    by_name = {t.name: t for t in traces}
    assert set(by_name) == {"pile", "unknown"}
    assert isinstance(by_name["pile"], go.Scattergl)
    assert isinstance(by_name["unknown"], go.Scatter)
    assert by_name["pile"].marker.color == color_for("pile")
    assert list(by_name["unknown"].customdata[0]) == [f"m{n - 1}", "final"]
    assert "%{customdata[0]}" in by_name["pile"].hovertemplate


def test_long_lines_are_one_svg_path_without_markers_with_every_point():
    n = WEBGL_THRESHOLD + 2
    frame = pd.DataFrame(
        {"x": np.arange(n, dtype=float), "y": np.ones(n), "model": "run", "checkpoint": "c"}
    )
    (long,) = grouped_point_traces(frame, x="x", y="y", group=None, mode="lines+markers")
    assert isinstance(long, go.Scatter) and long.mode == "lines" and len(long.x) == n
    assert list(long.customdata[-1]) == ["run", "c"]
    (short,) = grouped_point_traces(frame[:50], x="x", y="y", group=None, mode="lines+markers")
    assert isinstance(short, go.Scatter) and short.mode == "lines+markers"


def test_model_rows_link_to_model_pages_and_round_trip_the_name():
    model = SimpleNamespace(
        name="EleutherAI/pythia 1.4b",
        family="pythia",
        architecture="gpt-neox",
        n_params=1.4e9,
        pretraining_data="pile",
        tokenizer=None,
        n_checkpoints=3,
        attributes={"license": "apache-2.0", "tags": ["a", "b"]},
    )
    (row,) = model_rows([model])
    assert row["n_params"] == "1.4B"
    assert row["name"] == "[EleutherAI/pythia 1.4b](/model/EleutherAI/pythia%201.4b)"
    assert model_name_of(row) == "EleutherAI/pythia 1.4b"
    assert row["attr:license"] == "apache-2.0" and row["attr:tags"] == "['a', 'b']"
    assert model_href("a b/c") == "/model/a%20b/c"
    assert human_number(float("nan")) == "" and human_number(12) == "12"


def test_curve_frame_orders_by_step_and_keeps_only_chosen_series():
    measurements = pd.DataFrame(
        {
            "model": "pythia-160m",
            "revision": ["step2", "step1", "step1", "final"],
            "step": [2.0, 1.0, 1.0, None],
            "tokens_seen": [4.0, 2.0, 2.0, None],
            "eval_set": ["piqa", "piqa", "arc", "piqa"],
            "metric": "acc",
            "value": [0.6, 0.5, 0.3, 0.7],
        }
    )
    assert curve_series(measurements) == ["piqa · acc", "arc · acc"]
    frame = curve_frame(measurements, ["piqa · acc"])
    assert list(frame["x"]) == [1.0, 2.0] and list(frame["y"]) == [0.5, 0.6]
    assert list(frame["checkpoint"]) == ["step1", "step2"]
    assert curve_frame(measurements, []).empty


def test_coverage_figure_marks_measured_and_missing_cells():
    grid = pd.DataFrame(
        {
            "model": ["a", "a", "B", "B"],
            "eval_set": ["x", "y", "x", "y"],
            "n_measurements": [3, 0, 1, 0],
            "n_checkpoints": [2, 0, 1, 0],
            "measured": [True, False, True, False],
        }
    )
    figure = make_coverage_figure(grid)
    measured, missing = figure.data
    assert measured.name == "measured" and missing.name == "missing"
    assert set(zip(measured.x, measured.y, strict=True)) == {("x", "a"), ("x", "B")}
    assert [c[0] for c in missing.customdata] == ["a", "B"]
    assert list(figure.layout.yaxis.categoryarray) == ["B", "a"]  # first model on top
    assert make_coverage_figure(grid.iloc[0:0]).layout.annotations
