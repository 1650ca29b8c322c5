"""The "Share" button and dialog: creates a short permalink (``/s/<id>``) to the current view,
optionally pinning a snapshot of the plotted data, and copies it.

The view state comes from the page's URL-state store (``app.components.url_state``); pages
without one are shared by their path alone. A pinned snapshot holds the figures (and fit
parameters) of every plot panel on the page.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from dash import ALL, Dash, Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from app import ids
from app.access import requires_role
from app.session import ui_session
from app.state import parse_query
from backend.services import shares

TOGGLE_MODAL_JS = """
function(nOpen, nClose) {
    const trig = window.dash_clientside.callback_context.triggered_id;
    return trig === "__OPEN__" ? "modal modal-open" : "modal";
}
""".replace("__OPEN__", ids.SHARE_OPEN)

COPY_LINK_JS = """
function(n, link) {
    if (!n || !link) { return window.dash_clientside.no_update; }
    if (navigator.clipboard) { navigator.clipboard.writeText(link).catch(() => {}); }
    return "Copied";
}
"""


def share_button() -> html.Button:
    """The button in the top bar that opens the share dialog."""
    return html.Button("Share", id=ids.SHARE_OPEN, n_clicks=0, className="button", type="button")


def share_modal() -> html.Div:
    """The share dialog (hidden until the share button is pressed)."""
    body = html.Div(
        [
            html.H3("Share this view"),
            html.P(
                "Anyone with the link opens this page with the same axes, filters, grouping "
                "and fits.",
                className="muted",
            ),
            dcc.Checklist(
                id=ids.SHARE_PIN,
                options=[
                    {
                        "label": " Pin a snapshot of the plotted data (the link keeps showing "
                        "today's figure when new results arrive)",
                        "value": "pin",
                    }
                ],
                value=[],
                className="share-pin",
            ),
            html.Div(
                [
                    html.Button("Create link", id=ids.SHARE_CREATE, n_clicks=0, className="button"),
                    dcc.Input(
                        id=ids.SHARE_LINK,
                        value="",
                        readOnly=True,
                        placeholder="the link appears here",
                        className="share-link",
                    ),
                    html.Button(
                        "Copy",
                        id=ids.SHARE_COPY,
                        n_clicks=0,
                        className="button button-secondary",
                    ),
                ],
                className="share-row",
            ),
            html.P(id=ids.SHARE_MESSAGE, className="muted", role="status"),
            html.Button(
                "Close", id=ids.SHARE_CLOSE, n_clicks=0, className="button button-secondary"
            ),
        ],
        className="modal-body",
        role="dialog",
        **{"aria-modal": "true", "aria-label": "Share this view"},
    )
    return html.Div(body, id=ids.SHARE_MODAL, className="modal")


def _page_state(pathname: str, stores: list, store_ids: list) -> tuple[str, dict]:
    """The page path and its query parameters from the page's URL-state store."""
    for store_id, query in zip(store_ids, stores, strict=False):
        if isinstance(query, str):
            return store_id["page"], parse_query(query)
    return pathname or "/", {}


def _snapshot(figures: list, graph_ids: list, fits: list, fit_ids: list) -> dict:
    fits_by_panel = {fit_id["panel"]: data for fit_id, data in zip(fit_ids, fits, strict=False)}
    return {
        "panels": [
            {
                "panel": graph_id["panel"],
                "figure": figure,
                "fits": fits_by_panel.get(graph_id["panel"]) or [],
            }
            for graph_id, figure in zip(graph_ids, figures, strict=False)
            if figure
        ]
    }


def register_callbacks(app: Dash) -> None:
    """Open/close the dialog, create the link, copy it."""
    app.clientside_callback(
        TOGGLE_MODAL_JS,
        Output(ids.SHARE_MODAL, "className"),
        Input(ids.SHARE_OPEN, "n_clicks"),
        Input(ids.SHARE_CLOSE, "n_clicks"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        COPY_LINK_JS,
        Output(ids.SHARE_MESSAGE, "children", allow_duplicate=True),
        Input(ids.SHARE_COPY, "n_clicks"),
        State(ids.SHARE_LINK, "value"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output(ids.SHARE_LINK, "value"),
        Output(ids.SHARE_MESSAGE, "children"),
        Input(ids.SHARE_CREATE, "n_clicks"),
        State(ids.NAVIGATE, "href"),
        State({"type": ids.URL_STATE, "page": ALL}, "data"),
        State({"type": ids.GRAPH, "panel": ALL}, "figure"),
        State({"type": ids.FIT_PARAMS, "panel": ALL}, "data"),
        State(ids.SHARE_PIN, "value"),
        prevent_initial_call=True,
    )
    @requires_role("editor")
    def create_link(n_clicks, href, stores, figures, fits, pin):
        if not n_clicks:
            raise PreventUpdate
        store_ids = [item["id"] for item in ctx.states_list[1]]
        graph_ids = [item["id"] for item in ctx.states_list[2]]
        fit_ids = [item["id"] for item in ctx.states_list[3]]
        url = urlsplit(href or "")
        page, state = _page_state(url.path, stores, store_ids)
        snapshot = _snapshot(figures, graph_ids, fits, fit_ids) if pin else None
        with ui_session() as session:
            view = shares.create_share(session=session, page=page, state=state, snapshot=snapshot)
            share_id = view.id
        origin = f"{url.scheme}://{url.netloc}" if url.netloc else ""
        message = "Pinned snapshot: the link shows today's figure." if pin else "Live view."
        return f"{origin}/s/{share_id}", message or no_update
