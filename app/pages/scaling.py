"""Scaling explorer: loss (or error) against compute, parameters, tokens or samples with
Chinchilla Approach 3 per group, the compute-optimal frontier and a "predict at C" readout;
learning curves (metric against step) per model."""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, html

from app import ids
from app.components.empty_state import empty_state
from app.components.explorer import (
    dropdown,
    explorer_page,
    field,
    field_group,
    flags,
    number_input,
    shown_if,
)
from app.state import decode_state
from app.views.choices import model_options
from app.views.common import (
    build_in_session,
    explorer_outputs,
    flags_of,
    notes_text,
    state_from_controls,
)
from app.views.exclusions import exclude_options, toggle_clicked
from app.views.scaling import (
    CURVE_AXES,
    LAWS,
    X_AXES,
    ScalingState,
    build_scaling_view,
    read_scaling_choices,
)

PATH = "/scaling"
MODE = "scaling-mode"
METRIC = "scaling-metric"
X = "scaling-x"
LAW = "scaling-law"
GROUP = "scaling-group"
DATA = "scaling-data"
FAMILY = "scaling-family"
PREDICT = "scaling-predict"
MODELS = "scaling-models"
CURVE_X = "scaling-curve-x"
DROP_HIGHEST = "scaling-drop-highest"
EXCLUDE = "scaling-exclude"
FLAGS = "scaling-flags"
TABLE = "scaling-table"
NOTES = "scaling-notes"
SCALING_FIELDS = "scaling-law-fields"
CURVE_FIELDS = "scaling-curve-fields"
FLAG_LABELS = {
    "fit": "fit per group",
    "error": "plot error (1 − value)",
    "final": "final checkpoints only",
    "full_grid": "full 4,500-start grid",
    "log_x": "log x (curves)",
}
CONTROLS = {
    "mode": (MODE, "value"),
    "metric": (METRIC, "value"),
    "x": (X, "value"),
    "law": (LAW, "value"),
    "group": (GROUP, "value"),
    "data": (DATA, "value"),
    "family": (FAMILY, "value"),
    "predict": (PREDICT, "value"),
    "models": (MODELS, "value"),
    "curve_x": (CURVE_X, "value"),
    "drop_highest": (DROP_HIGHEST, "value"),
    "exclude": (EXCLUDE, "value"),
}
MODE_OPTIONS = [
    {"label": "scaling law", "value": "scaling"},
    {"label": "learning curves", "value": "curves"},
]

dash.register_page(__name__, path=PATH, title="Scaling · ScaleScope", nav_label="Scaling", order=20)


def options_of(labels: dict[str, str]) -> list[dict]:
    """Dropdown options from ``{value: label}``."""
    return [{"label": label, "value": value} for value, label in labels.items()]


def controls(state: ScalingState, choices) -> html.Div:
    """The pickers, filters and options of the page, set from ``state``."""
    scaling_fields = [
        field("x axis", dropdown(X, options_of(X_AXES), state.x, clearable=False)),
        field("fit", dropdown(LAW, options_of(LAWS), state.law, clearable=False)),
        field("group by", dropdown(GROUP, choices.group_options(), state.group, clearable=False)),
        field(
            "predict at x (e.g. compute C)",
            number_input(PREDICT, state.predict, placeholder="e.g. 1e24"),
        ),
    ]
    curve_fields = [
        field(
            "models",
            dropdown(MODELS, model_options(None, state.models), state.models, multi=True),
            width="20rem",
        ),
        field(
            "curve x axis",
            dropdown(CURVE_X, options_of(CURVE_AXES), state.curve_x, clearable=False),
        ),
    ]
    return html.Div(
        [
            field("view", dropdown(MODE, MODE_OPTIONS, state.mode, clearable=False)),
            field(
                "metric", dropdown(METRIC, choices.metric_options(), state.metric, clearable=False)
            ),
            field_group(SCALING_FIELDS, scaling_fields, visible=state.mode == "scaling"),
            field_group(CURVE_FIELDS, curve_fields, visible=state.mode == "curves"),
            field(
                "pretraining data",
                dropdown(DATA, choices.value_options("pretraining_data"), state.data, multi=True),
            ),
            field(
                "family",
                dropdown(FAMILY, choices.value_options("family"), state.family, multi=True),
            ),
            field(
                "drop the k highest-loss points",
                number_input(DROP_HIGHEST, state.drop_highest, placeholder="published"),
            ),
            field(
                "excluded points (click a point to add)",
                dropdown(EXCLUDE, exclude_options(state.exclude), state.exclude, multi=True),
                width="20rem",
            ),
            field("options", flags(FLAGS, FLAG_LABELS, flags_of(state))),
        ],
        className="toolbar",
    )


def layout(**query) -> html.Div:
    """The page for the view state in the query string (defaults fill what it leaves out)."""
    choices, state = read_scaling_choices(decode_state(ScalingState, query))
    if choices.is_empty:
        return html.Div([html.H2("Scaling"), empty_state("No measurements yet")])
    view = build_in_session(build_scaling_view, state)
    return explorer_page(
        path=PATH,
        title="Scaling",
        lead=(
            "Loss against compute with Chinchilla Approach 3, L(N, D) = E + A/N^α + B/D^β, "
            "fitted per group by Huber loss on log L (Hoffmann et al. 2022); the dashed "
            "line is the loss at the compute-optimal allocation, intervals are bootstrap "
            "percentiles over runs."
        ),
        controls=controls(state, choices),
        view=view,
        state=state,
        notes_id=NOTES,
        notes_text=notes_text(view),
        tables=[
            ("Fitted parameters and predictions", TABLE, view.table),
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
    """Controls -> state -> view (the pipeline in ``app.views.scaling``)."""
    controls_by_field = dict(zip(CONTROLS, values[:-1], strict=True))
    state = state_from_controls(ScalingState, controls_by_field, values[-1])
    return explorer_outputs(build_in_session(build_scaling_view, state), state)


@callback(
    Output(EXCLUDE, "value"),
    Output(EXCLUDE, "options"),
    Input(ids.graph_id(PATH), "clickData"),
    State(EXCLUDE, "value"),
    prevent_initial_call=True,
)
def exclude_clicked(click, excluded):
    """A clicked point joins the excluded ones (clicking it again brings it back)."""
    chosen = toggle_clicked(click, excluded)
    return chosen, exclude_options(chosen)


@callback(
    Output(SCALING_FIELDS, "style"),
    Output(CURVE_FIELDS, "style"),
    Input(MODE, "value"),
    prevent_initial_call=True,
)
def show_mode_fields(mode):
    """Show the scaling-law fields or the learning-curve fields."""
    return shown_if(mode != "curves"), shown_if(mode == "curves")


@callback(
    Output(MODELS, "options"),
    Input(MODELS, "search_value"),
    State(MODELS, "value"),
    prevent_initial_call=True,
)
def search_models(search, selected):
    """Model names matching what is typed (the chosen ones stay)."""
    return model_options(search, selected)
