"""Loss-to-loss figure: one point cloud and one shifted power-law line (with band) per group."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from app.figures.base import grouped_point_traces, new_figure
from app.figures.fit_lines import FitLine, fit_line_traces
from app.palette import color_for


@dataclass(frozen=True)
class Extrapolation:
    """The prediction of one group's line at a chosen x: value and band."""

    group: str
    x: float
    y: float
    lower: float
    upper: float


@dataclass(frozen=True)
class LossToLossOptions:
    """What the figure shows besides the data: axis titles, log axes, extrapolations."""

    x_label: str = "x loss"
    y_label: str = "y loss"
    log_axes: bool = False
    legend_title: str = ""
    hover_columns: tuple[str, ...] = ()
    extrapolations: tuple[Extrapolation, ...] = ()


def extrapolation_trace(point: Extrapolation) -> go.Scatter:
    """A star with error bars at the predicted value of one group's line."""
    return go.Scatter(
        _validate=False,
        x=[point.x],
        y=[point.y],
        mode="markers",
        name=f"{point.group} predicted",
        legendgroup=point.group,
        showlegend=False,
        marker={"symbol": "star", "size": 15, "color": color_for(point.group)},
        error_y={
            "type": "data",
            "symmetric": False,
            "array": [point.upper - point.y],
            "arrayminus": [point.y - point.lower],
        },
        hovertemplate=(
            f"{point.group}: predicted %{{y:.4f}} [{point.lower:.4f}, {point.upper:.4f}]"
            " at x = %{x:.4g}<extra></extra>"
        ),
    )


def make_loss_to_loss_figure(
    frame: pd.DataFrame, fits: Sequence[FitLine], options: LossToLossOptions
) -> go.Figure:
    """Points of ``frame`` (x, y, group, model, checkpoint) and each group's fitted line.

    The lines are drawn as the analysis evaluated them on a grid; an extrapolation adds a star
    with the band as error bars at the chosen x.
    """
    traces = grouped_point_traces(frame, x="x", y="y", group="group", extra=options.hover_columns)
    for line in fits:
        traces += fit_line_traces(line)
    traces += [extrapolation_trace(point) for point in options.extrapolations]
    return new_figure(
        traces,
        x_title=options.x_label,
        y_title=options.y_label,
        x_log=options.log_axes,
        y_log=options.log_axes,
        legend_title=options.legend_title,
    )
