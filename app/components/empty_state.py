"""The friendly message a page shows when there is nothing to show yet: what is missing, in
the user's words, and a button (or a command) that does the next step."""

from __future__ import annotations

from dash import dcc, html

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
    """A box that says what is missing and what to do next (Markdown in ``hint``), with an
    ``action`` button ``(label, href)`` that goes where it is done (None: no button)."""
    children = [html.H3(title, className="empty-title")]
    if detail:
        children.append(dcc.Markdown(detail, className="empty-detail", link_target="_self"))
    if hint:
        children.append(dcc.Markdown(hint, className="empty-hint", link_target="_self"))
    if action:
        label, href = action
        children.append(dcc.Link(label, href=href, className="button empty-action"))
    return html.Div(children, className="empty-state", role="status")
