"""Robustness explorer: out-of-distribution against in-distribution accuracy on linear, logit
or probit axes (ticks in percent), a baseline fit on a chosen set of models, y = x, and the
effective robustness of every model in a sortable table."""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, dcc, html

from app import ids
from app.components.explorer import (
    dropdown,
    exclude_field,
    explorer_layout,
    field,
    flags,
    metric_field,
)
from app.components.explorer_callbacks import (
    register_explorer,
    register_metric_search,
)
from app.components.explorer_spec import ExplorerSpec
from app.state import state_href
from app.views.common import (
    flags_of,
)
from app.views.robustness import (
    RobustnessState,
    build_robustness_view,
    group_values,
    read_robustness_choices,
)
from backend.fits.robustness import TESTBED_PAIR, accuracy_metrics
from backend.ingest.adapters.testbed_models import CLIP_DATA, STANDARD_DATA

PATH = "/robustness"
FLAG_LABELS = {"fit": "baseline fit", "final": "final checkpoints only"}
TRANSFORM_OPTIONS = [
    {"label": "logit", "value": "logit"},
    {"label": "probit", "value": "probit"},
    {"label": "linear", "value": "linear"},
]
CONTROLS = {
    "id": (ids.ROBUSTNESS_ID, "value"),
    "ood": (ids.ROBUSTNESS_OOD, "value"),
    "transform": (ids.ROBUSTNESS_TRANSFORM, "value"),
    "group": (ids.ROBUSTNESS_GROUP, "value"),
    "baseline": (ids.ROBUSTNESS_BASELINE, "value"),
    "family": (ids.ROBUSTNESS_FAMILY, "value"),
    "data": (ids.ROBUSTNESS_DATA, "value"),
    "exclude": (ids.ROBUSTNESS_EXCLUDE, "value"),
}

dash.register_page(
    __name__, path=PATH, title="Robustness · ScaleScope", nav_label="Robustness", order=40
)


def controls(state: RobustnessState, choices) -> html.Div:
    """The pickers, filters and options of the page, set from ``state``."""
    group_values = choices.value_options(state.group)
    accuracies = accuracy_metrics(choices)
    return html.Div(
        [
            metric_field(
                "in-distribution (x)", ids.ROBUSTNESS_ID, choices, state.id, first=accuracies
            ),
            metric_field(
                "out-of-distribution (y)", ids.ROBUSTNESS_OOD, choices, state.ood, first=accuracies
            ),
            field(
                "axes",
                dropdown(
                    ids.ROBUSTNESS_TRANSFORM, TRANSFORM_OPTIONS, state.transform, clearable=False
                ),
            ),
            field(
                "group by",
                dropdown(
                    ids.ROBUSTNESS_GROUP, choices.group_options(), state.group, clearable=False
                ),
            ),
            field(
                "baseline set (groups; empty = all)",
                dropdown(
                    ids.ROBUSTNESS_BASELINE,
                    group_values,
                    state.baseline,
                    multi=True,
                    placeholder="all",
                ),
            ),
            field(
                "family",
                dropdown(
                    ids.ROBUSTNESS_FAMILY, choices.value_options("family"), state.family, multi=True
                ),
            ),
            field(
                "pretraining data",
                dropdown(
                    ids.ROBUSTNESS_DATA,
                    choices.value_options("pretraining_data"),
                    state.data,
                    multi=True,
                ),
            ),
            exclude_field(
                ids.ROBUSTNESS_EXCLUDE,
                state.exclude,
                label="left out of the baseline (click a point to add)",
            ),
            field("options", flags(ids.ROBUSTNESS_FLAGS, FLAG_LABELS, flags_of(state))),
        ],
        className="toolbar",
    )


def taori_link() -> html.P:
    """One link to Taori et al.'s main figure: zero-shot CLIP against the line of standard
    ImageNet models, ImageNet -> ImageNetV2 (imagenet-testbed)."""
    state = RobustnessState(
        id=TESTBED_PAIR[0],
        ood=TESTBED_PAIR[1],
        data=[STANDARD_DATA, CLIP_DATA],
        baseline=[STANDARD_DATA],
    )
    return html.P(
        dcc.Link(
            "Taori et al. 2020's figure: zero-shot CLIP vs the standard ImageNet models' line",
            href=state_href(PATH, state),
            id=ids.ROBUSTNESS_TAORI_LINK,
        ),
        className="muted",
    )


EXPLORER = ExplorerSpec(
    module=__name__,
    path=PATH,
    title="Effective robustness",
    lead=(
        "Accuracy under distribution shift against in-distribution accuracy. The "
        "baseline T(acc_OOD) = w·T(acc_ID) + b is fitted in the transformed space T "
        "(logit or probit) on the baseline set; a model's effective robustness is its "
        "OOD accuracy minus the baseline's prediction, in percentage points (Taori et "
        "al. 2020). The band is a bootstrap over baseline models."
    ),
    state_cls=RobustnessState,
    build=build_robustness_view,
    controls=CONTROLS,
    flags=ids.ROBUSTNESS_FLAGS,
    notes=ids.ROBUSTNESS_NOTES,
    tables=(
        ("Baseline fit", ids.ROBUSTNESS_FIT_TABLE, "table"),
        ("Effective robustness per model", ids.ROBUSTNESS_TABLE, "details"),
    ),
    exclude=ids.ROBUSTNESS_EXCLUDE,
)


def controls_with_taori_link(state: RobustnessState, choices) -> html.Div:
    """The toolbar, then the link to Taori et al.'s figure."""
    return html.Div([controls(state, choices), taori_link()])


layout = explorer_layout(
    EXPLORER, read_choices=read_robustness_choices, controls=controls_with_taori_link
)
register_explorer(EXPLORER)
register_metric_search(
    module=__name__, pickers=(ids.ROBUSTNESS_ID, ids.ROBUSTNESS_OOD), first=accuracy_metrics
)


@callback(
    Output(ids.ROBUSTNESS_BASELINE, "options"),
    Output(ids.ROBUSTNESS_BASELINE, "value"),
    Input(ids.ROBUSTNESS_GROUP, "value"),
    State(ids.ROBUSTNESS_BASELINE, "value"),
    prevent_initial_call=True,
)
def update_baseline_options(group, current):
    """The baseline set is chosen among the values of the grouping attribute."""
    values = group_values(group)
    kept = [value for value in current or [] if value in values]
    return [{"label": value, "value": value} for value in values], kept
