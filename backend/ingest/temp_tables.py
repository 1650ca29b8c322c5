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
    conn: Connection, table: str, names: tuple[str, ...], columns: Sequence[Sequence | None]
) -> int:
    """Append rows given as columns (a None column is all NULL) to a (temporary) table, as
    :func:`write_rows` does (psycopg's C ``write_row`` is as fast as text built a column at a
    time); returns the row count."""
    n_rows = len(next(c for c in columns if c is not None))
    filled = [repeat(None, n_rows) if c is None else c for c in columns]
    write_rows(conn, table, names, zip(*filled, strict=True))
    return n_rows
