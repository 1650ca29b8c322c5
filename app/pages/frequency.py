"""Frequency explorer: per-concept zero-shot accuracy against the concept's frequency in a
pretraining corpus (log x), the paper's log-binned means and a log-linear fit per model."""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, html

from app import ids
from app.components.empty_state import empty_state
from app.components.explorer import dropdown, explorer_layout, field, flags, number_input
from app.components.explorer_callbacks import (
    register_explorer,
    register_model_search,
)
from app.components.explorer_spec import ExplorerSpec
from app.views.choices import model_options
from app.views.common import (
    flags_of,
)
from app.views.frequency import (
    VIEWS,
    FrequencyState,
    build_frequency_view,
    counting_methods,
    read_frequency_choices,
)

PATH = "/frequency"
FLAG_LABELS = {
    "points": "show every concept",
    "pool": "pool every eval set (as the paper does)",
}
CONTROLS = {
    "view": (ids.FREQUENCY_VIEW, "value"),
    "eval_set": (ids.FREQUENCY_EVAL_SET, "value"),
    "corpus": (ids.FREQUENCY_CORPUS, "value"),
    "method": (ids.FREQUENCY_METHOD, "value"),
    "models": (ids.FREQUENCY_MODELS, "value"),
    "trim": (ids.FREQUENCY_TRIM, "value"),
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
            field("view", dropdown(ids.FREQUENCY_VIEW, view_options, state.view, clearable=False)),
            field(
                "eval set (per-concept scores)",
                dropdown(
                    ids.FREQUENCY_EVAL_SET,
                    options(choices.eval_sets),
                    state.eval_set,
                    clearable=False,
                ),
            ),
            field(
                "pretraining corpus",
                dropdown(
                    ids.FREQUENCY_CORPUS, options(choices.methods), state.corpus, clearable=False
                ),
            ),
            field(
                "counting method",
                dropdown(ids.FREQUENCY_METHOD, options(methods), state.method, clearable=False),
            ),
            field(
                "models (empty: those pretrained on the corpus)",
                dropdown(
                    ids.FREQUENCY_MODELS, models, state.models, multi=True, placeholder="auto"
                ),
                width="22rem",
            ),
            field(
                "bins left out of r at each end",
                number_input(ids.FREQUENCY_TRIM, state.trim, placeholder="published"),
            ),
            field("options", flags(ids.FREQUENCY_FLAGS, FLAG_LABELS, flags_of(state))),
        ],
        className="toolbar",
    )


EXPLORER = ExplorerSpec(
    module=__name__,
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
    state_cls=FrequencyState,
    build=build_frequency_view,
    controls=CONTROLS,
    flags=ids.FREQUENCY_FLAGS,
    notes=ids.FREQUENCY_NOTES,
    tables=(("Fits per model", ids.FREQUENCY_TABLE, "table"),),
)


def empty_page() -> html.Div:
    """What the page says before there is anything to plot."""
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


layout = explorer_layout(
    EXPLORER, read_choices=read_frequency_choices, controls=controls, empty=empty_page
)
register_explorer(EXPLORER)
register_model_search(module=__name__, models=ids.FREQUENCY_MODELS)


@callback(
    Output(ids.FREQUENCY_METHOD, "options"),
    Output(ids.FREQUENCY_METHOD, "value"),
    Input(ids.FREQUENCY_CORPUS, "value"),
    State(ids.FREQUENCY_METHOD, "value"),
    prevent_initial_call=True,
)
def update_methods(corpus, current):
    """The counting methods of the chosen corpus (keeping the current one if it has it)."""
    methods, chosen = counting_methods(corpus, current)
    return options(methods), chosen
