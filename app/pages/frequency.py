"""Frequency explorer: per-concept zero-shot accuracy against the concept's frequency in a
pretraining corpus (log x), the paper's log-binned means and a log-linear fit per model."""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, html

from app import ids
from app.components.empty_state import empty_state
from app.components.explorer import dropdown, explorer_page, field, flags, number_input
from app.state import decode_state
from app.views.choices import model_options
from app.views.common import (
    build_in_session,
    explorer_outputs,
    flags_of,
    notes_text,
    state_from_controls,
)
from app.views.frequency import (
    VIEWS,
    FrequencyState,
    build_frequency_view,
    counting_methods,
    read_frequency_choices,
)

PATH = "/frequency"
VIEW = "frequency-view"
EVAL_SET = "frequency-eval-set"
CORPUS = "frequency-corpus"
METHOD = "frequency-method"
MODELS = "frequency-models"
TRIM = "frequency-trim"
FLAGS = "frequency-flags"
TABLE = "frequency-table"
NOTES = "frequency-notes"
FLAG_LABELS = {
    "points": "show every concept",
    "pool": "pool every eval set (as the paper does)",
}
CONTROLS = {
    "view": (VIEW, "value"),
    "eval_set": (EVAL_SET, "value"),
    "corpus": (CORPUS, "value"),
    "method": (METHOD, "value"),
    "models": (MODELS, "value"),
    "trim": (TRIM, "value"),
}

dash.register_page(
    __name__, path=PATH, title="Frequency · ScaleScope", nav_label="Frequency", order=30
)


def options(values) -> list[dict]:
    """Dropdown options from plain values."""
    return [{"label": str(value), "value": str(value)} for value in values]


def controls(state: FrequencyState, choices) -> html.Div:
    """The pickers and options of the page, set from ``state``."""
    methods = choices.methods.get(state.corpus, [])
    models = model_options(None, state.models)
    view_options = [{"label": label, "value": value} for value, label in VIEWS.items()]
    return html.Div(
        [
            field("view", dropdown(VIEW, view_options, state.view, clearable=False)),
            field(
                "eval set (per-concept scores)",
                dropdown(EVAL_SET, options(choices.eval_sets), state.eval_set, clearable=False),
            ),
            field(
                "pretraining corpus",
                dropdown(CORPUS, options(choices.methods), state.corpus, clearable=False),
            ),
            field(
                "counting method",
                dropdown(METHOD, options(methods), state.method, clearable=False),
            ),
            field(
                "models (empty: those pretrained on the corpus)",
                dropdown(MODELS, models, state.models, multi=True, placeholder="auto"),
                width="22rem",
            ),
            field(
                "bins left out of r at each end",
                number_input(TRIM, state.trim, placeholder="published"),
            ),
            field("options", flags(FLAGS, FLAG_LABELS, flags_of(state))),
        ],
        className="toolbar",
    )


def layout(**query) -> html.Div:
    """The page for the view state in the query string (defaults fill what it leaves out)."""
    choices, state = read_frequency_choices(decode_state(FrequencyState, query))
    if choices.is_empty:
        return html.Div(
            [
                html.H2("Frequency"),
                empty_state(
                    "No per-concept scores or concept counts yet",
                    "This page needs per-class accuracies of some models and concept counts "
                    "of a pretraining corpus.",
                ),
            ]
        )
    view = build_in_session(build_frequency_view, state)
    return explorer_page(
        path=PATH,
        title="Frequency vs accuracy",
        lead=(
            "Per-concept zero-shot accuracy against how often the concept occurs in the "
            "pretraining corpus. Lines: OLS of accuracy on log10(count) per model (slope in "
            "points per ×10 frequency, Wald band); diamonds: mean accuracy in 12 log-count "
            "bins, as Udandarao et al. (2024) plot them. The pair views plot scores on "
            "concept pairs ('dog + frisbee') against the geometric mean of the two "
            "concepts' counts (Wiedemer et al. 2025) or against the pair's PMI "
            "(Qu et al. 2025)."
        ),
        controls=controls(state, choices),
        view=view,
        state=state,
        notes_id=NOTES,
        notes_text=notes_text(view),
        tables=[
            ("Fits per model", TABLE, view.table),
        ],
    )


@callback(
    Output(ids.graph_id(PATH), "figure"),
    Output(ids.fit_params_id(PATH), "data"),
    Output(TABLE, "data"),
    Output(TABLE, "columns"),
    Output(NOTES, "children"),
    Output(ids.url_state_id(PATH), "data"),
    Output(ids.procedure_id(PATH), "children"),
    *[Input(component, prop) for component, prop in CONTROLS.values()],
    Input(FLAGS, "value"),
    prevent_initial_call=True,
)
def update(*values):
    """Controls -> state -> view (the pipeline in ``app.views.frequency``)."""
    controls_by_field = dict(zip(CONTROLS, values[:-1], strict=True))
    state = state_from_controls(FrequencyState, controls_by_field, values[-1])
    return explorer_outputs(build_in_session(build_frequency_view, state), state)


@callback(
    Output(METHOD, "options"),
    Output(METHOD, "value"),
    Input(CORPUS, "value"),
    State(METHOD, "value"),
    prevent_initial_call=True,
)
def update_methods(corpus, current):
    """The counting methods of the chosen corpus (keeping the current one if it has it)."""
    methods, chosen = counting_methods(corpus, current)
    return options(methods), chosen


@callback(
    Output(MODELS, "options"),
    Input(MODELS, "search_value"),
    State(MODELS, "value"),
    prevent_initial_call=True,
)
def search_models(search, selected):
    """Model names matching what is typed (the chosen ones stay)."""
    return model_options(search, selected)
