"""Models: a searchable table of every model with its attributes; click a row for its
checkpoints, click a name for its page."""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, dcc, html
from dash.exceptions import PreventUpdate

from app import ids
from app.components.data_table import data_table, page_count
from app.components.empty_state import empty_state
from app.components.url_state import url_state_store
from app.state import PageState, decode_state, encode_state
from app.tables import model_name_of
from app.views.models import (
    CHECKPOINTS_PAGE_SIZE,
    MODELS_PAGE_SIZE,
    checkpoint_columns,
    checkpoint_count,
    checkpoints_page,
    models_page,
)

PATH = "/models"
dash.register_page(__name__, path=PATH, title="Models · ScaleScope", nav_label="Models", order=50)


class ModelsState(PageState):
    """The search text of the models table."""

    q: str = ""


def layout(**query) -> html.Div:
    """Search box, models table (paged by the server), checkpoints of the clicked model."""
    state = decode_state(ModelsState, query)
    first = models_page(state.q)
    if not first.total and not state.q:
        return html.Div([html.H1("Models"), empty_state("No models yet")])
    return html.Div(
        [
            html.H1("Models"),
            html.Div(
                [
                    html.Div(
                        [
                            html.Label("Search by name", htmlFor=ids.MODELS_SEARCH),
                            dcc.Input(
                                id=ids.MODELS_SEARCH,
                                type="search",
                                value=state.q,
                                # a page of models is a few ms of server time: search after
                                # a short pause in typing, not a long one
                                debounce=0.1,
                                placeholder="e.g. pythia, ViT-B-32",
                                className="text-input",
                            ),
                        ],
                        className="field",
                    ),
                    html.Span(f"{first.total} models", id=ids.MODELS_COUNT, className="muted"),
                ],
                className="toolbar",
            ),
            data_table(
                ids.MODELS_TABLE,
                rows=first.rows,
                columns=first.columns,
                page_size=MODELS_PAGE_SIZE,
                total=first.total,
            ),
            html.H2("Checkpoints"),
            html.Div(
                html.P("Click a row to list that model's checkpoints.", className="muted"),
                id=ids.MODELS_CHECKPOINTS,
            ),
            url_state_store(PATH, state),
        ]
    )


@callback(
    Output(ids.MODELS_TABLE, "data"),
    Output(ids.MODELS_TABLE, "columns"),
    Output(ids.MODELS_TABLE, "page_count"),
    Output(ids.MODELS_TABLE, "page_current"),
    Output(ids.MODELS_COUNT, "children"),
    Output(ids.url_state_id(PATH), "data"),
    Input(ids.MODELS_SEARCH, "value"),
    Input(ids.MODELS_TABLE, "page_current"),
    Input(ids.MODELS_TABLE, "sort_by"),
    prevent_initial_call=True,
)
def search_models(search, page, sort_by):
    """One page of the models whose name matches the search (a new search or sort starts at
    the first page); the search goes into the URL."""
    if f"{ids.MODELS_TABLE}.page_current" not in dash.ctx.triggered_prop_ids:
        page = 0
    found = models_page(search or "", page or 0, sort_by)
    state = ModelsState(q=search or "")
    return (
        found.rows,
        found.columns,
        page_count(found.total, MODELS_PAGE_SIZE),
        page or 0,
        f"{found.total} models",
        encode_state(state),
    )


@callback(
    Output(ids.MODELS_CHECKPOINTS, "children"),
    Input(ids.MODELS_TABLE, "active_cell"),
    State(ids.MODELS_TABLE, "derived_viewport_data"),
    prevent_initial_call=True,
)
def show_checkpoints(active_cell, visible_rows):
    """The checkpoints of the model in the clicked row (paged by the server)."""
    if not active_cell or not visible_rows or active_cell["row"] >= len(visible_rows):
        raise PreventUpdate
    name = model_name_of(visible_rows[active_cell["row"]])
    total = checkpoint_count(name)
    return html.Div(
        [
            html.H3(name),
            dcc.Store(id=ids.MODELS_CHECKPOINT_MODEL, data=name),
            data_table(
                ids.MODELS_CHECKPOINT_TABLE,
                rows=checkpoints_page(name),
                columns=checkpoint_columns(),
                page_size=CHECKPOINTS_PAGE_SIZE,
                total=total,
                sortable=False,
            ),
        ]
    )


@callback(
    Output(ids.MODELS_CHECKPOINT_TABLE, "data"),
    Input(ids.MODELS_CHECKPOINT_TABLE, "page_current"),
    State(ids.MODELS_CHECKPOINT_MODEL, "data"),
    prevent_initial_call=True,
)
def page_checkpoints(page, name):
    """Another page of the clicked model's checkpoints."""
    return checkpoints_page(name, page or 0)
