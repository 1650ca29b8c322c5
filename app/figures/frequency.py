"""Frequency figure: per-concept accuracy against pretraining frequency (log x), the paper's
log-binned means and a log-linear fit per model. The compositional view (mean log frequency of
a pair) and the PMI view use the same builder with another x axis."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from app.figures.base import grouped_point_traces, new_figure
from app.figures.fit_lines import FitLine, fit_line_traces
from app.palette import color_for


@dataclass(frozen=True)
class FrequencyOptions:
    """Axis titles, whether x is logarithmic, and whether raw points show beside bin means."""

    x_label: str = "pretraining frequency (documents)"
    y_label: str = "zero-shot accuracy"
    log_x: bool = True
    show_points: bool = True
    legend_title: str = "model"


def binned_traces(binned: pd.DataFrame, *, show_legend: bool) -> list[go.Scatter]:
    """Mean accuracy per log-frequency bin as diamonds joined by a thin line, per group."""
    traces = []
    for name, rows in binned.sort_values(["group", "x"]).groupby("group", sort=True):
        color = color_for(name)
        traces.append(
            go.Scatter(
                x=rows["x"],
                y=rows["y"],
                mode="lines+markers",
                name=f"{name} (bin means)",
                legendgroup=str(name),
                showlegend=show_legend,
                marker={"size": 11, "color": color, "symbol": "diamond"},
                line={"color": color, "width": 1},
                customdata=rows[["n"]].to_numpy() if "n" in rows else None,
                hovertemplate=(
                    f"{name}: bin mean %{{y:.1%}} at %{{x:.3g}}"
                    " (%{customdata[0]} concepts)<extra></extra>"
                ),
            )
        )
    return traces


def make_frequency_figure(
    frame: pd.DataFrame,
    fits: Sequence[FitLine],
    options: FrequencyOptions,
    binned: pd.DataFrame | None = None,
) -> go.Figure:
    """Per-concept points (x, y, group=model, concept), bin means and fitted lines.

    ``binned`` has columns ``group``, ``x`` (bin centre), ``y`` (mean accuracy) and ``n``.
    Accuracies are fractions; the y axis shows them in percent.
    """
    traces: list[go.Scatter | go.Scattergl] = []
    if options.show_points:
        extra = ("concept",) if "concept" in frame else ()
        traces += grouped_point_traces(frame, x="x", y="y", group="group", extra=extra)
        for trace in traces:
            trace.marker.update(size=6, opacity=0.4)
    if binned is not None and not binned.empty:
        traces += binned_traces(binned, show_legend=not options.show_points)
    for line in fits:
        traces += fit_line_traces(line)
    figure = new_figure(
        traces,
        x_title=options.x_label,
        y_title=options.y_label,
        x_log=options.log_x,
        legend_title=options.legend_title,
    )
    figure.update_yaxes(tickformat=".0%")
    return figure
