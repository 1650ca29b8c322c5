"""Models: a searchable table of every model with its attributes; click a row for its
checkpoints, click a name for its page."""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, dcc, html
from dash.exceptions import PreventUpdate

from app import ids
from app.components.data_table import data_table
from app.components.empty_state import empty_state
from app.components.url_state import url_state_store
from app.session import ui_session
from app.state import PageState, decode_state, encode_state
from app.tables import (
    CHECKPOINT_COLUMNS,
    MODEL_COLUMNS,
    checkpoint_rows,
    model_name_of,
    model_rows,
    table_columns,
)
from backend.queries import catalog

PATH = "/models"
dash.register_page(__name__, path=PATH, title="Models · ScaleScope", nav_label="Models", order=50)


class ModelsState(PageState):
    """The search text of the models table."""

    q: str = ""


def _models(search: str) -> list:
    with ui_session() as session:
        return catalog.list_models(session, search=search or None)


def layout(**query) -> html.Div:
    """Search box, models table, checkpoints of the clicked model."""
    state = decode_state(ModelsState, query)
    rows = model_rows(_models(state.q))
    if not rows and not state.q:
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
                                debounce=0.3,
                                placeholder="e.g. pythia, ViT-B-32",
                                className="text-input",
                            ),
                        ],
                        className="field",
                    ),
                    html.Span(f"{len(rows)} models", id=ids.MODELS_COUNT, className="muted"),
                ],
                className="toolbar",
            ),
            data_table(ids.MODELS_TABLE, rows=rows, columns=table_columns(rows, MODEL_COLUMNS)),
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
    Output(ids.MODELS_COUNT, "children"),
    Output(ids.url_state_id(PATH), "data"),
    Input(ids.MODELS_SEARCH, "value"),
    prevent_initial_call=True,
)
def search_models(search):
    """Filter the table by name; the search goes into the URL."""
    rows = model_rows(_models(search or ""))
    state = ModelsState(q=search or "")
    return rows, table_columns(rows, MODEL_COLUMNS), f"{len(rows)} models", encode_state(state)


@callback(
    Output(ids.MODELS_CHECKPOINTS, "children"),
    Input(ids.MODELS_TABLE, "active_cell"),
    State(ids.MODELS_TABLE, "derived_viewport_data"),
    prevent_initial_call=True,
)
def show_checkpoints(active_cell, visible_rows):
    """The checkpoints of the model in the clicked row."""
    if not active_cell or not visible_rows or active_cell["row"] >= len(visible_rows):
        raise PreventUpdate
    name = model_name_of(visible_rows[active_cell["row"]])
    with ui_session() as session:
        checkpoints = catalog.list_checkpoints(session, model=name)
    rows = checkpoint_rows(checkpoints)
    return html.Div(
        [
            html.H3(name),
            data_table(
                ids.MODELS_CHECKPOINT_TABLE,
                rows=rows,
                columns=table_columns(rows, CHECKPOINT_COLUMNS),
                page_size=15,
            ),
        ]
    )
