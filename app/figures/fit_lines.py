"""Fitted curves as the explorer figures draw them: a :class:`FitLine` is a fit evaluated on a
grid of x values (with an optional band), drawn in its group's palette colour.

The views turn the analysis results into fit lines, so the figure builders stay independent of
the fit classes and draw exactly what the analysis predicted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from app.figures.base import band_trace, line_trace
from app.palette import color_for


@dataclass(frozen=True)
class FitLine:
    """A fitted curve of one group evaluated at ``x``, with an optional band (lower, upper)."""

    group: str
    x: np.ndarray
    y: np.ndarray
    lower: np.ndarray | None = None
    upper: np.ndarray | None = None
    label: str = ""
    dash: str | None = None
    color: str | None = None

    @property
    def has_band(self) -> bool:
        """Whether a band is there to draw."""
        return self.lower is not None and self.upper is not None


def fit_line_traces(line: FitLine, *, show_legend: bool = False) -> list[go.Scatter]:
    """The band (translucent, under the line) and the fitted curve of one group."""
    color = line.color or color_for(line.group)
    traces: list[go.Scatter] = []
    if line.has_band:
        traces.append(
            band_trace(x=line.x, lower=line.lower, upper=line.upper, name=line.group, color=color)
        )
    curve = line_trace(
        x=line.x,
        y=line.y,
        name=line.label or f"{line.group} fit",
        color=color,
        dash=line.dash,
        legendgroup=line.group,
        showlegend=show_legend,
    )
    traces.append(curve)
    return traces
