"""Where a plot panel's exported points come from: the data its figure was made from.

A page registers a source for its main panel (the explorers do, through
``app.components.explorer_callbacks``): ``source(query) -> DataFrame``, the page's points for
its URL-state query. The CSV of plotted points is that frame, so its numbers are the ones the
figure was drawn from (fits are cached, so rebuilding the view does not refit)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

PointSource = Callable[[str], pd.DataFrame]
_SOURCES: dict[str, PointSource] = {}


def register_point_source(page: str, source: PointSource) -> None:
    """Export the main panel of ``page`` (its path) from ``source(query)``."""
    _SOURCES[page] = source


def panel_points(panel: str, query: str | None) -> pd.DataFrame | None:
    """The points of plot panel ``panel`` (``page#name``) for the page's URL-state ``query``;
    None when its page registered no source."""
    page, _, name = panel.partition("#")
    source = _SOURCES.get(page) if name == "main" else None
    return None if source is None else source(query or "")
