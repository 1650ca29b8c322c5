"""Scaling explorer: loss (or error) against compute, parameters, tokens or samples with
Chinchilla Approach 3 per group, the compute-optimal frontier and a "predict at C" readout;
learning curves (metric against step) per model."""

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
    register_model_search,
)
from app.components.explorer_spec import ExplorerSpec
from app.views.choices import model_options
from app.views.common import (
    flags_of,
)
from app.views.scaling import (
    CURVE_AXES,
    LAWS,
    X_AXES,
    ScalingState,
    build_scaling_view,
    read_scaling_choices,
)
from backend.fits.loss_to_loss import loss_metrics

PATH = "/scaling"
FLAG_LABELS = {
    "fit": "fit per group",
    "error": "plot error (1 − value)",
    "final": "final checkpoints only",
    "full_grid": "full 4,500-start grid",
    "log_x": "log x (curves)",
}
CONTROLS = {
    "mode": (ids.SCALING_MODE, "value"),
    "metric": (ids.SCALING_METRIC, "value"),
    "x": (ids.SCALING_X, "value"),
    "law": (ids.SCALING_LAW, "value"),
    "group": (ids.SCALING_GROUP, "value"),
    "data": (ids.SCALING_DATA, "value"),
    "family": (ids.SCALING_FAMILY, "value"),
    "predict": (ids.SCALING_PREDICT, "value"),
    "models": (ids.SCALING_MODELS, "value"),
    "curve_x": (ids.SCALING_CURVE_X, "value"),
    "drop_highest": (ids.SCALING_DROP_HIGHEST, "value"),
    "exclude": (ids.SCALING_EXCLUDE, "value"),
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
        field("x axis", dropdown(ids.SCALING_X, options_of(X_AXES), state.x, clearable=False)),
        field("fit", dropdown(ids.SCALING_LAW, options_of(LAWS), state.law, clearable=False)),
        field(
            "group by",
            dropdown(ids.SCALING_GROUP, choices.group_options(), state.group, clearable=False),
        ),
        field(
            "predict at x (e.g. compute C)",
            number_input(ids.SCALING_PREDICT, state.predict, placeholder="e.g. 1e24"),
        ),
    ]
    curve_fields = [
        field(
            "models",
            dropdown(
                ids.SCALING_MODELS, model_options(None, state.models), state.models, multi=True
            ),
            width="20rem",
        ),
        field(
            "curve x axis",
            dropdown(ids.SCALING_CURVE_X, options_of(CURVE_AXES), state.curve_x, clearable=False),
        ),
    ]
    return html.Div(
        [
            field("view", dropdown(ids.SCALING_MODE, MODE_OPTIONS, state.mode, clearable=False)),
            metric_field(
                "metric", ids.SCALING_METRIC, choices, state.metric, first=loss_metrics(choices)
            ),
            field_group(ids.SCALING_LAW_FIELDS, scaling_fields, visible=state.mode == "scaling"),
            field_group(ids.SCALING_CURVE_FIELDS, curve_fields, visible=state.mode == "curves"),
            field(
                "pretraining data",
                dropdown(
                    ids.SCALING_DATA,
                    choices.value_options("pretraining_data"),
                    state.data,
                    multi=True,
                ),
            ),
            field(
                "family",
                dropdown(
                    ids.SCALING_FAMILY, choices.value_options("family"), state.family, multi=True
                ),
            ),
            field(
                "drop the k highest-loss points",
                number_input(ids.SCALING_DROP_HIGHEST, state.drop_highest, placeholder="published"),
            ),
            exclude_field(ids.SCALING_EXCLUDE, state.exclude),
            field("options", flags(ids.SCALING_FLAGS, FLAG_LABELS, flags_of(state))),
        ],
        className="toolbar",
    )


EXPLORER = ExplorerSpec(
    module=__name__,
    path=PATH,
    title="Scaling",
    lead=(
        "Loss against compute with Chinchilla Approach 3, L(N, D) = E + A/N^α + B/D^β, "
        "fitted per group by Huber loss on log L (Hoffmann et al. 2022); the dashed "
        "line is the loss at the compute-optimal allocation, intervals are bootstrap "
        "percentiles over runs."
    ),
    state_cls=ScalingState,
    build=build_scaling_view,
    controls=CONTROLS,
    flags=ids.SCALING_FLAGS,
    notes=ids.SCALING_NOTES,
    tables=(("Fitted parameters and predictions", ids.SCALING_TABLE, "table"),),
    exclude=ids.SCALING_EXCLUDE,
)


layout = explorer_layout(EXPLORER, read_choices=read_scaling_choices, controls=controls)
register_explorer(EXPLORER)
register_field_toggle(
    module=__name__,
    name="show_mode_fields",
    control=ids.SCALING_MODE,
    first=ids.SCALING_LAW_FIELDS,
    second=ids.SCALING_CURVE_FIELDS,
    second_when="curves",
)
register_model_search(module=__name__, models=ids.SCALING_MODELS)
register_metric_search(module=__name__, pickers=(ids.SCALING_METRIC,), first=loss_metrics)
