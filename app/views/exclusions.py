"""Points excluded by hand: the ids a click adds or removes, and their dropdown options."""

from __future__ import annotations

from backend.fits.exclusions import point_id


def exclude_options(excluded: list[str] | None) -> list[dict]:
    """Dropdown options for the excluded point ids."""
    return [{"label": value, "value": value} for value in excluded or []]


def toggle_clicked(click: dict | None, excluded: list[str] | None) -> list[str]:
    """``excluded`` with the clicked point (``customdata`` = model, checkpoint) toggled."""
    chosen = list(excluded or [])
    points = (click or {}).get("points") or []
    data = points[0].get("customdata") if points else None
    if not data or len(data) < 2:
        return chosen
    clicked = point_id(str(data[0]), str(data[1]))
    return [v for v in chosen if v != clicked] if clicked in chosen else [*chosen, clicked]
