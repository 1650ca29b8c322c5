"""A plot panel: the graph, its export menu (PNG, SVG, CSV of points and of fit parameters,
figure JSON) and the hidden store of fit parameters the CSV export reads.

Pages build panels with :func:`plot_panel` and update them through ``ids.graph_id(page, name)``
(``figure``) and ``ids.fit_params_id(page, name)`` (``data``: a list of records, one per fitted
group). The export callbacks are registered once for every panel by :func:`register_callbacks`.
"""

from __future__ import annotations

from dash import ALL, MATCH, Dash, Input, Output, State, dcc, html, no_update
from dash.exceptions import PreventUpdate

from app import ids
from app.components.export_data import (
    export_basename,
    figure_json,
    fits_csv,
    points_csv,
    spreadsheet_csv,
)
from app.components.export_sources import panel_points
from app.figures.base import empty_figure

EXPORT_LABELS = {
    "png": "PNG image",
    "svg": "SVG (vector, for papers)",
    "csv-points": "CSV of plotted points",
    "csv-fits": "CSV of fit parameters",
    "json": "Plotly figure JSON",
}

GRAPH_CONFIG = {
    "displaylogo": False,
    "responsive": True,
    "toImageButtonOptions": {"format": "svg", "filename": "scalescope-figure"},
    "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d"],
}

# Client-side PNG/SVG export with plotly's own downloadImage (vector SVG, 2x PNG).
DOWNLOAD_IMAGE_JS = """
function(nPng, nSvg) {
    const ctx = window.dash_clientside.callback_context;
    const trig = ctx.triggered_id;
    if (!trig || !(nPng || nSvg)) { return window.dash_clientside.no_update; }
    const graphId = {type: "__GRAPH__", panel: trig.panel};
    const domId = "{" + Object.keys(graphId).sort().map(
        k => JSON.stringify(k) + ":" + JSON.stringify(graphId[k])).join(",") + "}";
    const holder = document.getElementById(domId);
    const gd = holder && (holder.classList.contains("js-plotly-plot")
        ? holder : holder.querySelector(".js-plotly-plot"));
    if (!gd || !window.Plotly) { return "no graph"; }
    const stem = "scalescope-" + (trig.panel.split("#")[0].replace(/[^A-Za-z0-9]+/g, "-")
        .replace(/^-+|-+$/g, "") || "home");
    window.Plotly.downloadImage(gd, {
        format: trig.format, filename: stem,
        width: gd._fullLayout.width, height: gd._fullLayout.height,
        scale: trig.format === "png" ? 2 : 1,
    });
    return trig.format + " " + Date.now();
}
""".replace("__GRAPH__", ids.GRAPH)


def export_menu(page: str, name: str = "main", formats=tuple(EXPORT_LABELS)) -> html.Details:
    """The "Export" drop-down of a plot panel."""
    buttons = [
        html.Button(
            EXPORT_LABELS[fmt],
            id=ids.export_id(page, name, fmt),
            n_clicks=0,
            className="menu-item",
            type="button",
        )
        for fmt in formats
    ]
    return html.Details(
        [html.Summary("Export", className="button button-secondary"), html.Div(buttons)],
        className="export-menu",
    )


def plot_panel(
    *,
    page: str,
    name: str = "main",
    figure=None,
    fits: list[dict] | None = None,
    title: str | None = None,
    height: int | None = 520,
) -> html.Div:
    """A graph with its export menu; ``fits`` are the records the fit-parameter CSV exports
    (``height=None``: the figure's own layout height)."""
    toolbar = [html.H3(title, className="panel-title") if title else html.Span()]
    toolbar.append(export_menu(page, name))
    return html.Div(
        [
            html.Div(toolbar, className="panel-toolbar"),
            dcc.Graph(
                id=ids.graph_id(page, name),
                figure=figure if figure is not None else empty_figure(""),
                config=GRAPH_CONFIG,
                style={"height": f"{height}px"} if height else {},
                className="panel-graph",
            ),
            dcc.Store(id=ids.fit_params_id(page, name), data=fits or []),
            dcc.Download(id=ids.export_download_id(page, name)),
            html.Span(id=ids.export_sink_id(page, name), hidden=True),
        ],
        className="plot-panel",
    )


def _points_csv(panel: str, figure: dict | None, queries: list | None) -> str:
    """The panel's points from the data its page drew them from (the page's points for its
    URL state); a page without a registered source exports the figure's own traces."""
    query = next((q for q in queries or [] if isinstance(q, str)), None)
    points = panel_points(panel, query)
    return points_csv(figure) if points is None else spreadsheet_csv(points)


def _file_export(
    fmt: str, panel: str, figure: dict | None, fits: list[dict] | None, queries: list | None
) -> dict:
    stem = export_basename(panel)
    if fmt == "csv-points":
        content = _points_csv(panel, figure, queries)
        return {"content": content, "filename": f"{stem}-points.csv", "type": "text/csv"}
    if fmt == "csv-fits":
        return {"content": fits_csv(fits), "filename": f"{stem}-fits.csv", "type": "text/csv"}
    return {
        "content": figure_json(figure),
        "filename": f"{stem}-figure.json",
        "type": "application/json",
    }


def register_callbacks(app: Dash) -> None:
    """The export callbacks, for every plot panel on every page."""

    @app.callback(
        Output({"type": ids.EXPORT_DOWNLOAD, "panel": MATCH}, "data"),
        Input({"type": ids.EXPORT, "panel": MATCH, "format": "csv-points"}, "n_clicks"),
        Input({"type": ids.EXPORT, "panel": MATCH, "format": "csv-fits"}, "n_clicks"),
        Input({"type": ids.EXPORT, "panel": MATCH, "format": "json"}, "n_clicks"),
        State({"type": ids.GRAPH, "panel": MATCH}, "figure"),
        State({"type": ids.FIT_PARAMS, "panel": MATCH}, "data"),
        State({"type": ids.URL_STATE, "page": ALL}, "data"),
        prevent_initial_call=True,
    )
    def export_file(_points, _fits, _json, figure, fits, queries):
        from dash import ctx

        trigger = ctx.triggered_id
        if not trigger or not ctx.triggered[0].get("value"):
            raise PreventUpdate
        return _file_export(trigger["format"], trigger["panel"], figure, fits, queries) or no_update

    app.clientside_callback(
        DOWNLOAD_IMAGE_JS,
        Output({"type": ids.EXPORT_SINK, "panel": MATCH}, "children"),
        Input({"type": ids.EXPORT, "panel": MATCH, "format": "png"}, "n_clicks"),
        Input({"type": ids.EXPORT, "panel": MATCH, "format": "svg"}, "n_clicks"),
        prevent_initial_call=True,
    )
