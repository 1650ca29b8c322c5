"""What every figure shares: the common layout, point traces that name model and checkpoint on
hover and carry them as ``customdata`` (click a point to open its model page), WebGL for large
point sets, fit lines and bands in the group's colour, and the empty figure.

Conventions for figure builders (``make_*_figure(frame, fit) -> go.Figure``, pure functions):

- points come from :func:`point_trace` / :func:`grouped_point_traces`, so ``customdata`` is
  ``[model, checkpoint, *extra]`` and the shell's click handler can open ``/model/<model>``;
- colours come from :mod:`app.palette` (same group value, same colour, on every page);
- fitted curves come from :func:`line_trace` and :func:`band_trace` (no ``customdata``).

The figures are built without plotly's per-property validation (``_validate=False``; the
template resolved once, :func:`template`): the builders set only known properties, and
validating every trace and the whole template cost more than the rest of a page's view.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from app.natural import natural_key
from app.palette import MISSING_COLOR, PALETTE, color_for

# Room for the y tick labels and title, and for the x tick labels and title (px).
MARGIN_LEFT, MARGIN_BOTTOM = 88, 68
# Above this many points a trace is drawn with WebGL (go.Scattergl) to stay smooth.
WEBGL_THRESHOLD = 2_000
FONT = "Inter, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
POINT_HEADER = "<b>%{customdata[0]}</b><br>checkpoint %{customdata[1]}"
POINT_HOVER = POINT_HEADER + "<br>%{xaxis.title.text}: %{x:.4g}<br>%{yaxis.title.text}: %{y:.4g}"


class SharedValues(np.ndarray):
    """An object array of immutable values (names, counts) that deep copies share: plotly
    deep-copies every trace when a figure is made and again when it is sent, and copies an
    object array element by element; a plain copy holds the same values."""

    def __deepcopy__(self, memo: dict[int, Any] | None = None, /) -> SharedValues:
        return self.copy()


def shared_values(values: Sequence | np.ndarray | pd.Series) -> np.ndarray:
    """``values`` as an object array that plotly's deep copies copy at once (hover names)."""
    return np.asarray(values, dtype=object).view(SharedValues)


def hover_label(column: str) -> str:
    """A column name as a reader's label (``id_accuracy`` -> ``id accuracy``)."""
    return column.replace("_", " ")


def base_layout(
    *,
    x_title: str = "",
    y_title: str = "",
    title: str | None = None,
    x_log: bool = False,
    y_log: bool = False,
    legend_title: str | None = None,
) -> dict:
    """The layout every figure starts from: white background, readable fonts, legend right.
    The margins leave room for the tick labels and titles of every page's default view: when
    labels do not fit, the axes' ``automargin`` (from the template) widens the margin, which
    makes plotly draw the whole figure a second time (100-250 ms a figure on this machine)."""
    axis = {
        "showgrid": True,
        "gridcolor": "#eceff3",
        "zeroline": False,
        "linecolor": "#9aa4b2",
        "ticks": "outside",
        "mirror": True,
    }
    return {
        "template": "plotly_white",
        "font": {"family": FONT, "size": 13, "color": "#1f2933"},
        "title": {"text": title or "", "x": 0.01, "xanchor": "left"},
        "margin": {"l": MARGIN_LEFT, "r": 16, "t": 48 if title else 24, "b": MARGIN_BOTTOM},
        "xaxis": {**axis, "title": {"text": x_title}, "type": "log" if x_log else "linear"},
        "yaxis": {**axis, "title": {"text": y_title}, "type": "log" if y_log else "linear"},
        "legend": {"title": {"text": legend_title or ""}, "itemsizing": "constant"},
        "hovermode": "closest",
        "uirevision": "keep",
    }


@cache
def template(name: str) -> dict:
    """The plotly template ``name`` as the figure JSON carries it (resolved once)."""
    return pio.templates[name].to_plotly_json()


def new_figure(traces: Sequence[go.Scatter | go.Scattergl] = (), **layout_options) -> go.Figure:
    """A figure of ``traces`` with :func:`base_layout` applied (keyword arguments go to it).
    Pass the traces here: ``figure.add_traces`` would validate each one again."""
    layout = base_layout(**layout_options)
    layout["template"] = template(layout["template"])
    return go.Figure(data=list(traces), layout=layout, _validate=False)


def empty_figure(message: str = "No data for this selection") -> go.Figure:
    """A blank figure that says why it is blank, instead of an empty pair of axes."""
    fig = new_figure()
    fig.update_layout(
        xaxis={"visible": False},
        yaxis={"visible": False},
        annotations=[
            {
                "text": message,
                "xref": "paper",
                "yref": "paper",
                "x": 0.5,
                "y": 0.5,
                "showarrow": False,
                "font": {"size": 15, "color": "#52606d"},
            }
        ],
    )
    return fig


def rgba(color: str, alpha: float) -> str:
    """A ``#rrggbb`` colour as ``rgba(...)`` with opacity ``alpha`` (for bands)."""
    color = color.lstrip("#")
    red, green, blue = (int(color[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({red},{green},{blue},{alpha})"


def scatter_class(n_points: int) -> type[go.Scatter] | type[go.Scattergl]:
    """``go.Scattergl`` above :data:`WEBGL_THRESHOLD` points, else ``go.Scatter``."""
    return go.Scattergl if n_points > WEBGL_THRESHOLD else go.Scatter


def trace_kind(n_points: int, mode: str) -> tuple[type[go.Scatter] | type[go.Scattergl], str]:
    """The trace class and mode for ``n_points`` drawn in ``mode``: a line of more than
    :data:`WEBGL_THRESHOLD` points is one SVG path without markers (plotly simplifies it;
    50,000 WebGL markers cost seconds on every redraw, an axis switch included)."""
    if "lines" in mode and n_points > WEBGL_THRESHOLD:
        return go.Scatter, "lines"
    return scatter_class(n_points), mode


def point_trace(
    *,
    x: Sequence | np.ndarray | pd.Series,
    y: Sequence | np.ndarray | pd.Series,
    models: Sequence | np.ndarray | pd.Series,
    checkpoints: Sequence | np.ndarray | pd.Series,
    name: str,
    color: str | None = None,
    extra: dict[str, Sequence | np.ndarray | pd.Series] | None = None,
    data_values: dict[str, Sequence | np.ndarray | pd.Series] | None = None,
    mode: str = "markers",
    size: float = 8,
    legendgroup: str | None = None,
    showlegend: bool = True,
) -> go.Scatter | go.Scattergl:
    """Measured points: hover names model and checkpoint, ``customdata`` carries them (then
    ``data_values``, then ``extra``). On a transformed axis (logit, probit) ``data_values``
    gives x and y in data units as text (``{"ImageNet top-1": ["75.0%", ...]}``), and hover
    shows them instead of the plotted coordinates."""
    columns = [np.asarray(models, dtype=object), np.asarray(checkpoints, dtype=object)]
    hover = POINT_HEADER if data_values else POINT_HOVER
    shown = {**(data_values or {}), **{hover_label(k): v for k, v in (extra or {}).items()}}
    for index, (label, values) in enumerate(shown.items(), start=2):
        columns.append(np.asarray(values, dtype=object))
        hover += f"<br>{label}: %{{customdata[{index}]}}"
    customdata = np.column_stack(columns) if len(columns[0]) else np.empty((0, len(columns)))
    customdata = shared_values(customdata)
    trace_class, mode = trace_kind(len(columns[0]), mode)
    marker_color = color or color_for(name)
    return trace_class(
        _validate=False,
        x=np.asarray(x),
        y=np.asarray(y),
        mode=mode,
        name=name,
        legendgroup=legendgroup or name,
        showlegend=showlegend,
        customdata=customdata,
        hovertemplate=hover + f"<extra>{name}</extra>",
        marker={"color": marker_color, "size": size, "line": {"width": 0.5, "color": "white"}},
        line={"color": marker_color},
    )


def grouped_point_traces(
    frame: pd.DataFrame,
    *,
    x: str,
    y: str,
    group: str | None,
    model: str = "model",
    checkpoint: str = "checkpoint",
    extra: Sequence[str] = (),
    data_values: dict[str, str] | None = None,
    mode: str = "markers",
) -> list[go.Scatter | go.Scattergl]:
    """One :func:`point_trace` per value of ``group`` (all points in one trace if None), in
    natural order (160m before 1.4b); ``data_values`` maps hover labels to the columns that
    hold x and y in data units (see :func:`point_trace`)."""
    if group is None:
        groups = [("all", frame)]
    else:
        keys = frame[group].astype(object).where(frame[group].notna(), "unknown").astype(str)
        groups = sorted(frame.groupby(keys, sort=False), key=lambda item: natural_key(item[0]))
    traces = []
    for value, part in groups:
        traces.append(
            point_trace(
                x=part[x],
                y=part[y],
                models=part[model],
                checkpoints=part[checkpoint],
                name=str(value),
                color=color_for(value) if group is not None else PALETTE[0],
                extra={column: part[column] for column in extra},
                data_values={label: part[c] for label, c in (data_values or {}).items()},
                mode=mode,
            )
        )
    return traces


def line_trace(
    *,
    x: Sequence | np.ndarray,
    y: Sequence | np.ndarray,
    name: str,
    color: str | None = None,
    dash: str | None = None,
    legendgroup: str | None = None,
    showlegend: bool = False,
) -> go.Scatter:
    """A fitted curve (or reference line) in the group's colour; no click-through."""
    return go.Scatter(
        _validate=False,
        x=np.asarray(x),
        y=np.asarray(y),
        mode="lines",
        name=name,
        legendgroup=legendgroup or name,
        showlegend=showlegend,
        line={"color": color or color_for(name), "width": 2, **({"dash": dash} if dash else {})},
        hovertemplate=f"{name}<br>%{{x:.4g}}, %{{y:.4g}}<extra></extra>",
    )


def band_trace(
    *,
    x: Sequence | np.ndarray,
    lower: Sequence | np.ndarray,
    upper: Sequence | np.ndarray,
    name: str,
    color: str | None = None,
    opacity: float = 0.18,
    legendgroup: str | None = None,
) -> go.Scatter:
    """A shaded band between ``lower`` and ``upper`` (a confidence interval of a fit)."""
    x = np.asarray(x)
    polygon_x = np.concatenate([x, x[::-1]])
    polygon_y = np.concatenate([np.asarray(upper), np.asarray(lower)[::-1]])
    return go.Scatter(
        _validate=False,
        x=polygon_x,
        y=polygon_y,
        mode="lines",
        fill="toself",
        fillcolor=rgba(color or color_for(name) or MISSING_COLOR, opacity),
        line={"width": 0},
        name=f"{name} band",
        legendgroup=legendgroup or name,
        showlegend=False,
        hoverinfo="skip",
    )


def excluded_trace(frame: pd.DataFrame) -> go.Scatter:
    """Points left out of the fits, hollow and grey; hover says which and why."""
    reasons = frame["reason"] if "reason" in frame else [""] * len(frame)
    customdata = (
        np.column_stack(
            [
                np.asarray(frame["model"], dtype=object),
                np.asarray(frame["checkpoint"], dtype=object),
                np.asarray(reasons, dtype=object),
            ]
        )
        if len(frame)
        else np.empty((0, 3))
    )
    customdata = shared_values(customdata)
    return go.Scatter(
        _validate=False,
        x=np.asarray(frame["x"]),
        y=np.asarray(frame["y"]),
        mode="markers",
        name="excluded from fit",
        customdata=customdata,
        hovertemplate=POINT_HOVER + "<br>excluded: %{customdata[2]}<extra>excluded</extra>",
        marker={"symbol": "circle-open", "size": 10, "color": "#555555", "line": {"width": 1.5}},
    )
