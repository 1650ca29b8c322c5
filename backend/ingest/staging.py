"""Staging of fact records: the fact tables' specs, and connection-private temporary tables
filled batch by batch, from rows or from columns (``COPY`` on Postgres, ``executemany`` on
SQLite)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from backend.ingest.dimensions import CHECKPOINTS, CORPORA, EVAL_SETS, DimensionSpec
from backend.ingest.temp_tables import (
    SQL_TYPES,
    create_temp_table,
    drop_temp_table,
    write_columns,
    write_rows,
)


@dataclass(frozen=True)
class FactSpec:
    """A fact table: the dimensions it refers to, its other key columns and its values."""

    table: str
    dims: tuple[tuple[str, DimensionSpec], ...]
    keys: tuple[str, ...]
    values: tuple[tuple[str, str], ...]  # (column, "float" | "int" | "text")
    label: str

    @property
    def key_columns(self) -> tuple[str, ...]:
        return tuple(c for c, _ in self.dims) + self.keys

    @property
    def value_columns(self) -> tuple[str, ...]:
        return tuple(c for c, _ in self.values)

    @property
    def stage(self) -> str:
        return f"stage_{self.table}"


MEASUREMENTS = FactSpec(
    "measurements",
    (("checkpoint_id", CHECKPOINTS), ("eval_set_id", EVAL_SETS)),
    ("metric",),
    (("value", "float"), ("stderr", "float"), ("n", "int"), ("unit", "text")),
    "measurement",
)
CONCEPT_SCORES = FactSpec(
    "concept_scores",
    (("checkpoint_id", CHECKPOINTS), ("eval_set_id", EVAL_SETS)),
    ("metric", "concept"),
    (("value", "float"), ("n", "int"), ("unit", "text")),
    "concept score",
)
CONCEPT_FREQUENCIES = FactSpec(
    "concept_frequencies",
    (("corpus_id", CORPORA),),
    ("method", "concept"),
    (("count", "int"),),
    "concept frequency",
)
CONCEPT_PAIR_FREQUENCIES = FactSpec(
    "concept_pair_frequencies",
    (("corpus_id", CORPORA),),
    ("method", "concept_a", "concept_b"),
    (("count", "int"),),
    "concept pair frequency",
)
FACTS = (MEASUREMENTS, CONCEPT_SCORES, CONCEPT_FREQUENCIES, CONCEPT_PAIR_FREQUENCIES)

# Stand-ins for NULL when comparing values inside a group of duplicate keys.
NULL_STANDIN = {"float": "-1.5e308", "int": "-1", "text": "''"}


class FactStage:
    """The staging table of one fact table, filled batch by batch."""

    def __init__(self, spec: FactSpec, conn: Connection, batch_rows: int):
        self.spec = spec
        self.conn = conn
        self.batch_rows = batch_rows
        self.buffer: list[tuple] = []
        self.staged = 0
        self.created = False
        self.columns = ("row_no",) + spec.key_columns + spec.value_columns

    def add(self, row: tuple) -> None:
        self.buffer.append(row)
        if len(self.buffer) >= self.batch_rows:
            self.flush()

    def _create(self) -> None:
        dialect = self.conn.dialect.name
        types = SQL_TYPES[dialect]
        spec = self.spec
        cols = ["row_no " + types["id"]]
        cols += [f"{c} {types['id']}" for c, _ in spec.dims]
        cols += [f"{c} {types['text']}" for c in spec.keys]
        cols += [f"{c} {types[t]}" for c, t in spec.values]
        create_temp_table(self.conn, spec.stage, ", ".join(cols))
        self.created = True

    def flush(self) -> None:
        """Write the buffered rows to the staging table."""
        if not self.buffer:
            return
        if not self.created:
            self._create()
        write_rows(self.conn, self.spec.stage, self.columns, self.buffer)
        self.staged += len(self.buffer)
        self.buffer = []

    def add_columns(self, columns: list) -> None:
        """Stage rows given as columns in :attr:`columns` order (None: a column of NULLs)."""
        self.flush()
        if not self.created:
            self._create()
        self.staged += write_columns(self.conn, self.spec.stage, self.columns, columns)

    def drop(self) -> None:
        if self.created:
            drop_temp_table(self.conn, self.spec.stage)
            self.created = False
