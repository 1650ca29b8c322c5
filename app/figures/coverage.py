"""The coverage grid: model × eval set, measured or missing."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from app.figures.base import empty_figure, new_figure, scatter_class, shared_values
from app.natural import natural_key

MEASURED = "#2f5fd0"
MISSING = "#dde2e8"
ROW_PX = 18
LABEL_CHARS = 28  # longer names are shortened on the axes (hover shows them whole)
# A generous average glyph width, in font sizes (Chromium's sans-serif fallback is wide): the
# margins are set from it so that the labels fit; when they do not, the axes' automargin
# widens them, and plotly draws the grid twice (the demo's grid: 256 -> 128 ms a draw).
GLYPH_EM = 0.8


def short_label(name: str, limit: int = LABEL_CHARS) -> str:
    """``name`` cut to ``limit`` characters with an ellipsis in the middle, so that both the
    family and the variant stay readable."""
    if len(name) <= limit:
        return name
    head = (limit - 1) // 2
    return name[:head] + "…" + name[-(limit - 1 - head) :]


def label_extent(names: list, *, font_size: int) -> int:
    """How many pixels the longest (shortened) label of ``names`` takes, generously."""
    longest = max((len(short_label(str(name))) for name in names), default=0)
    return round(longest * GLYPH_EM * font_size)


def _category_axis(names: list, *, font_size: int) -> dict:
    """Every category labelled (none dropped), long names shortened, margins that fit them."""
    return {
        "showgrid": False,
        "type": "category",
        "categoryorder": "array",
        "categoryarray": names,
        "tickmode": "array",
        "tickvals": names,
        "ticktext": [short_label(str(n)) for n in names],
        "tickfont": {"size": font_size},
        "automargin": True,
    }


def _cells(part: pd.DataFrame, *, name: str, color: str, n_cells: int, size: float):
    return scatter_class(n_cells)(
        _validate=False,
        x=shared_values(part["eval_set"]),
        y=shared_values(part["model"]),
        mode="markers",
        name=name,
        marker={"symbol": "square", "size": size, "color": color},
        customdata=shared_values(
            part[["model", "eval_set", "n_checkpoints"]].to_numpy(dtype=object)
        ),
        hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]}: "
        "%{customdata[2]} checkpoints measured<extra></extra>",
    )


def make_coverage_figure(grid: pd.DataFrame) -> go.Figure:
    """A grid of ``coverage_frame`` rows (``model, eval_set, n_checkpoints, measured``): one
    square per model × eval set, blue where measured, grey where missing. ``customdata`` starts
    with the model, so a click on a square opens its page."""
    if grid.empty:
        return empty_figure("No models or eval sets yet")
    models = sorted(grid["model"].unique(), key=natural_key)
    eval_sets = sorted(grid["eval_set"].unique(), key=natural_key)
    size = max(4.0, min(ROW_PX - 4, 900 / max(len(eval_sets), 1) - 4))
    measured = grid["measured"].astype(bool)
    traces = [
        _cells(part, name=name, color=color, n_cells=len(grid), size=size)
        for part, name, color in (
            (grid[measured], "measured", MEASURED),
            (grid[~measured], "missing", MISSING),
        )
        if not part.empty
    ]
    figure = new_figure(traces, legend_title="")
    layout = figure.layout
    layout.height = max(320, ROW_PX * len(models) + 180)
    x_font, y_font = (12 if len(eval_sets) <= 40 else 10), (12 if len(models) <= 60 else 10)
    xaxis = {"side": "top", "tickangle": -45} | _category_axis(eval_sets, font_size=x_font)
    layout.xaxis.update(xaxis)
    layout.yaxis.update(_category_axis(models[::-1], font_size=y_font))
    # the eval sets' labels stand at 45 degrees above the grid, the models' to its left
    top = round(label_extent(eval_sets, font_size=x_font) * 0.71) + x_font
    layout.margin = {
        "l": 16 + label_extent(models, font_size=y_font),
        "t": 24 + top,
        "r": 16,
        "b": 24,
    }
    layout.legend.update({"orientation": "h", "y": -0.02, "yanchor": "top"})
    return figure
