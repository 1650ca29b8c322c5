"""A pinned shared view (``/pinned/<id>``, reached through ``/s/<id>``): the figures as they
were when the link was made, with a banner that offers the live view."""

from __future__ import annotations

from urllib.parse import unquote

import dash
from dash import dcc, html

from app import ids
from app.components.empty_state import empty_state
from app.components.plot_panel import plot_panel
from app.session import ui_session
from backend.exceptions import NotFoundError
from backend.services import shares

dash.register_page(__name__, path_template="/pinned/<share_id>", title="Shared view · ScaleScope")


def layout(share_id: str | None = None, **_query) -> html.Div:
    """The pinned figures of ``share_id``, or a note that the link is unknown or revoked."""
    share_id = unquote(share_id or "")
    try:
        with ui_session() as session:
            view = shares.resolve_share(session=session, share_id=share_id)
            snapshot, created_at, live = view.snapshot, view.created_at, shares.share_href(view)
            page_path = view.page
    except NotFoundError:
        return empty_state(
            "This link does not exist",
            "It may have been revoked, or the address is incomplete.",
            hint="Go back to the [start page](/).",
        )
    if snapshot is None:
        return dcc.Location(id=ids.PINNED_LIVE_REDIRECT, href=live, refresh=True)
    banner = html.Div(
        [
            html.Span(f"Pinned on {created_at:%Y-%m-%d %H:%M} UTC", className="pinned-date"),
            html.Span(" — this figure does not change when new results arrive. "),
            dcc.Link("Open live view", href=live, className="button button-small"),
        ],
        className="banner banner-pinned",
        id=ids.PINNED_BANNER,
    )
    panels = [
        plot_panel(
            page=f"/pinned/{share_id}",
            name=item["panel"].partition("#")[2] or "main",
            figure=item["figure"],
            fits=item.get("fits") or [],
        )
        for item in snapshot.get("panels", [])
    ]
    title = html.H1(f"Shared view of {page_path}")
    return html.Div([banner, title, *panels], className="pinned")
