"""The friendly message a page shows when there is nothing to show yet."""

from __future__ import annotations

from dash import dcc, html

LOAD_DATA_HINT = (
    "Load the bundled demo data with `scalescope demo --no-serve`, drop a results file on the "
    "[Upload](/upload) page, or POST one to `/api/uploads`."
)


def empty_state(
    title: str = "No results yet",
    detail: str | None = None,
    *,
    hint: str = LOAD_DATA_HINT,
) -> html.Div:
    """A box that says what is missing and how to load data (Markdown in ``hint``)."""
    children = [html.H3(title, className="empty-title")]
    if detail:
        children.append(html.P(detail, className="empty-detail"))
    if hint:
        children.append(dcc.Markdown(hint, className="empty-hint", link_target="_self"))
    return html.Div(children, className="empty-state", role="status")
