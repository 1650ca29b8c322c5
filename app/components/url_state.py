"""The store through which a page publishes its view state to the address bar.

A page puts :func:`url_state_store` in its layout and writes ``encode_state(state)`` to it from
its callback; the shell's client-side callback (:data:`SYNC_URL_JS`) replaces the query string
of the address bar with it (no reload, no new history entry, no re-render of the page).
"""

from __future__ import annotations

from dash import dcc

from app import ids
from app.state import PageState, encode_state

# Mirrors every page's URL-state store into the address bar (history.replaceState), when it
# changes and when a page renders (so the resolved defaults of a bare link join its URL).
SYNC_URL_JS = """
function(queries, _content) {
    const query = (queries || []).find(q => typeof q === "string");
    if (query === undefined) { return window.dash_clientside.no_update; }
    const path = window.location.pathname;
    const sync = () => {
        if (window.location.pathname !== path) { return; }  // navigated away meanwhile
        const next = window.location.pathname + query + window.location.hash;
        if (next !== window.location.pathname + window.location.search + window.location.hash) {
            window.history.replaceState(window.history.state, "", next);
        }
    };
    sync();
    setTimeout(sync, 100);  // after the page's first render, which rewrites the location
    return query;
}
"""


def url_state_store(page: str, state: PageState | None = None) -> dcc.Store:
    """The URL-state store of ``page`` (its path), holding the encoded initial ``state``."""
    return dcc.Store(id=ids.url_state_id(page), data=encode_state(state) if state else "")
