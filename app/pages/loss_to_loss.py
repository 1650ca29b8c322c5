"""Loss-to-loss explorer: one loss against another per checkpoint, a shifted power law per
group (Brandfonbrener et al. 2024), with the fitted parameters and an extrapolation."""

from __future__ import annotations

import dash
from dash import html

from app import ids
from app.components.explorer import (
    dropdown,
    exclude_field,
    explorer_layout,
    field,
    field_group,
    flags,
    metric_field,
    number_input,
)
from app.components.explorer_callbacks import (
    register_explorer,
    register_field_toggle,
    register_metric_search,
)
from app.components.explorer_spec import ExplorerSpec
from app.views.common import (
    flags_of,
)
from app.views.loss_to_loss import (
    LossToLossState,
    build_loss_to_loss_view,
    loss_metrics,
    read_loss_to_loss_choices,
)

PATH = "/loss-to-loss"
FLAG_LABELS = {"fit": "fit lines", "log": "log axes", "final": "final checkpoints only"}
CONTROLS = {
    "x": (ids.L2L_X, "value"),
    "y": (ids.L2L_Y, "value"),
    "pairing": (ids.L2L_PAIRING, "value"),
    "x_data": (ids.L2L_X_DATA, "value"),
    "y_data": (ids.L2L_Y_DATA, "value"),
    "group": (ids.L2L_GROUP, "value"),
    "data": (ids.L2L_DATA, "value"),
    "family": (ids.L2L_FAMILY, "value"),
    "extrapolate": (ids.L2L_EXTRAPOLATE, "value"),
    "procedure": (ids.L2L_PROCEDURE, "value"),
    "irreducible": (ids.L2L_IRREDUCIBLE, "value"),
    "exclude": (ids.L2L_EXCLUDE, "value"),
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
    losses = loss_metrics(choices)
    pairing_options = [
        {"label": "same model", "value": "same-model"},
        {"label": "train-to-train (matched N, D)", "value": "train-to-train"},
    ]
    return html.Div(
        [
            metric_field("x loss", ids.L2L_X, choices, state.x, first=losses),
            metric_field("y loss", ids.L2L_Y, choices, state.y, first=losses),
            field(
                "pairing",
                dropdown(ids.L2L_PAIRING, pairing_options, state.pairing, clearable=False),
            ),
            field_group(
                ids.L2L_PAIRING_FIELDS,
                [
                    field("x-side data", dropdown(ids.L2L_X_DATA, data_options, state.x_data)),
                    field(
                        "y-side data (empty: all others)",
                        dropdown(ids.L2L_Y_DATA, data_options, state.y_data),
                    ),
                ],
                visible=state.pairing == "train-to-train",
            ),
            field_group(
                ids.L2L_GROUP_FIELDS,
                [
                    field(
                        "group by",
                        dropdown(
                            ids.L2L_GROUP, choices.group_options(), state.group, clearable=False
                        ),
                    )
                ],
                visible=state.pairing != "train-to-train",
            ),
            field("pretraining data", dropdown(ids.L2L_DATA, data_options, state.data, multi=True)),
            field(
                "family",
                dropdown(ids.L2L_FAMILY, choices.value_options("family"), state.family, multi=True),
            ),
            field(
                "fit procedure",
                dropdown(ids.L2L_PROCEDURE, PROCEDURE_OPTIONS, state.procedure, clearable=False),
            ),
            field(
                "irreducible losses",
                dropdown(
                    ids.L2L_IRREDUCIBLE, IRREDUCIBLE_OPTIONS, state.irreducible, clearable=False
                ),
            ),
            field("extrapolate to x", number_input(ids.L2L_EXTRAPOLATE, state.extrapolate)),
            exclude_field(ids.L2L_EXCLUDE, state.exclude),
            field("options", flags(ids.L2L_FLAGS, FLAG_LABELS, flags_of(state))),
        ],
        className="toolbar",
    )


EXPLORER = ExplorerSpec(
    module=__name__,
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
    state_cls=LossToLossState,
    build=build_loss_to_loss_view,
    controls=CONTROLS,
    flags=ids.L2L_FLAGS,
    notes=ids.L2L_NOTES,
    tables=(("Fitted parameters", ids.L2L_TABLE, "table"),),
    exclude=ids.L2L_EXCLUDE,
)


layout = explorer_layout(EXPLORER, read_choices=read_loss_to_loss_choices, controls=controls)
register_explorer(EXPLORER)
register_field_toggle(
    module=__name__,
    name="show_pairing_fields",
    control=ids.L2L_PAIRING,
    first=ids.L2L_GROUP_FIELDS,
    second=ids.L2L_PAIRING_FIELDS,
    second_when="train-to-train",
)
register_metric_search(module=__name__, pickers=(ids.L2L_X, ids.L2L_Y), first=loss_metrics)
