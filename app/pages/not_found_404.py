"""The page for an address that no page answers."""

from __future__ import annotations

import dash
from dash import dcc, html

dash.register_page(__name__, path="/404", title="Not found · ScaleScope")


def layout(**_query) -> html.Div:
    """Say so, and offer the way home."""
    return html.Div(
        [
            html.H1("Page not found"),
            html.P("No page lives at this address.", className="lead"),
            dcc.Link("Back to the start page", href="/", className="button"),
        ],
        className="not-found",
    )
