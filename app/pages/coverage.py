"""Coverage: which model has been measured on which eval set (model × eval set grid)."""

from __future__ import annotations

from typing import Literal

import dash
from dash import Input, Output, callback, dcc, html

from app import ids
from app.components.empty_state import empty_state
from app.components.plot_panel import plot_panel
from app.components.url_state import url_state_store
from app.figures.coverage import make_coverage_figure
from app.session import ui_session
from app.state import PageState, decode_state, encode_state
from app.views.coverage import (
    MAX_EVAL_SETS,
    MAX_MODELS,
    limit_grid,
    missing_view,
    models_with_gaps,
)
from backend.queries import catalog
from backend.queries.coverage import Coverage, read_coverage

PATH = "/coverage"
dash.register_page(
    __name__, path=PATH, title="Coverage · ScaleScope", nav_label="Coverage", order=55
)

KINDS = {"all": "all eval sets", "benchmark": "benchmarks", "validation": "validation corpora"}


class CoverageState(PageState):
    """Which eval sets and which models the grid shows."""

    kind: Literal["all", "benchmark", "validation"] = "all"
    q: str = ""
    eval_q: str = ""


def read_grid(state: CoverageState) -> Coverage:
    """The measured pairs for ``state`` (models whose name contains ``q``), before limiting."""
    kind = None if state.kind == "all" else state.kind
    with ui_session() as session:
        if not state.q:
            return read_coverage(session, kind=kind)
        names = [m.name for m in catalog.list_models(session, search=state.q)]
        return read_coverage(session, models=names, kind=kind) if names else Coverage.empty()


def summary_text(grid: Coverage, note: str = "") -> str:
    """``12 of 40 model × eval set pairs measured`` and what was left out of the drawing."""
    measured = len(grid.cells)
    return f"{measured:,} of {grid.n_pairs:,} model × eval set pairs measured. {note}".strip()


def limited(grid: Coverage, state: CoverageState) -> tuple[Coverage, str]:
    """The part of ``grid`` drawn (readable at once) and the note on what was left out; with
    no model searched for, the models with something missing come first."""
    focus = grid if state.q else models_with_gaps(grid)
    shown, note = limit_grid(
        focus, eval_q=state.eval_q, max_models=MAX_MODELS, max_eval_sets=MAX_EVAL_SETS
    )
    if focus.n_pairs < grid.n_pairs:
        note = (
            f"Showing {len(shown.models)} of the {len(focus.models)} models with something "
            f"missing on the {len(focus.eval_sets)} eval sets measured on most models; type in "
            "the model box for others."
        )
    return shown, note


def grid_view(state: CoverageState):
    """The figure, the summary line and what is missing, for ``state``."""
    grid = read_grid(state)
    shown, note = limited(grid, state)
    return make_coverage_figure(shown.dense()), summary_text(grid, note), missing_view(shown)


def layout(**query) -> html.Div:
    """Kind filter, model search, the grid."""
    state = decode_state(CoverageState, query)
    grid = read_grid(state)
    if grid.cells.empty and not state.q and state.kind == "all":
        return html.Div(
            [
                html.H1("Coverage"),
                empty_state(
                    "Nothing measured yet",
                    "This page shows which model is measured on which benchmark, and what "
                    "is missing.",
                ),
            ]
        )
    shown, note = limited(grid, state)
    return html.Div(
        [
            html.H1("Coverage"),
            html.P(
                "Blue cells are measured, grey ones are missing. Type the models you care about "
                "in the model box; the table below the grid lists what each one lacks. Click a "
                "cell to open the model.",
                className="muted",
            ),
            html.Div(
                [
                    html.Div(
                        [
                            html.Label("Eval sets"),
                            dcc.RadioItems(
                                id=ids.COVERAGE_KIND,
                                options=[{"label": v, "value": k} for k, v in KINDS.items()],
                                value=state.kind,
                                inline=True,
                            ),
                        ],
                        className="field",
                    ),
                    html.Div(
                        [
                            html.Label("Models whose name contains"),
                            dcc.Input(
                                id=ids.COVERAGE_SEARCH,
                                type="search",
                                value=state.q,
                                debounce=0.3,
                                className="text-input",
                            ),
                        ],
                        className="field",
                    ),
                    html.Div(
                        [
                            html.Label("Eval sets whose name contains"),
                            dcc.Input(
                                id=ids.COVERAGE_EVAL_SEARCH,
                                type="search",
                                value=state.eval_q,
                                debounce=0.3,
                                className="text-input",
                            ),
                        ],
                        className="field",
                    ),
                ],
                className="toolbar",
            ),
            html.P(summary_text(grid, note), id=ids.COVERAGE_SUMMARY, className="muted"),
            plot_panel(page=PATH, figure=make_coverage_figure(shown.dense()), height=None),
            html.Div(missing_view(shown), id=ids.COVERAGE_MISSING),
            url_state_store(PATH, state),
        ]
    )


@callback(
    Output(ids.graph_id(PATH), "figure"),
    Output(ids.COVERAGE_SUMMARY, "children"),
    Output(ids.COVERAGE_MISSING, "children"),
    Output(ids.url_state_id(PATH), "data"),
    Input(ids.COVERAGE_KIND, "value"),
    Input(ids.COVERAGE_SEARCH, "value"),
    Input(ids.COVERAGE_EVAL_SEARCH, "value"),
    prevent_initial_call=True,
)
def update_grid(kind, search, eval_search):
    """Redraw the grid for the chosen eval sets and models; the choice goes into the URL."""
    query = {"kind": kind or "all", "q": search or "", "eval_q": eval_search or ""}
    state = decode_state(CoverageState, query)
    figure, summary, missing = grid_view(state)
    return figure, summary, missing, encode_state(state)
