"""A DataTable with the dashboard's look: sortable, filterable per column, paged."""

from __future__ import annotations

from dash import dash_table

# The page's font stack (frontend_assets/00_base.css); "inherit" would give the table's monospace.
FONT = 'Inter, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif'


def data_table(table_id, *, rows: list[dict], columns: list[dict], page_size: int = 25, **kwargs):
    """A sortable, filterable, paged table (markdown columns render links in the same tab)."""
    return dash_table.DataTable(
        id=table_id,
        data=rows,
        columns=columns,
        sort_action="native",
        filter_action="native",
        page_action="native",
        page_size=page_size,
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
