"""Dimension rows (models, checkpoints, eval sets, corpora) of an upload: merged in memory by
natural key (two rows stating different values for the same thing is an error), then upserted
set-based: the batch's rows are staged in a temporary table (``COPY`` on Postgres), one
``INSERT ... SELECT ... ON CONFLICT DO NOTHING`` creates the missing ones and one
``INSERT ... SELECT`` maps every local id to its row id in a temporary table (the facts join it
there; only model ids come back to Python). Stated values that differ from stored ones are
updated, and the values they replace recorded in ``upload_overwrites`` (undo restores them)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import (
    Connection,
    Integer,
    String,
    Table,
    and_,
    exists,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy import column as column_clause
from sqlalchemy import table as table_clause

from backend import models
from backend.ingest.report import TableCounts
from backend.ingest.temp_tables import SQL_TYPES, create_temp_table, write_rows
from backend.ingest.validation import Problems


@dataclass(frozen=True)
class DimensionSpec:
    """A described thing: its table, natural key and the columns a record may state."""

    table: Any
    key: tuple[str, ...]
    columns: tuple[str, ...]
    has_attributes: bool
    label: str


MODELS = DimensionSpec(
    models.Model.__table__,
    ("name",),
    ("family", "architecture", "n_params", "pretraining_data", "tokenizer"),
    True,
    "model",
)
CHECKPOINTS = DimensionSpec(
    models.Checkpoint.__table__,
    ("model_id", "revision"),
    ("step", "tokens_seen", "samples_seen", "flops", "weights_uri"),
    False,
    "checkpoint",
)
EVAL_SETS = DimensionSpec(
    models.EvalSet.__table__,
    ("name",),
    ("kind", "task", "n_classes", "chance_accuracy"),
    True,
    "eval set",
)
CORPORA = DimensionSpec(
    models.Corpus.__table__, ("name",), ("description", "n_documents"), True, "corpus"
)
DIMENSIONS = (MODELS, CHECKPOINTS, EVAL_SETS, CORPORA)


class _Pending:
    """The merged description of one dimension row, as stated by the file so far."""

    __slots__ = ("key", "values", "attributes", "rows", "last")

    def __init__(self, key: tuple):
        self.key = key
        self.values: dict[str, Any] = {}
        self.attributes: dict[str, Any] = {}
        self.rows: dict[str, int | None] = {}
        self.last: Any = None


class DimensionBuffer:
    """Dimension rows of one upload, merged by natural key, each with a local integer id."""

    def __init__(self, spec: DimensionSpec, problems: Problems):
        self.spec = spec
        self.problems = problems
        self.local_ids: dict[tuple, int] = {}
        self.pending: list[_Pending] = []

    def ensure(self, key: tuple) -> int:
        """The local id of ``key``, creating a bare entry when it is new."""
        local = self.local_ids.get(key)
        if local is None:
            local = len(self.pending)
            self.local_ids[key] = local
            self.pending.append(_Pending(key))
        return local

    def merge(self, key: tuple, record, values: dict[str, Any], attributes: dict[str, Any]) -> int:
        """Add what ``record`` states about ``key``; conflicting statements are problems."""
        local = self.ensure(key)
        entry = self.pending[local]
        if entry.last is None and not attributes:  # first statement: nothing to conflict with
            entry.last = record
            entry.values = {c: v for c, v in values.items() if v is not None}
            entry.rows = dict.fromkeys(entry.values, record.row)
            return local
        if entry.last is not None and entry.last == record:
            return local
        entry.last = record
        row = record.row
        for column, value in values.items():
            if value is None:
                continue
            self._merge_one(entry, column, value, row, entry.values)
        for name, value in attributes.items():
            self._merge_one(entry, f"attributes.{name}", value, row, entry.attributes, name)
        return local

    def _merge_one(self, entry, column, value, row, target, name=None) -> None:
        name = name or column
        if name in target and target[name] != value:
            first = entry.rows.get(column)
            where = f" (row {first} says {target[name]!r})" if first is not None else ""
            self.problems.add(
                f"conflicting values for {self.spec.label} {show_key(entry.key)}: {value!r}{where}",
                row=row,
                column=column,
            )
            return
        target[name] = value
        entry.rows.setdefault(column, row)


def dialect_insert(conn: Connection, table):
    """``INSERT`` with ``ON CONFLICT`` support for the connection's database."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)


def same_json(a, b) -> bool:
    """Whether two JSON values are equal, numbers compared as floats (JSONB gives back
    ``4573050519273256000`` for the float ``4.573050519273256e18``)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_json(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_json(x, y) for x, y in zip(a, b, strict=True))
    numbers = (int, float)
    if isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool):
        return float(a) == float(b)
    return a == b


def show_key(key: tuple) -> str:
    return " / ".join(repr(part) for part in key)


def _stage_type(conn: Connection, col) -> str:
    """The staging column type of ``col``: its own, but on Postgres integers as ``numeric`` (a
    file may state ``1000.0`` steps) and strings as unbounded ``text``, so that ``COPY`` takes
    every value and the insert's casts name what the table refuses (``DataError``)."""
    if conn.dialect.name == "postgresql":
        if isinstance(col.type, Integer):
            return "numeric"
        if isinstance(col.type, String):
            return "text"
    return col.type.compile(dialect=conn.dialect)


def _stage_rows(spec: DimensionSpec, buffer: DimensionBuffer, keys: list[tuple]):
    """One row per pending entry: local id, key, stated columns (and attributes as JSON)."""
    kind = spec.columns.index("kind") if spec is EVAL_SETS else None
    for local, (entry, key) in enumerate(zip(buffer.pending, keys, strict=True)):
        values = [entry.values.get(c) for c in spec.columns]
        if kind is not None and values[kind] is None:
            values[kind] = "benchmark"
        row = (local, *key, *values)
        if spec.has_attributes:
            row += (json.dumps(entry.attributes),)
        yield row


def map_table(spec: DimensionSpec) -> str:
    """The temporary table ``(local_id, db_id)`` that :func:`upsert_dimension` leaves."""
    return f"stage_map_{spec.table.name}"


def upsert_dimension(
    conn: Connection, buffer: DimensionBuffer, keys: list[tuple], upload_id: int
) -> tuple[list[int] | None, TableCounts, list[str]]:
    """Upsert the pending rows of ``buffer`` (``keys``: their natural keys with ids resolved)
    and map their local ids to row ids in :func:`map_table`, written by the database; returns
    the ids by local id (models only: checkpoint keys name them), the counts, and the
    temporary tables to drop."""
    spec, table = buffer.spec, buffer.spec.table
    names = spec.key + spec.columns + (("attributes",) if spec.has_attributes else ())
    stage_name = f"stage_dim_{table.name}"
    typed = ", ".join(f"{c} {_stage_type(conn, table.c[c])}" for c in names)
    create_temp_table(conn, stage_name, f"local_id INTEGER PRIMARY KEY, {typed}")
    write_rows(conn, stage_name, ("local_id", *names), _stage_rows(spec, buffer, keys))
    stage = table_clause(stage_name, column_clause("local_id"), *(column_clause(c) for c in names))
    same_key = and_(*(table.c[c] == stage.c[c] for c in spec.key))

    stored = [table.c.id, *(table.c[c] for c in spec.columns)]
    if spec.has_attributes:
        stored.append(table.c.attributes)
    existing = {
        row.local_id: row
        for row in conn.execute(select(stage.c.local_id, *stored).join(table, same_key)).all()
    }
    counts = TableCounts()
    created = 0
    if len(existing) < len(keys):
        # ON CONFLICT DO NOTHING: a concurrent upload (two evaluation jobs on a new eval set)
        # may create the same row first; we then use its row.
        source = select(*(stage.c[c] for c in names), literal(upload_id)).where(
            ~exists().where(same_key)
        )
        statement = (
            dialect_insert(conn, table)
            .from_select([*names, "upload_id"], source)
            .on_conflict_do_nothing(index_elements=list(spec.key))
            .returning(table.c.id)
        )
        created = len(conn.execute(statement).all())
    mapping = map_table(spec)
    integer = SQL_TYPES[conn.dialect.name]["id"]
    create_temp_table(conn, mapping, f"local_id {integer} PRIMARY KEY, db_id {integer}")
    target = table_clause(mapping, column_clause("local_id"), column_clause("db_id"))
    found = select(stage.c.local_id, table.c.id).join(table, same_key)
    conn.execute(insert(target).from_select(["local_id", "db_id"], found))
    ids = None
    if spec is MODELS:
        ids = [0] * len(keys)
        for local, row_id in conn.exec_driver_sql(f"SELECT local_id, db_id FROM {mapping}"):
            ids[local] = row_id
    counts.new = created
    counts.unchanged = len(keys) - len(existing) - created
    overwrites = []
    for local, row in existing.items():
        changes = _changes(spec, buffer.pending[local], row)
        if not changes:
            counts.unchanged += 1
            continue
        counts.updated += 1
        previous = {c: getattr(row, c) for c in changes}
        overwrites.append(
            {
                "upload_id": upload_id,
                "table_name": table.name,
                "row_id": row.id,
                "previous_upload_id": None,
                "previous": previous,
            }
        )
        conn.execute(update(table).where(table.c.id == row.id).values(**changes))
    if overwrites:
        conn.execute(insert(cast(Table, models.UploadOverwrite.__table__)), overwrites)
    return ids, counts, [stage_name, mapping]


def _changes(spec: DimensionSpec, entry: _Pending, row) -> dict[str, Any]:
    """The stated values of ``entry`` that differ from the stored ``row``."""
    changes = {c: v for c, v in entry.values.items() if v is not None and getattr(row, c) != v}
    if spec.has_attributes and entry.attributes:
        stored = row.attributes or {}
        merged = {**stored, **entry.attributes}
        if not same_json(merged, stored):
            changes["attributes"] = merged
    return changes
