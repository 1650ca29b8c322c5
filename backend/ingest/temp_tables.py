"""Connection-private temporary tables the write path stages rows in."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import repeat

from sqlalchemy import Connection

SQL_TYPES = {
    "postgresql": {"float": "double precision", "int": "bigint", "text": "text", "id": "bigint"},
    "sqlite": {"float": "REAL", "int": "INTEGER", "text": "TEXT", "id": "INTEGER"},
}


def create_temp_table(conn: Connection, name: str, columns: str) -> None:
    """A connection-private table (dropped at commit on Postgres; dropped first if a previous
    writer on this pooled SQLite connection left one)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS pg_temp.{name}")
        conn.exec_driver_sql(f"CREATE TEMP TABLE {name} ({columns}) ON COMMIT DROP")
    else:
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{name}")
        conn.exec_driver_sql(f"CREATE TEMP TABLE {name} ({columns})")


def drop_temp_table(conn: Connection, name: str) -> None:
    schema = "pg_temp" if conn.dialect.name == "postgresql" else "temp"
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {schema}.{name}")


def write_rows(conn: Connection, table: str, columns: tuple[str, ...], rows) -> None:
    """Append ``rows`` to a (temporary) table: ``COPY`` on Postgres, ``executemany`` on SQLite."""
    names = ", ".join(columns)
    if conn.dialect.name == "postgresql":
        raw = conn.connection.driver_connection
        assert raw is not None  # the psycopg connection behind a live SQLAlchemy connection
        with raw.cursor() as cursor:
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
    else:
        marks = ", ".join("?" for _ in columns)
        conn.exec_driver_sql(f"INSERT INTO {table} ({names}) VALUES ({marks})", list(rows))


def write_columns(
    conn: Connection,
    table: str,
    names: tuple[str, ...],
    types: tuple[str, ...],
    columns: Sequence[Sequence | None],
) -> int:
    """Append rows given as columns (``types``: "id", "int", "float" or "text"; a None column
    is all NULL) to a (temporary) table; returns the row count. On Postgres one ``COPY`` of
    text built a column at a time (strings escaped once per distinct value)."""
    n_rows = len(next(c for c in columns if c is not None))
    if conn.dialect.name != "postgresql":
        filled = [repeat(None, n_rows) if c is None else c for c in columns]
        marks = ", ".join("?" for _ in names)
        sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})"
        conn.exec_driver_sql(sql, list(zip(*filled, strict=False)))
        return n_rows
    cells = [_copy_cells(c, t, n_rows) for c, t in zip(columns, types, strict=True)]
    data = "\n".join(map("\t".join, zip(*cells, strict=True))) + "\n"
    raw = conn.connection.driver_connection
    assert raw is not None  # the psycopg connection behind a live SQLAlchemy connection
    with raw.cursor() as cursor:
        with cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
            copy.write(data)
    return n_rows


def _copy_cells(column: Sequence | None, kind: str, n_rows: int):
    """One column as ``COPY`` text cells."""
    if column is None:
        return repeat("\\N", n_rows)
    if kind == "text":
        escaped = {v: _copy_text(v) for v in set(column)}
        return map(escaped.__getitem__, column)
    if kind == "float":
        return map(float.__repr__, column)
    return map(int.__repr__, column)


def _copy_text(value: str | None) -> str:
    if value is None:
        return "\\N"
    return (
        value.replace("\\", "\\\\")
        .replace("\t", "\\t")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
    )
