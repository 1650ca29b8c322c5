"""Figure builders of the four explorers on synthetic frames with known truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from app.figures.base import WEBGL_THRESHOLD
from app.figures.fit_lines import FitLine
from app.figures.frequency import FrequencyOptions, make_frequency_figure
from app.figures.loss_to_loss import Extrapolation, LossToLossOptions, make_loss_to_loss_figure
from app.figures.robustness import RobustnessOptions, make_robustness_figure
from app.figures.scaling import (
    Prediction,
    ScalingOptions,
    make_learning_curve_figure,
    make_scaling_figure,
)
from app.palette import color_for
from backend.analysis.transforms import get_transform


def point_frame(x: np.ndarray, y: np.ndarray, groups: list[str]) -> pd.DataFrame:
    """A point frame in the explorers' convention."""
    n = len(x)
    return pd.DataFrame(
        {
            "x": x,
            "y": y,
            "group": [groups[i % len(groups)] for i in range(n)],
            "model": [f"model-{i}" for i in range(n)],
            "checkpoint": [f"step{i}" for i in range(n)],
        }
    )


def shifted_power_law(x, k, kappa, e_x, e_y):
    return k * (x - e_x) ** kappa + e_y


def marker_traces(figure: go.Figure) -> list:
    return [t for t in figure.data if t.mode == "markers" and t.customdata is not None]


def test_loss_to_loss_groups_colours_hover_and_line():
    rng = np.random.default_rng(0)
    x = rng.uniform(2.5, 4.0, 60)
    frame = point_frame(x, shifted_power_law(x, 0.9, 1.2, 1.5, 1.0), ["fineweb-edu", "starcoder"])
    grid = np.linspace(2.5, 4.0, 50)
    line = FitLine(
        "fineweb-edu",
        grid,
        shifted_power_law(grid, 0.9, 1.2, 1.5, 1.0),
        lower=shifted_power_law(grid, 0.9, 1.2, 1.5, 1.0) - 0.01,
        upper=shifted_power_law(grid, 0.9, 1.2, 1.5, 1.0) + 0.01,
    )
    extrapolation = Extrapolation("fineweb-edu", 2.0, 1.45, 1.4, 1.5)
    figure = make_loss_to_loss_figure(
        frame, [line], LossToLossOptions("c4 loss", "pile loss", extrapolations=(extrapolation,))
    )
    points = marker_traces(figure)
    assert [t.name for t in points] == ["fineweb-edu", "starcoder"]
    assert all(t.marker.color == color_for(t.name) for t in points)
    assert all(isinstance(t, go.Scatter) for t in points)
    first = points[0]
    assert first.customdata[0][0] == "model-0" and first.customdata[0][1] == "step0"
    assert "%{customdata[0]}" in first.hovertemplate
    curve = next(t for t in figure.data if t.mode == "lines" and t.fill is None)
    assert curve.line.color == color_for("fineweb-edu")
    # The drawn line passes through the generating curve.
    np.testing.assert_allclose(curve.y, shifted_power_law(np.asarray(curve.x), 0.9, 1.2, 1.5, 1.0))
    band = next(t for t in figure.data if t.fill == "toself")
    assert len(band.x) == 2 * len(grid)
    star = next(t for t in figure.data if t.marker.symbol == "star")
    assert star.x == (2.0,) and star.error_y.array[0] == pytest.approx(0.05)
    assert figure.layout.xaxis.title.text == "c4 loss"


def test_big_point_sets_are_webgl():
    n = WEBGL_THRESHOLD + 500
    x = np.linspace(1.0, 5.0, n)
    figure = make_loss_to_loss_figure(point_frame(x, x, ["a"]), [], LossToLossOptions())
    assert isinstance(marker_traces(figure)[0], go.Scattergl)


def test_scaling_log_axes_frontier_and_prediction():
    compute = np.logspace(18, 22, 30)
    loss = 1.7 + 400 * compute**-0.15
    frame = point_frame(compute, loss, ["chinchilla"])
    frontier = FitLine("compute-optimal", compute, loss, color="#222222", label="frontier")
    options = ScalingOptions(
        frontier=frontier, predictions=(Prediction("chinchilla", 1e24, 1.9, 1.85, 1.95),)
    )
    figure = make_scaling_figure(frame, [], options)
    assert figure.layout.xaxis.type == "log" and figure.layout.yaxis.type == "log"
    frontier_trace = next(t for t in figure.data if t.name == "frontier")
    assert frontier_trace.showlegend and frontier_trace.line.color == "#222222"
    star = next(t for t in figure.data if t.marker.symbol == "star")
    assert star.x == (1e24,)


def test_learning_curves_one_line_per_model_in_step_order():
    frame = pd.DataFrame(
        {
            "x": [1000, 0, 500, 0, 1000],
            "y": [0.5, 0.25, 0.4, 0.25, 0.6],
            "group": ["a", "a", "a", "b", "b"],
            "model": ["a", "a", "a", "b", "b"],
            "checkpoint": ["step1000", "step0", "step500", "step0", "step1000"],
        }
    )
    figure = make_learning_curve_figure(frame, x_label="step", y_label="accuracy")
    assert [t.name for t in figure.data] == ["a", "b"]
    assert list(figure.data[0].x) == [0, 500, 1000]


def test_frequency_binned_means_and_percent_axis():
    counts = np.logspace(1, 6, 40)
    accuracy = 0.1 + 0.08 * np.log10(counts)
    frame = point_frame(counts, accuracy, ["RN50"]).assign(concept=[f"c{i}" for i in range(40)])
    binned = pd.DataFrame({"group": "RN50", "x": [1e2, 1e4], "y": [0.26, 0.42], "n": [10, 12]})
    grid = np.logspace(1, 6, 20)
    line = FitLine("RN50", grid, 0.1 + 0.08 * np.log10(grid), label="slope 8.0 pts per ×10")
    figure = make_frequency_figure(frame, [line], FrequencyOptions(), binned=binned)
    assert figure.layout.xaxis.type == "log"
    assert figure.layout.yaxis.tickformat == ".0%"
    points = marker_traces(figure)[0]
    assert "concept" in points.hovertemplate
    diamonds = next(t for t in figure.data if t.name == "RN50 (bin means)")
    assert list(diamonds.y) == [0.26, 0.42]
    hidden = make_frequency_figure(frame, [], FrequencyOptions(show_points=False), binned=binned)
    assert not marker_traces(hidden)


@pytest.mark.parametrize("transform", ["linear", "logit", "probit"])
def test_robustness_transformed_axes_percent_ticks_and_straight_baseline(transform):
    t = get_transform(transform)
    rng = np.random.default_rng(1)
    acc_id = rng.uniform(0.3, 0.9, 40)
    acc_ood = t.inverse(0.8 * t.forward(acc_id) - 0.5)
    frame = point_frame(acc_id, acc_ood, ["baseline", "other"])
    grid = np.linspace(0.3, 0.9, 25)
    line = FitLine("baseline", grid, t.inverse(0.8 * t.forward(grid) - 0.5), label="baseline fit")
    figure = make_robustness_figure(frame, [line], RobustnessOptions(transform=transform))
    points = marker_traces(figure)
    np.testing.assert_allclose(
        sorted(np.concatenate([p.x for p in points])), sorted(t.forward(acc_id))
    )
    fit = next(tr for tr in figure.data if tr.name == "baseline fit")
    slope = np.diff(fit.y) / np.diff(fit.x)
    np.testing.assert_allclose(slope, 0.8, rtol=1e-6)  # a straight line in the plotted space
    diagonal = next(tr for tr in figure.data if tr.name == "y = x")
    assert list(diagonal.x) == list(diagonal.y)
    assert all(label.endswith("%") for label in figure.layout.xaxis.ticktext)
    assert figure.layout.xaxis.tickvals == figure.layout.yaxis.tickvals
    hover = points[0].hovertemplate  # in data units (accuracy %), not logit/probit values
    assert "%{x" not in hover and "%{y" not in hover
    assert "in-distribution accuracy: %{customdata[2]}" in hover
    shown = [float(row[2].rstrip("%")) / 100 for p in points for row in p.customdata]
    np.testing.assert_allclose(sorted(shown), sorted(acc_id), atol=5e-4)


def test_empty_frames_give_empty_figures_without_errors():
    empty = point_frame(np.array([]), np.array([]), ["a"])
    assert not make_loss_to_loss_figure(empty, [], LossToLossOptions()).data
    assert not make_scaling_figure(empty, [], ScalingOptions()).data
    assert len(make_robustness_figure(empty, [], RobustnessOptions()).data) == 1  # y = x only
