"""The "as published / custom" box of an explorer: which published procedure the view
follows (with its citation), where it departs from it, and the points left out of the fits."""

from __future__ import annotations

from dash import html

from app import ids
from backend.fits.result import PageFits

#: At most this many excluded points are listed by name (the API lists them all).
LISTED_EXCLUSIONS = 12


def procedure_children(fits: PageFits | None) -> list:
    """The box's content for ``fits`` (empty when the view has no fits)."""
    if fits is None:
        return []
    parts: list = []
    procedure = fits.procedure
    if procedure is None:
        parts.append(
            html.Span("no published procedure for this data", className="procedure-status")
        )
    else:
        parts += [
            html.Span(
                procedure.status,
                className=f"procedure-status procedure-{procedure.status.replace(' ', '-')}",
                **{"data-status": procedure.status},
            ),
            html.Span(f" {procedure.name}. ", className="procedure-name"),
            html.Span(procedure.citation, className="procedure-citation muted"),
        ]
        if procedure.differences:
            parts.append(html.Div("changed: " + "; ".join(procedure.differences)))
    excluded = fits.excluded
    if not excluded.empty:
        items = [
            html.Li(f"{row.model} ({row.checkpoint}): {row.reason}")
            for row in excluded.head(LISTED_EXCLUSIONS).itertuples()
        ]
        if len(excluded) > LISTED_EXCLUSIONS:
            items.append(html.Li(f"… and {len(excluded) - LISTED_EXCLUSIONS} more"))
        parts += [html.Div(f"{len(excluded)} points excluded from the fits:"), html.Ul(items)]
    return parts


def procedure_box(page: str, fits: PageFits | None) -> html.Div:
    """The box (its content updated by the page's callback)."""
    return html.Div(procedure_children(fits), id=ids.procedure_id(page), className="procedure")
