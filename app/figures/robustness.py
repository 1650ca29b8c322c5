"""Robustness figure: out-of-distribution against in-distribution accuracy on linear, logit or
probit axes (ticks in percent), the baseline fit with its band, and the y = x reference.

Points and lines are drawn in transformed coordinates with ``backend.analysis.transforms``,
the same transform the baseline fit used, so the fit is a straight line on the plot.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from app.figures.base import grouped_point_traces, line_trace, new_figure
from app.figures.fit_lines import FitLine, fit_line_traces
from backend.analysis.transforms import get_transform

REFERENCE_COLOR = "#7b8794"


@dataclass(frozen=True)
class RobustnessOptions:
    """Axis titles, the axis transform (linear, logit or probit) and the plotted range."""

    x_label: str = "in-distribution accuracy"
    y_label: str = "out-of-distribution accuracy"
    transform: str = "logit"
    legend_title: str = ""
    lower: float = 0.01
    upper: float = 0.99


def axis_range(frame: pd.DataFrame, options: RobustnessOptions) -> tuple[float, float]:
    """The accuracy range both axes cover: the data with a margin, within the options' bounds."""
    if frame.empty:
        return options.lower, options.upper
    values = np.concatenate([frame["x"].to_numpy(float), frame["y"].to_numpy(float)])
    low = max(options.lower, float(np.nanmin(values)) * 0.8)
    high = min(options.upper, 1 - (1 - float(np.nanmax(values))) * 0.8)
    return low, max(high, low + 1e-3)


def transformed(line: FitLine, transform: str) -> FitLine:
    """``line`` with x, y and band mapped into the plot's transformed coordinates."""
    forward = get_transform(transform).forward
    return FitLine(
        group=line.group,
        x=forward(line.x),
        y=forward(line.y),
        lower=None if line.lower is None else forward(line.lower),
        upper=None if line.upper is None else forward(line.upper),
        label=line.label,
        dash=line.dash,
        color=line.color,
    )


def percent_text(values: pd.Series, *, signed: bool = False) -> list[str]:
    """Fractions as hover text in percent with one decimal (``"75.0%"``, ``"+1.2%"`` if
    ``signed``), as ``"{:.1%}".format`` writes them, without a Python call per value."""
    pattern = "%+.1f%%" if signed else "%.1f%%"
    return [pattern % value for value in (100 * values.to_numpy(float)).tolist()]


def make_robustness_figure(
    frame: pd.DataFrame, fits: Sequence[FitLine], options: RobustnessOptions
) -> go.Figure:
    """Points (x = ID accuracy, y = OOD accuracy as fractions, group, model, checkpoint), the
    baseline fit lines (data space; transformed here) and the y = x line."""
    transform = get_transform(options.transform)
    low, high = axis_range(frame, options)
    tick_values, tick_labels = transform.ticks(low, high)
    if transform.name == "linear":  # accuracies: percent labels on linear axes too
        tick_labels = [f"{100 * value:.0f}%" for value in tick_values]
    plotted = frame.assign(
        x=transform.forward(frame["x"].to_numpy(float)),
        y=transform.forward(frame["y"].to_numpy(float)),
        id_accuracy=percent_text(frame["x"]),
        ood_accuracy=percent_text(frame["y"]),
    )
    extra = []
    if "effective_robustness" in frame:
        plotted["effective_robustness"] = percent_text(frame["effective_robustness"], signed=True)
        extra.append("effective_robustness")
    in_data_units = {options.x_label: "id_accuracy", options.y_label: "ood_accuracy"}
    traces = grouped_point_traces(
        plotted, x="x", y="y", group="group", extra=extra, data_values=in_data_units
    )
    for line in fits:
        traces += fit_line_traces(transformed(line, options.transform), show_legend=True)
    diagonal = transform.forward(np.array([low, high]))
    traces.append(
        line_trace(x=diagonal, y=diagonal, name="y = x", color=REFERENCE_COLOR, dash="dot")
    )
    figure = new_figure(
        traces,
        x_title=f"{options.x_label} ({transform.name} scale)",
        y_title=f"{options.y_label} ({transform.name} scale)",
        legend_title=options.legend_title,
    )
    axis_ticks = {
        "tickmode": "array",
        "tickvals": list(tick_values),
        "ticktext": tick_labels,
        "range": list(diagonal),
    }
    figure.update_xaxes(**axis_ticks)
    figure.update_yaxes(**axis_ticks)
    return figure
