"""One model (``/model/<name>``): its attributes, its checkpoints and its learning curves."""

from __future__ import annotations

from typing import Literal
from urllib.parse import unquote

import dash
from dash import Input, Output, Patch, State, callback, dcc, html
from pydantic import Field

from app import ids
from app.components.data_table import data_table
from app.components.empty_state import empty_state
from app.components.plot_panel import plot_panel
from app.components.url_state import url_state_store
from app.figures.base import empty_figure
from app.figures.scaling import make_learning_curve_figure
from app.session import ui_session
from app.state import PageState, decode_state, encode_state
from app.tables import attribute_items, curve_frame, curve_series, model_href, series_axis
from app.views.models import (
    CHECKPOINTS_PAGE_SIZE,
    checkpoint_columns,
    checkpoints_page,
    model_measurements,
    series_options,
    series_search,
)
from backend.exceptions import NotFoundError
from backend.queries import catalog

dash.register_page(__name__, path_template="/model/<name>", title="Model · ScaleScope", order=51)

CURVES_PAGE = "/model"  # the panel key of the curves graph (the same on every model page)
X_LABELS = {"step": "training step", "tokens_seen": "tokens seen"}


class ModelState(PageState):
    """Which series the learning-curve plot shows, and against what."""

    series: list[str] = Field(default_factory=list)
    x: Literal["step", "tokens_seen"] = "step"
    log_x: bool = False


def curves_figure(measurements, state: ModelState):
    """The learning curves in ``measurements`` for ``state`` (empty figure: nothing to draw)."""
    frame = curve_frame(measurements, state.series, x=state.x)
    if frame.empty:
        return empty_figure("No checkpoint of this series has a step or token count")
    y_label, tick_format = series_axis(state.series)
    figure = make_learning_curve_figure(
        frame,
        x_label=X_LABELS[state.x],
        y_label=y_label,
        log_x=state.log_x,
    )
    return figure.update_yaxes(tickformat=tick_format) if tick_format else figure


def layout(name: str | None = None, **query) -> html.Div:
    """Facts, checkpoints table, learning curves of the model called ``name``."""
    name = unquote(name or "")
    try:
        with ui_session() as session:
            model = catalog.get_model(session, name=name)
    except NotFoundError:
        return html.Div(
            [
                html.H1("Model not found"),
                empty_state(
                    f"There is no model named {name!r}",
                    hint="See every stored model on the [Models](/models) page.",
                ),
            ]
        )
    measurements = model_measurements(name)
    series = curve_series(measurements)
    state = decode_state(ModelState, query)
    if not state.series and series:
        state = state.model_copy(update={"series": series[:1]})
    facts = html.Dl(
        [
            part
            for label, value in attribute_items(model)
            for part in (html.Dt(label), html.Dd(value))
        ],
        className="facts",
    )
    return html.Div(
        [
            dcc.Store(id=ids.MODEL_NAME, data=name),
            html.P(dcc.Link("← all models", href="/models"), className="muted"),
            html.H1(name),
            facts,
            html.H2("Learning curves"),
            html.Div(
                [
                    html.Div(
                        [
                            html.Label("Series (eval set · metric; type to search them all)"),
                            dcc.Dropdown(
                                id=ids.MODEL_CURVE_METRIC,
                                options=series_options(series, chosen=state.series),
                                value=[s for s in state.series if s in series],
                                multi=True,
                                placeholder="choose what to plot",
                            ),
                        ],
                        className="field field-wide",
                    ),
                    html.Div(
                        [
                            html.Label("x axis"),
                            dcc.RadioItems(
                                id=ids.MODEL_CURVE_X,
                                options=[{"label": v, "value": k} for k, v in X_LABELS.items()],
                                value=state.x,
                                inline=True,
                            ),
                        ],
                        className="field",
                    ),
                    dcc.Checklist(
                        id=ids.MODEL_CURVE_LOG_X,
                        options=[{"label": " log x", "value": "log"}],
                        value=["log"] if state.log_x else [],
                    ),
                ],
                className="toolbar",
            ),
            plot_panel(
                page=CURVES_PAGE,
                name="curves",
                figure=curves_figure(measurements, state),
                height=460,
            ),
            html.H2(f"Checkpoints ({model.n_checkpoints:,})"),
            data_table(
                ids.MODEL_CHECKPOINT_TABLE,
                rows=checkpoints_page(name),
                columns=checkpoint_columns(),
                page_size=CHECKPOINTS_PAGE_SIZE,
                total=model.n_checkpoints,
                sortable=False,
            ),
            url_state_store(model_href(name), state),
        ]
    )


def log_x_patch(log_x: bool) -> Patch:
    """The change to the drawn curves that switches the x axis to log (or linear) scale:
    only the axis type travels, not the points."""
    patch = Patch()
    patch["layout"]["xaxis"]["type"] = "log" if log_x else "linear"
    return patch


@callback(
    Output(ids.graph_id(CURVES_PAGE, "curves"), "figure"),
    Output({"type": ids.URL_STATE, "page": dash.ALL}, "data"),
    Input(ids.MODEL_CURVE_METRIC, "value"),
    Input(ids.MODEL_CURVE_X, "value"),
    State(ids.MODEL_CURVE_LOG_X, "value"),
    State(ids.MODEL_NAME, "data"),
    prevent_initial_call=True,
)
def update_curves(series, x, log_x, name):
    """Redraw the curves; the choice goes into the URL."""
    state = ModelState(series=series or [], x=x, log_x=bool(log_x))
    return curves_figure(model_measurements(name), state), [encode_state(state)]


@callback(
    Output(ids.graph_id(CURVES_PAGE, "curves"), "figure", allow_duplicate=True),
    Output({"type": ids.URL_STATE, "page": dash.ALL}, "data", allow_duplicate=True),
    Input(ids.MODEL_CURVE_LOG_X, "value"),
    State(ids.MODEL_CURVE_METRIC, "value"),
    State(ids.MODEL_CURVE_X, "value"),
    prevent_initial_call=True,
)
def toggle_log_x(log_x, series, x):
    """Switch the x axis between log and linear scale without redrawing; into the URL."""
    state = ModelState(series=series or [], x=x, log_x=bool(log_x))
    return log_x_patch(state.log_x), [encode_state(state)]


@callback(
    Output(ids.MODEL_CURVE_METRIC, "options"),
    Input(ids.MODEL_CURVE_METRIC, "search_value"),
    State(ids.MODEL_CURVE_METRIC, "value"),
    State(ids.MODEL_NAME, "data"),
    prevent_initial_call=True,
)
def search_series(search, chosen, name):
    """The series matching what is typed, the chosen ones kept."""
    return series_search(name, search, chosen)


@callback(
    Output(ids.MODEL_CHECKPOINT_TABLE, "data"),
    Input(ids.MODEL_CHECKPOINT_TABLE, "page_current"),
    State(ids.MODEL_NAME, "data"),
    prevent_initial_call=True,
)
def page_checkpoints(page, name):
    """Another page of the model's checkpoints."""
    return checkpoints_page(name, page or 0)
