"""The shell around every page: top bar with the navigation and the share button, the page
container, the share dialog and the footer; plus the shell's client-side callbacks (active
navigation link, URL-state sync, click a point to open its model page).

A page appears in the navigation when it registers a ``nav_label``
(``dash.register_page(__name__, path="/scaling", nav_label="Scaling", order=20)``), ordered by
``order``.
"""

from __future__ import annotations

import dash
from dash import ALL, Dash, Input, Output, dcc, html

from app import ids
from app.access import can, ui_principal
from app.components.share import share_button, share_modal
from app.components.url_state import SYNC_URL_JS
from app.first_render import first_render
from backend.services import auth

NAV_LINK = "nav-link"

ACTIVE_NAV_JS = """
function(pathname, linkIds) {
    return linkIds.map(function(linkId) {
        const path = linkId.path;
        const active = path === "/" ? pathname === "/" :
            (pathname === path || (pathname || "").startsWith(path + "/"));
        return active ? "nav-link nav-link-active" : "nav-link";
    });
}
"""

# A click on a measured point (customdata = [model, checkpoint, ...]) opens its model page.
OPEN_MODEL_JS = """
function(clicks) {
    const trig = window.dash_clientside.callback_context.triggered;
    if (!trig || !trig.length || !trig[0].value) { return window.dash_clientside.no_update; }
    const point = (trig[0].value.points || [])[0];
    const custom = point && point.customdata;
    const model = Array.isArray(custom) ? custom[0] : null;
    if (!model) { return window.dash_clientside.no_update; }
    return "/model/" + String(model).split("/").map(encodeURIComponent).join("/");
}
"""


def nav_pages() -> list[dict]:
    """Registered pages that asked to be in the navigation, in their order."""
    pages = [page for page in dash.page_registry.values() if page.get("nav_label")]
    return sorted(pages, key=lambda page: (page.get("order") or 0, page["path"]))


def navbar() -> html.Header:
    """The top bar: brand, one link per navigable page, the share button, the user."""
    links = [
        dcc.Link(
            page["nav_label"],
            href=page["path"],
            id={"type": NAV_LINK, "path": page["path"]},
            className="nav-link",
        )
        for page in nav_pages()
    ]
    return html.Header(
        [
            dcc.Link(
                [html.Span("◆", className="brand-mark"), "ScaleScope"], href="/", className="brand"
            ),
            html.Nav(links, className="nav-links", id=ids.NAVBAR),
            html.Div(
                [html.Div(share_button(), hidden=not can("editor")), user_menu()],
                className="nav-actions",
            ),
        ],
        className="topbar",
    )


def user_menu() -> html.Div:
    """Who is logged in and a log-out button, or a log-in link (none on a local instance)."""
    principal = ui_principal()
    if principal == auth.LOCAL_OWNER:
        return html.Div(id=ids.USER_MENU, className="user-menu")
    if principal.is_anonymous:
        return html.Div(
            html.A("Log in", href="/login", className="button button-secondary"),
            id=ids.USER_MENU,
            className="user-menu",
        )
    return html.Div(
        [
            html.Span(
                [html.Strong(principal.username), f" ({principal.role})"], className="user-name"
            ),
            html.Form(
                html.Button("Log out", type="submit", className="button button-secondary"),
                action="/logout",
                method="post",
                className="logout-form",
            ),
        ],
        id=ids.USER_MENU,
        className="user-menu",
    )


def footer() -> html.Footer:
    """Where the data comes from and where the API lives."""
    return html.Footer(
        [
            html.Span("ScaleScope — scaling and generalization results, fits and plots."),
            html.A("REST API docs", href="/docs", className="footer-link"),
            html.A("OpenAPI", href="/api/openapi.json", className="footer-link"),
        ],
        className="footer",
    )


def build_layout() -> html.Div:
    """The whole shell (called per page load, so the navigation sees every registered page),
    with the page already in it where :mod:`app.first_render` may put it there."""
    first = first_render()
    return html.Div(
        [
            dcc.Location(id=ids.NAVIGATE, refresh="callback-nav", **first.location),
            navbar(),
            html.Div(
                id=ids.ACCESS_NOTICE, hidden=True, className="banner access-notice", role="alert"
            ),
            html.Main(first.container, className="page", id=ids.PAGE),
            share_modal(),
            footer(),
            html.Span(id=ids.URL_SYNC_SINK, hidden=True),
        ],
        className="shell",
    )


def register_callbacks(app: Dash) -> None:
    """The shell's client-side callbacks."""
    app.clientside_callback(
        ACTIVE_NAV_JS,
        Output({"type": NAV_LINK, "path": ALL}, "className"),
        Input(ids.NAVIGATE, "pathname"),
        dash.State({"type": NAV_LINK, "path": ALL}, "id"),
    )
    app.clientside_callback(
        SYNC_URL_JS,
        Output(ids.URL_SYNC_SINK, "children"),
        Input({"type": ids.URL_STATE, "page": ALL}, "data"),
        # also when a page renders: its resolved state (defaults filled in) joins the URL
        Input("_pages_content", "children"),
        prevent_initial_call=False,
    )
    app.clientside_callback(
        OPEN_MODEL_JS,
        Output(ids.NAVIGATE, "pathname"),
        Input({"type": ids.GRAPH, "panel": ALL}, "clickData"),
        prevent_initial_call=True,
    )
