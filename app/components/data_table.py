"""A DataTable with the dashboard's look: sortable, filterable per column, paged (in the
browser, or by the server for long listings)."""

from __future__ import annotations

import math

from dash import dash_table

# The page's font stack (frontend_assets/00_base.css); "inherit" would give the table's monospace.
FONT = 'Inter, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif'


def data_table(
    table_id,
    *,
    rows: list[dict],
    columns: list[dict],
    page_size: int = 25,
    total: int | None = None,
    sortable: bool = True,
    **kwargs,
):
    """A sortable, filterable, paged table (markdown columns render links in the same tab).
    With ``total`` (the number of rows in all) the server pages and sorts it: ``rows`` is the
    first page, a callback on ``page_current``/``sort_by`` sends the others."""
    actions: dict[str, object]
    if total is None:
        actions = {"sort_action": "native", "filter_action": "native", "page_action": "native"}
    else:
        actions = {
            "sort_action": "custom" if sortable else "none",
            "sort_mode": "single",
            "sort_by": [],
            "filter_action": "none",
            "page_action": "custom",
            "page_current": 0,
            "page_count": page_count(total, page_size),
        }
    return dash_table.DataTable(
        id=table_id,
        data=rows,
        columns=columns,
        page_size=page_size,
        **actions,
        markdown_options={"link_target": "_self"},
        style_table={"overflowX": "auto"},
        style_cell={
            "fontFamily": FONT,
            "fontSize": "0.9rem",
            "padding": "4px 8px",
            "textAlign": "left",
            "maxWidth": "340px",
            "overflow": "hidden",
            "textOverflow": "ellipsis",
        },
        style_header={"backgroundColor": "#f1f4f8", "fontWeight": "600"},
        css=[{"selector": ".dash-cell-value p", "rule": "margin: 0;"}],
        **kwargs,
    )


def page_count(total: int, page_size: int) -> int:
    """How many pages ``total`` rows fill (at least one)."""
    return max(1, math.ceil(total / page_size))
