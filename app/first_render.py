"""The page's content inside the shell's first layout, so a first visit costs no routing
round trip.

Dash pages (``use_pages``) serve an empty page container and fill it from a callback that
``dcc.Location`` fires when it mounts: the browser loads the shell, renders it, sends the
router callback, waits for the page and renders again. Here the shell's layout request
(``/_dash-layout``, which a browser sends with the page's address as its ``Referer``) gets the
page for that address already in the container, with the location's ``pathname`` and
``search`` set to it, so the location does not fire the router when it mounts. Navigation
afterwards goes through Dash's router as before.

The page is rendered here only where the router would have served it to the same caller:
never to an anonymous caller of a private instance (a share-link holder is routed by the
callback, where the access gate checks the page), and not when the address is not known
(no ``Referer``, or another origin's). A render that fails falls back to the router. If the
browser's address is not the one rendered (a ``Referer`` cut to the origin by a browser's
privacy setting, or one that does not tell the truth), :data:`RESYNC_JS` hands the real one
to the router.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

import dash
from dash import dcc, html
from dash._pages import _parse_query_string, _path_to_page  # the router's own helpers

from app.access import _request, ui_principal

LOCATION, CONTENT, STORE, DUMMY = (
    "_pages_location",
    "_pages_content",
    "_pages_store",
    "_pages_dummy",
)
RESYNC_SINK = "first-render-resync"
LOGGER = logging.getLogger(__name__)

# The address the content was rendered for, against the browser's: when they differ, the
# location reads the browser's address again (the event it listens to after a push), which
# runs the router for it. (Not an output to the location: a callback chained into the
# router's inputs would hold Dash's title callback back until it ran, then run it empty.)
RESYNC_JS = """
function(store) {
    const here = window.location.pathname + window.location.search;
    if (store && store.rendered !== undefined && store.rendered !== here) {
        window.dispatchEvent(new CustomEvent("_dashprivate_pushstate"));
    }
    return window.dash_clientside.no_update;
}
"""


@dataclass(frozen=True)
class FirstRender:
    """What the shell's layout holds for this request: the props of its locations (the
    address they start at; none when the page is left to the router) and the page container.
    """

    location: dict
    container: html.Div


def first_render() -> FirstRender:
    """Dash's page container, holding the page of the request's ``Referer`` when it may, and
    the address every location of the shell starts at. (A location mounted without one sets
    it then, from the address bar, which a page may rewrite while the shell renders: it
    would later push that stale address back.)"""
    address = _page_address()
    page = _render(*address[:2]) if address else None
    if address is None or page is None:
        return FirstRender(location={}, container=_container())
    path, search, href = address
    content, title = page
    location = {"pathname": path, "search": search, "href": href, "hash": ""}
    container = _container(
        content=content, store={"title": title, "rendered": path + search}, location=location
    )
    return FirstRender(location=location, container=container)


def _container(*, content=None, store=None, location=None) -> html.Div:
    """The four parts Dash's router expects, under the ids it uses (a part left unset is
    left out, as in Dash's own container: a callback on it does not fire at start), and the
    sink of :data:`RESYNC_JS`."""
    filled = {"children": content} if content is not None else {}
    stored = {"data": store} if store is not None else {}
    return html.Div(
        [
            dcc.Location(id=LOCATION, refresh="callback-nav", **(location or {})),
            html.Div(id=CONTENT, disable_n_clicks=True, **filled),
            dcc.Store(id=STORE, **stored),
            html.Div(id=DUMMY, disable_n_clicks=True),
            html.Span(id=RESYNC_SINK, hidden=True),
        ]
    )


def _page_address() -> tuple[str, str, str] | None:
    """The ``(path, search, href)`` of the page the layout is requested for, when the request says
    it (a same-origin ``Referer`` with a path) and the caller may be served pages here."""
    request = _request()
    if request is None:
        return None
    referer = request.headers.get("referer")
    if not referer:
        return None
    parts, own = urlsplit(referer), urlsplit(request.url)
    if parts.netloc != own.netloc:
        return None  # another site's page
    state = dash.get_app().server.state
    if state.access == "private" and ui_principal().is_anonymous:
        return None  # a share-link holder: the router callback, behind the access gate
    return parts.path, f"?{parts.query}" if parts.query else "", referer


def _render(path: str, search: str):
    """The router's answer for ``path`` and ``search``: the page's content and title (None
    when it fails: the router then renders it, and reports the failure as it does)."""
    app = dash.get_app()
    page, variables = _path_to_page(app.strip_relative_path(path))
    if not page:
        return None  # the not-found page is the router's to render
    layout, title = page.get("layout", ""), page["title"]
    try:
        if callable(layout):
            layout = layout(**{**(variables or {}), **_parse_query_string(search)})
        if callable(title):
            title = title(**(variables or {}))
    except Exception:  # noqa: BLE001 - the router renders it again and reports the failure
        LOGGER.exception("first render of %s%s failed; the router will render it", path, search)
        return None
    return layout, title


def register_callbacks(app: dash.Dash) -> None:
    """Hand the browser's address to the router when it is not the one rendered."""
    app.clientside_callback(
        RESYNC_JS,
        dash.Output(RESYNC_SINK, "children"),
        dash.Input(STORE, "data"),
    )
