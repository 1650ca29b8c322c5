"""Data for the Models and Model pages: server-paged pages of the models table and of a
model's checkpoints (the database pages and sorts; the browser gets one page)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from app.session import ui_session
from app.tables import CHECKPOINT_COLUMNS, MODEL_COLUMNS, checkpoint_rows, curve_series, model_rows
from backend.queries import catalog
from backend.queries.measurements import measurements_frame
from backend.schemas.measurements import MeasurementFilter

MODELS_PAGE_SIZE = 25
CHECKPOINTS_PAGE_SIZE = 15
#: Series the model page's picker lists before anything is typed (typing searches them all):
#: a dropdown indexes every option when it draws, a model may have hundreds.
SERIES_OPTIONS_LIMIT = 40


@dataclass(frozen=True)
class TablePage:
    """One page of a listing: its rows, column specs, and how many rows there are in all."""

    rows: list[dict]
    columns: list[dict]
    total: int


def model_columns() -> list[dict]:
    """Column specs of the models table (the name cell links to the model page)."""
    columns = [{"id": key, "name": label} for key, label in MODEL_COLUMNS]
    columns[0]["presentation"] = "markdown"
    return columns


def models_page(search: str, page: int = 0, sort_by: list[dict] | None = None) -> TablePage:
    """Page ``page`` of the models whose name contains ``search``, sorted as the table's
    ``sort_by`` says (by name otherwise); free attributes of the page's models on top."""
    sort = [(s["column_id"], s["direction"] == "desc") for s in sort_by or []]
    sort = [(column, desc) for column, desc in sort if column in catalog.MODEL_SORT_COLUMNS]
    with ui_session() as session:
        total = catalog.count_models(session, search=search or None)
        models = catalog.list_models(
            session,
            search=search or None,
            sort=sort,
            limit=MODELS_PAGE_SIZE,
            offset=max(page, 0) * MODELS_PAGE_SIZE,
        )
    rows = model_rows(models)
    columns = model_columns()
    extra = sorted({key for row in rows for key in row} - {c["id"] for c in columns})
    columns += [{"id": key, "name": key.removeprefix("attr:")} for key in extra]
    return TablePage(rows=rows, columns=columns, total=total)


def checkpoints_page(model: str, page: int = 0) -> list[dict]:
    """Page ``page`` of the checkpoints of ``model`` (step order) as table rows."""
    with ui_session() as session:
        checkpoints = catalog.list_checkpoints(
            session,
            model=model,
            limit=CHECKPOINTS_PAGE_SIZE,
            offset=max(page or 0, 0) * CHECKPOINTS_PAGE_SIZE,
        )
    return checkpoint_rows(checkpoints)


def checkpoint_count(model: str) -> int:
    """How many checkpoints ``model`` has (the size of its checkpoints table)."""
    with ui_session() as session:
        return catalog.get_model(session, name=model).n_checkpoints


def checkpoint_columns() -> list[dict]:
    """Column specs of a checkpoints table."""
    return [{"id": key, "name": label} for key, label in CHECKPOINT_COLUMNS]


def model_measurements(name: str) -> pd.DataFrame:
    """Every measurement of the model called ``name`` (its learning curves)."""
    with ui_session() as session:
        return measurements_frame(session, flt=MeasurementFilter(models=[name]))


def series_options(
    series: Sequence[str], *, search: str | None = None, chosen: Sequence[str] = ()
) -> list[str]:
    """What the series picker lists: the chosen series, then those holding ``search`` (any
    case) in ``series``' order, :data:`SERIES_OPTIONS_LIMIT` in all unless more are chosen."""
    needle = (search or "").lower()
    keep = [key for key in chosen if key in series]
    found = [key for key in series if needle in key.lower() and key not in keep]
    return keep + found[: max(SERIES_OPTIONS_LIMIT - len(keep), 0)]


def series_search(name: str, search: str | None, chosen: Sequence[str] | None) -> list[str]:
    """The series picker's options on the model page of ``name`` for what is typed."""
    series = curve_series(model_measurements(name))
    return series_options(series, search=search, chosen=chosen or ())
