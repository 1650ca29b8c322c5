"""Turn a SELECT into a pandas DataFrame fast.

Plot reads move tens of thousands of rows, and building one Python tuple per row costs more
than the query. On Postgres a *columnar* read wraps the statement in
``SELECT array_agg(a), array_agg(b), … FROM (stmt)``: one row comes back, each column an array
that becomes one numpy array (all aggregates of one query consume the same row stream, so the
columns stay aligned; row order is not kept, callers sort). Otherwise the raw psycopg cursor
fetches tuples in binary mode. SQLite runs the statement through SQLAlchemy. Columns that are
not text are numeric (NULL becomes NaN).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import Integer, Select, String, Text, func, select
from sqlalchemy.orm import Session


def read_frame(session: Session, stmt: Select, *, columnar: bool = False) -> pd.DataFrame:
    """The rows of ``stmt`` as a DataFrame whose columns are the statement's labels;
    ``columnar=True`` is faster for large reads on Postgres but does not keep row order."""
    selected = stmt.selected_columns.items()
    columns = [key for key, _ in selected]
    text_columns = {key for key, c in selected if isinstance(c.type, String | Text)}
    int_columns = {key for key, c in selected if isinstance(c.type, Integer)}
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        rows = connection.execute(stmt).fetchall()
        return _from_rows(rows, columns, text_columns)
    if columnar:
        inner = stmt.subquery()
        stmt = select(*(func.array_agg(inner.c[name]) for name in columns))
    compiled = stmt.compile(dialect=connection.dialect, compile_kwargs={"render_postcompile": True})
    raw = connection.connection.driver_connection
    assert raw is not None  # the psycopg connection behind a live SQLAlchemy connection
    with raw.cursor(binary=True) as cursor:
        cursor.execute(str(compiled), compiled.params)
        rows = cursor.fetchall()
    if not columnar:
        return _from_rows(rows, columns, text_columns)
    arrays = rows[0] if rows and rows[0][0] is not None else [[] for _ in columns]
    return pd.DataFrame(
        {
            name: _array(values, text=name in text_columns, integer=name in int_columns)
            for name, values in zip(columns, arrays, strict=True)
        },
        columns=columns,
    )


def _array(values: list, *, text: bool, integer: bool) -> np.ndarray:
    """One column as a numpy array: objects for text, int64 for whole numbers without
    NULLs, float64 otherwise (NULL -> NaN)."""
    if text:
        return np.array(values, dtype=object)
    if integer:
        try:
            return np.array(values, dtype=np.int64)
        except TypeError:  # NULLs among the numbers
            pass
    return np.array(values, dtype=float)


def _from_rows(rows, columns: list[str], text_columns: set[str]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(rows, columns=columns, coerce_float=True)
    for column in columns:
        if column in text_columns:
            frame[column] = frame[column].astype(object)
        elif frame[column].dtype == object:
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    return frame
