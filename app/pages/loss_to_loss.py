"""Loss-to-loss explorer: one loss against another per checkpoint, a shifted power law per
group (Brandfonbrener et al. 2024), with the fitted parameters and an extrapolation."""

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
from app.views.common import (
    build_in_session,
    explorer_outputs,
    flags_of,
    notes_text,
    state_from_controls,
)
from app.views.exclusions import exclude_options, toggle_clicked
from app.views.loss_to_loss import (
    LossToLossState,
    build_loss_to_loss_view,
    read_loss_to_loss_choices,
)

PATH = "/loss-to-loss"
X = "l2l-x"
Y = "l2l-y"
PAIRING = "l2l-pairing"
X_DATA = "l2l-x-data"
Y_DATA = "l2l-y-data"
GROUP = "l2l-group"
DATA = "l2l-data"
FAMILY = "l2l-family"
EXTRAPOLATE = "l2l-extrapolate"
PROCEDURE = "l2l-procedure"
IRREDUCIBLE = "l2l-irreducible"
EXCLUDE = "l2l-exclude"
FLAGS = "l2l-flags"
TABLE = "l2l-table"
NOTES = "l2l-notes"
PAIRING_FIELDS = "l2l-pairing-fields"
GROUP_FIELDS = "l2l-group-fields"
FLAG_LABELS = {"fit": "fit lines", "log": "log axes", "final": "final checkpoints only"}
CONTROLS = {
    "x": (X, "value"),
    "y": (Y, "value"),
    "pairing": (PAIRING, "value"),
    "x_data": (X_DATA, "value"),
    "y_data": (Y_DATA, "value"),
    "group": (GROUP, "value"),
    "data": (DATA, "value"),
    "family": (FAMILY, "value"),
    "extrapolate": (EXTRAPOLATE, "value"),
    "procedure": (PROCEDURE, "value"),
    "irreducible": (IRREDUCIBLE, "value"),
    "exclude": (EXCLUDE, "value"),
}
PROCEDURE_OPTIONS = [
    {"label": "log-log OLS (Brandfonbrener et al.)", "value": "loglog"},
    {"label": "least squares, linear space", "value": "least_squares"},
]
IRREDUCIBLE_OPTIONS = [
    {
        "label": "from scaling-law fits on all runs of each dataset (published)",
        "value": "scaling-law",
    },
    {"label": "E_x = E_y = 0 (plain power law)", "value": "zero"},
]

dash.register_page(
    __name__, path=PATH, title="Loss-to-loss · ScaleScope", nav_label="Loss-to-loss", order=10
)


def controls(state: LossToLossState, choices) -> html.Div:
    """The pickers, filters and options of the page, set from ``state``."""
    data_options = choices.value_options("pretraining_data")
    pairing_options = [
        {"label": "same model", "value": "same-model"},
        {"label": "train-to-train (matched N, D)", "value": "train-to-train"},
    ]
    return html.Div(
        [
            field("x loss", dropdown(X, choices.metric_options(), state.x, clearable=False)),
            field("y loss", dropdown(Y, choices.metric_options(), state.y, clearable=False)),
            field("pairing", dropdown(PAIRING, pairing_options, state.pairing, clearable=False)),
            field_group(
                PAIRING_FIELDS,
                [
                    field("x-side data", dropdown(X_DATA, data_options, state.x_data)),
                    field(
                        "y-side data (empty: all others)",
                        dropdown(Y_DATA, data_options, state.y_data),
                    ),
                ],
                visible=state.pairing == "train-to-train",
            ),
            field_group(
                GROUP_FIELDS,
                [
                    field(
                        "group by",
                        dropdown(GROUP, choices.group_options(), state.group, clearable=False),
                    )
                ],
                visible=state.pairing != "train-to-train",
            ),
            field("pretraining data", dropdown(DATA, data_options, state.data, multi=True)),
            field(
                "family",
                dropdown(FAMILY, choices.value_options("family"), state.family, multi=True),
            ),
            field(
                "fit procedure",
                dropdown(PROCEDURE, PROCEDURE_OPTIONS, state.procedure, clearable=False),
            ),
            field(
                "irreducible losses",
                dropdown(IRREDUCIBLE, IRREDUCIBLE_OPTIONS, state.irreducible, clearable=False),
            ),
            field("extrapolate to x", number_input(EXTRAPOLATE, state.extrapolate)),
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
    choices, state = read_loss_to_loss_choices(decode_state(LossToLossState, query))
    if choices.is_empty:
        return html.Div([html.H2("Loss-to-loss"), empty_state("No measurements yet")])
    view = build_in_session(build_loss_to_loss_view, state)
    return explorer_page(
        path=PATH,
        title="Loss-to-loss",
        lead=(
            "One loss against another for the same checkpoints (or for runs matched on "
            "parameters and tokens), with a shifted power law L_y = K·(L_x − E_x)^κ + E_y "
            "fitted per group: by OLS in log-log space (Brandfonbrener et al. 2024) or by "
            "least squares in linear space; E_x, E_y come from Kaplan-style "
            "scaling-law fits of each loss over all runs of each dataset (the paper's "
            "procedure) or are 0. Intervals are bootstrap percentiles (the papers give none)."
        ),
        controls=controls(state, choices),
        view=view,
        state=state,
        notes_id=NOTES,
        notes_text=notes_text(view),
        tables=[
            ("Fitted parameters", TABLE, view.table),
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
    """Controls -> state -> view (the pipeline in ``app.views.loss_to_loss``)."""
    controls_by_field = dict(zip(CONTROLS, values[:-1], strict=True))
    state = state_from_controls(LossToLossState, controls_by_field, values[-1])
    return explorer_outputs(build_in_session(build_loss_to_loss_view, state), state)


@callback(
    Output(PAIRING_FIELDS, "style"),
    Output(GROUP_FIELDS, "style"),
    Input(PAIRING, "value"),
    prevent_initial_call=True,
)
def show_pairing_fields(pairing):
    """Train-to-train picks the two pretraining sets; same-model picks a grouping."""
    return shown_if(pairing == "train-to-train"), shown_if(pairing != "train-to-train")


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
