"""The coverage page's answer to "what is missing for the models I care about": per model of
the drawn grid, how many of the shown eval sets it lacks and which, with the way to fill them
(the Jobs page launches the runnable ones)."""

from __future__ import annotations

import pandas as pd
from dash import dcc, html

from app.natural import natural_key
from app.tables import model_href

MAX_MODELS = 50  # drawn at once: labels stay readable
MAX_EVAL_SETS = 30
MAX_ROWS = 25
MAX_NAMES = 6


def models_with_gaps(grid: pd.DataFrame, max_eval_sets: int = MAX_EVAL_SETS) -> pd.DataFrame:
    """The rows, on the ``max_eval_sets`` eval sets measured on most models, of the models
    measured on some but not all of them: the first view, when no model is searched for, shows where
    something is missing rather than models measured on everything (``grid`` itself when no
    model has such a gap)."""
    if grid.empty:
        return grid
    measured = grid["measured"].astype(bool)
    per_eval = grid[measured].groupby("eval_set").size().sort_values(ascending=False)
    top = grid[grid["eval_set"].isin(per_eval.index[:max_eval_sets])]
    counts = top.groupby("model")["measured"].agg(["sum", "size"])
    gaps = counts[(counts["sum"] > 0) & (counts["sum"] < counts["size"])].index
    return top[top["model"].isin(gaps)] if len(gaps) else grid


def missing_rows(grid: pd.DataFrame) -> list[dict]:
    """Per model with holes: ``{"model", "missing", "of", "names"}``, most missing first."""
    if grid.empty:
        return []
    rows = []
    for model, part in grid.groupby("model", sort=False):
        holes = sorted(part.loc[~part["measured"].astype(bool), "eval_set"], key=natural_key)
        if holes:
            rows.append({"model": model, "missing": len(holes), "of": len(part), "names": holes})
    return sorted(rows, key=lambda r: (-r["missing"], natural_key(r["model"])))


def _names(names: list[str]) -> str:
    """The first few names, and how many more."""
    more = len(names) - MAX_NAMES
    return ", ".join(names[:MAX_NAMES]) + (f", … (+{more})" if more > 0 else "")


def missing_view(grid: pd.DataFrame) -> html.Div:
    """A short table of what each drawn model lacks, and where to fill it."""
    rows = missing_rows(grid)
    if not rows:
        return html.Div(
            html.P("Every model shown is measured on every eval set shown.", className="muted"),
            className="coverage-missing",
        )
    body = [
        html.Tr(
            [
                html.Td(dcc.Link(row["model"], href=model_href(row["model"]))),
                html.Td(f"{row['missing']} of {row['of']}", className="numeric"),
                html.Td(_names(row["names"])),
            ]
        )
        for row in rows[:MAX_ROWS]
    ]
    head = html.Thead(html.Tr([html.Th("Model"), html.Th("Missing"), html.Th("Eval sets")]))
    more = len(rows) - MAX_ROWS
    return html.Div(
        [
            html.H2("What is missing"),
            html.P(
                [
                    "For the models shown (type in the model box to pick the ones you care "
                    "about). Evaluations that can run here are launched from the ",
                    dcc.Link("Jobs page", href="/jobs"),
                    " (Launch missing); results from elsewhere go on the ",
                    dcc.Link("Upload page", href="/upload"),
                    ".",
                ],
                className="muted",
            ),
            html.Table([head, html.Tbody(body)], className="data-table", id="coverage-missing"),
            html.P(f"… and {more} more models.", className="muted") if more > 0 else None,
        ],
        className="coverage-missing",
    )
