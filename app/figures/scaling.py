"""Scaling figures: loss against compute (or N, D, samples) with a fit per group, the
compute-optimal frontier and a "predict at C" readout; learning curves per model."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from app.figures.base import grouped_point_traces, new_figure
from app.figures.fit_lines import FitLine, fit_line_traces
from app.palette import color_for

FRONTIER_COLOR = "#222222"


@dataclass(frozen=True)
class Prediction:
    """The fitted value of one group at a chosen x (e.g. compute C), with its band if any."""

    group: str
    x: float
    y: float
    lower: float | None = None
    upper: float | None = None


@dataclass(frozen=True)
class ScalingOptions:
    """Axis titles and scales, the optional frontier line and the predictions to mark."""

    x_label: str = "compute (FLOPs)"
    y_label: str = "loss"
    log_x: bool = True
    log_y: bool = True
    legend_title: str = ""
    hover_columns: tuple[str, ...] = ()
    frontier: FitLine | None = None
    predictions: tuple[Prediction, ...] = ()


def prediction_trace(point: Prediction) -> go.Scatter:
    """A star at the predicted value, with the band as error bars when there is one."""
    error = None
    if point.lower is not None and point.upper is not None:
        error = {
            "type": "data",
            "symmetric": False,
            "array": [point.upper - point.y],
            "arrayminus": [point.y - point.lower],
        }
    return go.Scatter(
        _validate=False,
        x=[point.x],
        y=[point.y],
        mode="markers",
        name=f"{point.group} predicted",
        legendgroup=point.group,
        showlegend=False,
        marker={"symbol": "star", "size": 15, "color": color_for(point.group)},
        error_y=error,
        hovertemplate=f"{point.group}: predicted %{{y:.4f}} at %{{x:.3g}}<extra></extra>",
    )


def make_scaling_figure(
    frame: pd.DataFrame, fits: Sequence[FitLine], options: ScalingOptions
) -> go.Figure:
    """Points (x, y, group, model, checkpoint), one fitted line per group, frontier, readouts."""
    traces = grouped_point_traces(frame, x="x", y="y", group="group", extra=options.hover_columns)
    for line in fits:
        traces += fit_line_traces(line)
    if options.frontier is not None:
        traces += fit_line_traces(options.frontier, show_legend=True)
    traces += [prediction_trace(point) for point in options.predictions]
    return new_figure(
        traces,
        x_title=options.x_label,
        y_title=options.y_label,
        x_log=options.log_x,
        y_log=options.log_y,
        legend_title=options.legend_title,
    )


def make_learning_curve_figure(
    frame: pd.DataFrame, *, x_label: str, y_label: str, log_x: bool = False
) -> go.Figure:
    """Metric against step (or tokens), one line per model (``group`` names the line)."""
    ordered = frame.sort_values(["group", "x"]) if not frame.empty else frame
    traces = grouped_point_traces(ordered, x="x", y="y", group="group", mode="lines+markers")
    return new_figure(traces, x_title=x_label, y_title=y_label, x_log=log_x, legend_title="model")
