"""The floor under ``bench_pages.py``'s render figures: a bare Dash app on FastAPI with the
same Dash, the same lighter browser bundles and the same static-file compression and page
shell as ScaleScope, and nothing else (no navigation, no data, no callbacks). Its page tells
what a first render costs on this machine before any of ScaleScope's own work: a heading and
a paragraph, and with ``SCALESCOPE_FLOOR_GRAPH=1`` one 20-point plotly graph too (open it at
``/scaling``, a path in ``app.static_files.PLOT_PAGES``, so plotly.js is fetched early as on
ScaleScope's plot pages).

    SCALESCOPE_FLOOR_GRAPH=1 .venv/bin/python -m uvicorn --factory bench.floor_app:create_app
"""

from __future__ import annotations

import os

from dash import Dash, dcc, html
from fastapi import FastAPI

from app.static_files import CompressStatic, index_string

POINTS = 20


def _figure() -> dict:
    """A 20-point scatter with the default look (plotly's own defaults, no template)."""
    xs = list(range(POINTS))
    return {
        "data": [{"type": "scatter", "mode": "markers", "x": xs, "y": [x * x for x in xs]}],
        "layout": {"margin": {"l": 64, "r": 16, "t": 24, "b": 56}},
    }


def _layout() -> html.Div:
    """A page container like ScaleScope's (the bench waits for ``#_pages_content``); with one
    graph when ``SCALESCOPE_FLOOR_GRAPH`` is 1."""
    parts = [html.H2("Floor"), html.P("A bare Dash page.")]
    if os.environ.get("SCALESCOPE_FLOOR_GRAPH") == "1":
        parts.append(dcc.Graph(figure=_figure()))
    return html.Div([dcc.Location(id="floor-location"), html.Div(parts, id="_pages_content")])


def create_app() -> FastAPI:
    """The bare Dash app on FastAPI, served like ScaleScope's (bundles, compression, shell)."""
    server = FastAPI()
    app = Dash(
        __name__,
        server=server,
        serve_locally=True,
        compress=False,
        index_string=index_string(),
    )
    app.layout = _layout
    server.add_middleware(CompressStatic)
    return server
