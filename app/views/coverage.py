"""The coverage page's answer to "what is missing for the models I care about": which part of
the grid to draw (the models with something missing first, then the most measured), per model
of it how many of the shown eval sets it lacks and which, with the way to fill them (the Jobs
page launches the runnable ones). Everything works on the measured pairs
(:class:`~backend.queries.coverage.Coverage`); only the drawn part is filled in."""

from __future__ import annotations

import pandas as pd
from dash import dcc, html

from app.natural import natural_key
from app.tables import model_href
from backend.queries.coverage import Coverage

MAX_MODELS = 50  # drawn at once: labels stay readable
MAX_EVAL_SETS = 30
MAX_ROWS = 25
MAX_NAMES = 6


def _most_measured(names: list[str], counts: pd.Series, limit: int) -> list[str]:
    """The ``limit`` names with most measured pairs (``counts``; none counts 0), ties by name."""
    ranked = sorted(names, key=lambda name: (-int(counts.get(name, 0)), name))
    return ranked[:limit]


def models_with_gaps(grid: Coverage, max_eval_sets: int = MAX_EVAL_SETS) -> Coverage:
    """The part, on the ``max_eval_sets`` eval sets measured on most models, of the models
    measured on some but not all of them: the first view, when no model is searched for, shows
    where something is missing rather than models measured on everything (``grid`` itself
    when no model has such a gap)."""
    cells = grid.cells
    if cells.empty:
        return grid
    per_eval = cells.groupby("eval_set").size()  # eval sets measured at least once
    top = _most_measured(list(per_eval.index), per_eval, max_eval_sets)
    per_model = cells[cells["eval_set"].isin(top)].groupby("model").size()
    gaps = per_model[per_model < len(top)].index
    return grid.restrict(models=gaps, eval_sets=top) if len(gaps) else grid


def limit_grid(
    grid: Coverage, *, eval_q: str = "", max_models: int = 150, max_eval_sets: int = 40
) -> tuple[Coverage, str]:
    """The part of a coverage grid worth drawing, and a note on what was left out: eval sets
    whose name contains ``eval_q``, the ``max_eval_sets`` measured on most models, then the
    ``max_models`` measured on most of those (ties by name)."""
    eval_sets = grid.eval_sets
    if eval_q:
        needle = eval_q.casefold()
        eval_sets = [name for name in eval_sets if needle in name.casefold()]
    if not grid.models or not eval_sets:
        return grid.restrict(models=[], eval_sets=[]), ""
    cells = grid.cells[grid.cells["eval_set"].isin(eval_sets)]
    shown_sets = _most_measured(eval_sets, cells.groupby("eval_set").size(), max_eval_sets)
    cells = cells[cells["eval_set"].isin(shown_sets)]
    models = _most_measured(grid.models, cells.groupby("model").size(), max_models)
    shown = grid.restrict(models=models, eval_sets=shown_sets)
    n_models, n_eval = len(grid.models), len(eval_sets)
    if n_models <= max_models and n_eval <= max_eval_sets:
        return shown, ""
    note = (
        f"Showing the {min(n_eval, max_eval_sets)} of {n_eval} eval sets measured on most "
        f"models and the {min(n_models, max_models)} of {n_models} models measured on most of "
        "them; narrow down with the search boxes."
    )
    return shown, note


def missing_rows(grid: Coverage) -> list[dict]:
    """Per model with holes: ``{"model", "missing", "of", "names"}``, most missing first."""
    measured = set(zip(grid.cells["model"], grid.cells["eval_set"], strict=True))
    eval_sets = sorted(grid.eval_sets, key=natural_key)
    rows = []
    for model in grid.models:
        holes = [name for name in eval_sets if (model, name) not in measured]
        if holes:
            rows.append(
                {"model": model, "missing": len(holes), "of": len(eval_sets), "names": holes}
            )
    return sorted(rows, key=lambda r: (-r["missing"], natural_key(r["model"])))


def _names(names: list[str]) -> str:
    """The first few names, and how many more."""
    more = len(names) - MAX_NAMES
    return ", ".join(names[:MAX_NAMES]) + (f", … (+{more})" if more > 0 else "")


def missing_view(grid: Coverage) -> html.Div:
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
