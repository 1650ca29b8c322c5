"""The friendly message a page shows when there is nothing to show yet: what is missing, in
the user's words, and a button (or a command) that does the next step."""

from __future__ import annotations

from dash import dcc, html

from app.components.rich_text import rich_text

LOAD_DATA_HINT = (
    "Add your results on the Upload page (lm-eval-harness JSON, CLIP_benchmark, CSV, ...), "
    "or try ScaleScope on published results first: run `scalescope demo`."
)
UPLOAD_ACTION = ("Upload results", "/upload")


def empty_state(
    title: str = "No results yet",
    detail: str | None = None,
    *,
    hint: str = LOAD_DATA_HINT,
    action: tuple[str, str] | None = UPLOAD_ACTION,
) -> html.Div:
    """A box that says what is missing and what to do next (``detail`` and ``hint`` in the
    Markdown subset of :mod:`app.components.rich_text`), with an
    ``action`` button ``(label, href)`` that goes where it is done (None: no button)."""
    children = [html.H3(title, className="empty-title")]
    if detail:
        children.append(rich_text(detail, className="empty-detail"))
    if hint:
        children.append(rich_text(hint, className="empty-hint"))
    if action:
        label, href = action
        children.append(dcc.Link(label, href=href, className="button empty-action"))
    return html.Div(children, className="empty-state", role="status")
