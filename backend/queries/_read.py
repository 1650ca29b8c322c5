"""Turn a SELECT into a pandas DataFrame fast.

Plot reads move tens of thousands of rows, and building one Python tuple per row costs more
than the query. On Postgres a *columnar* read wraps the statement in
``SELECT array_agg(a), array_agg(b), … FROM (stmt)``: one row comes back, each column an array
that becomes one numpy array (all aggregates of one query consume the same row stream, so the
columns stay aligned; row order is not kept, callers sort). A text column comes as one string
joined by a unit separator (``string_agg``: no array of 50,000 strings to build and send),
split once here; when it holds a NULL or the separator itself (its counts say so) the read is
made again with ``array_agg``. Otherwise the raw psycopg cursor fetches tuples in binary mode.
SQLite runs the statement through SQLAlchemy. Columns that are not text are numeric (NULL
becomes NaN).
"""

from __future__ import annotations

import struct

import numpy as np
import pandas as pd
from psycopg import abc, postgres
from psycopg.adapt import Loader
from psycopg.pq import Format
from sqlalchemy import Integer, Select, String, Text, func, literal, select
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
        rows = _sqlite_rows(connection, stmt)
        if rows is None:  # plain tuples: pandas probes every Row for dict-like attributes
            rows = [tuple(row) for row in connection.execute(stmt).fetchall()]
        return _from_rows(rows, columns, text_columns)
    if not columnar:
        return _from_rows(_fetch(connection, stmt), columns, text_columns)
    arrays = _columnar(connection, stmt, columns, text_columns, joined=True)
    if arrays is None:  # a text column with a NULL or a separator in it
        arrays = _columnar(connection, stmt, columns, text_columns, joined=False)
    assert arrays is not None
    return pd.DataFrame(
        {
            name: _array(values, text=name in text_columns, integer=name in int_columns)
            for name, values in zip(columns, arrays, strict=True)
        },
        columns=columns,
    )


_PLAIN = (int, float, str, type(None))


def _sqlite_rows(connection, stmt: Select) -> list[tuple] | None:
    """The rows of ``stmt`` as tuples from the sqlite3 cursor itself (half the time of
    SQLAlchemy's rows on 50,000), or None when a parameter or a column needs SQLAlchemy's
    conversion (dates, JSON...)."""
    dialect = connection.dialect
    for column in stmt.selected_columns:
        if column.type.dialect_impl(dialect).result_processor(dialect, None) is not None:
            return None
    compiled = stmt.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    params = []
    for name in compiled.positiontup or ():
        value, bind = compiled.params[name], compiled.binds.get(name)
        process = None if bind is None else bind.type.dialect_impl(dialect).bind_processor(dialect)
        value = process(value) if process is not None else value
        if type(value) not in _PLAIN:  # e.g. a date in an expanded IN list
            return None
        params.append(value)
    cursor = connection.connection.driver_connection.cursor()
    try:
        return cursor.execute(str(compiled), params).fetchall()
    finally:
        cursor.close()


_SEPARATOR = "\x1f"  # ASCII unit separator: joins a text column's values in one string


def _fetch(connection, stmt: Select, *, numpy_arrays: bool = False) -> list[tuple]:
    """The rows of ``stmt`` from the raw psycopg cursor, in binary mode."""
    compiled = stmt.compile(dialect=connection.dialect, compile_kwargs={"render_postcompile": True})
    raw = connection.connection.driver_connection
    assert raw is not None  # the psycopg connection behind a live SQLAlchemy connection
    with raw.cursor(binary=True) as cursor:
        if numpy_arrays:
            _load_numeric_arrays_as_numpy(cursor)
        cursor.execute(str(compiled), compiled.params)
        return cursor.fetchall()


def _columnar(
    connection, stmt: Select, columns: list[str], text_columns: set[str], *, joined: bool
) -> list | None:
    """One array (or list) per column of ``stmt``, read as one row of aggregates; with
    ``joined``, text columns come as one separated string each and None is returned when a
    text column holds a NULL or the separator (then read again without ``joined``)."""
    inner = stmt.subquery()
    joined_columns = [name for name in columns if joined and name in text_columns]
    aggregates = [
        func.string_agg(inner.c[name], literal(_SEPARATOR, String))
        if name in joined_columns
        else func.array_agg(inner.c[name])
        for name in columns
    ]
    counts = [func.count(inner.c[name]) for name in joined_columns]  # NULLs are not counted
    row = _fetch(connection, select(*aggregates, func.count(), *counts), numpy_arrays=True)[0]
    arrays, total = list(row[: len(columns)]), row[len(columns)]
    if total == 0:
        return [[] for _ in columns]
    for name, non_null in zip(joined_columns, row[len(columns) + 1 :], strict=True):
        position = columns.index(name)
        values = arrays[position].split(_SEPARATOR) if non_null else []
        if non_null != total or len(values) != total:
            return None
        arrays[position] = values
    return arrays


# Binary array format: ndim, has-NULL flag, element type, then (size, lower bound) per
# dimension, then (int32 length, value) per element.
_ARRAY_HEADER = struct.Struct(">iiiii")


# psycopg's own binary array loader (its C implementation when installed): the fallback.
def _array_oid(name: str) -> int:
    """The oid of the array type of PostgreSQL's built-in type ``name``."""
    info = postgres.types.get(name)
    assert info is not None, name  # built-in types are always registered
    return info.array_oid


_ArrayLoader_or_none = postgres.adapters.get_loader(_array_oid("float8"), Format.BINARY)
assert _ArrayLoader_or_none is not None  # psycopg always has a binary float8[] loader
_ArrayLoader: type[abc.Loader] = _ArrayLoader_or_none


class _NumpyArrayLoader(Loader):
    """A binary one-dimensional numeric array without NULLs straight into numpy (no Python
    object per element); anything else as psycopg loads it (a list)."""

    format = Format.BINARY
    element: np.dtype = np.dtype(">f8")

    def __init__(self, oid: int, context=None):
        super().__init__(oid, context)
        self._fallback = _ArrayLoader(oid, context)

    def load(self, data) -> np.ndarray | list:
        ndim, has_null, _oid, size, _lbound = _ARRAY_HEADER.unpack_from(data)
        if ndim == 0:
            return np.array([], dtype=self.element.newbyteorder("="))
        if ndim == 1 and has_null and len(data) == _ARRAY_HEADER.size + 4 * size:
            return np.full(size, np.nan)  # every element NULL: lengths only
        if ndim != 1 or has_null:
            return self._fallback.load(data)
        pairs = np.dtype([("length", ">i4"), ("value", self.element)])
        values = np.frombuffer(data, dtype=pairs, count=size, offset=_ARRAY_HEADER.size)
        return values["value"].astype(self.element.newbyteorder("="))


class _Float8Loader(_NumpyArrayLoader):
    element = np.dtype(">f8")


class _Int8Loader(_NumpyArrayLoader):
    element = np.dtype(">i8")


class _Int4Loader(_NumpyArrayLoader):
    element = np.dtype(">i4")


def _load_numeric_arrays_as_numpy(cursor) -> None:
    """Make ``cursor`` load ``float8[]``, ``int8[]`` and ``int4[]`` as numpy arrays."""
    for name, loader in (("float8", _Float8Loader), ("int8", _Int8Loader), ("int4", _Int4Loader)):
        cursor.adapters.register_loader(_array_oid(name), loader)


def _array(values: list, *, text: bool, integer: bool) -> np.ndarray:
    """One column as a numpy array: objects for text, int64 for whole numbers without
    NULLs, float64 otherwise (NULL -> NaN)."""
    if isinstance(values, np.ndarray):  # loaded by _NumpyArrayLoader; NULLs only as NaN
        whole = integer and values.dtype.kind == "i"
        return values.astype(np.int64 if whole else float, copy=False)
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
