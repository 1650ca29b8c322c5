"""The bulk write path: canonical records in, rows upserted on natural keys, all in one
transaction owned by the caller.

How it works (bounded memory, whatever the file size):

1. Dimension records (models, checkpoints, eval sets, corpora) are few; they are merged in
   memory by natural key (two rows stating different values for the same thing is an error) and
   get a local integer id.
2. Fact records (measurements, concept scores, concept and pair frequencies) are streamed into
   a temporary staging table in batches of ``batch_rows``: ``COPY`` on Postgres, ``executemany``
   on SQLite. Only the current batch is held in memory.
3. At :meth:`UploadWriter.finish`, set-based SQL finds duplicate keys with conflicting values
   (anywhere in the file, across batches), upserts the dimensions (``ON CONFLICT DO NOTHING``,
   so concurrent jobs creating the same eval set both succeed), then one join of the staged
   facts against the table keeps only rows that are new or differ. The values those rows
   overwrite are recorded in ``upload_overwrites`` (undo restores them), changed rows are
   updated, new rows inserted (``INSERT ... ON CONFLICT``; on Postgres, from
   ``COPY_THRESHOLD_ROWS`` new rows on, by ``COPY``). Unchanged rows are not touched, so
   re-uploading a file changes nothing.
"""

from __future__ import annotations

import math
import tempfile
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import Connection, insert, select, update

from backend import models
from backend.catalog.aliases import canonical_records
from backend.ingest import records as rec
from backend.ingest.report import TableCounts
from backend.ingest.validation import Problems

# --- dimensions ----------------------------------------------------------------------------


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


class _DimensionBuffer:
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
                f"conflicting values for {self.spec.label} {_show_key(entry.key)}: "
                f"{value!r}{where}",
                row=row,
                column=column,
            )
            return
        target[name] = value
        entry.rows.setdefault(column, row)


def _dialect_insert(conn: Connection, table):
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


def _show_key(key: tuple) -> str:
    return " / ".join(repr(part) for part in key)


# --- facts ---------------------------------------------------------------------------------


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

_SQL_TYPES = {
    "postgresql": {"float": "double precision", "int": "bigint", "text": "text", "id": "bigint"},
    "sqlite": {"float": "REAL", "int": "INTEGER", "text": "TEXT", "id": "INTEGER"},
}
# Stand-ins for NULL when comparing values inside a group of duplicate keys.
_NULL_STANDIN = {"float": "-1.5e308", "int": "-1", "text": "''"}


def _create_temp_table(conn: Connection, name: str, columns: str) -> None:
    """A connection-private table (dropped at commit on Postgres; dropped first if a previous
    writer on this pooled SQLite connection left one)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS pg_temp.{name}")
        conn.exec_driver_sql(f"CREATE TEMP TABLE {name} ({columns}) ON COMMIT DROP")
    else:
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{name}")
        conn.exec_driver_sql(f"CREATE TEMP TABLE {name} ({columns})")


def _drop_temp_table(conn: Connection, name: str) -> None:
    schema = "pg_temp" if conn.dialect.name == "postgresql" else "temp"
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {schema}.{name}")


class _FactStage:
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
        types = _SQL_TYPES[dialect]
        spec = self.spec
        cols = ["row_no " + types["id"]]
        cols += [f"{c} {types['id']}" for c, _ in spec.dims]
        cols += [f"{c} {types['text']}" for c in spec.keys]
        cols += [f"{c} {types[t]}" for c, t in spec.values]
        _create_temp_table(self.conn, spec.stage, ", ".join(cols))
        self.created = True

    def flush(self) -> None:
        """Write the buffered rows to the staging table."""
        if not self.buffer:
            return
        if not self.created:
            self._create()
        names = ", ".join(self.columns)
        if self.conn.dialect.name == "postgresql":
            raw = self.conn.connection.driver_connection
            with raw.cursor() as cursor:
                with cursor.copy(f"COPY {self.spec.stage} ({names}) FROM STDIN") as copy:
                    for row in self.buffer:
                        copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in self.columns)
            self.conn.exec_driver_sql(
                f"INSERT INTO {self.spec.stage} ({names}) VALUES ({marks})", self.buffer
            )
        self.staged += len(self.buffer)
        self.buffer = []

    def drop(self) -> None:
        if self.created:
            _drop_temp_table(self.conn, self.spec.stage)
            self.created = False


_INF = float("inf")
# From this many new rows of one table on, Postgres gets them by COPY instead of INSERT.
COPY_THRESHOLD_ROWS = 20_000

# --- the writer ----------------------------------------------------------------------------


class UploadWriter:
    """Accepts canonical records of one upload and writes them in :meth:`finish`.

    The caller owns the transaction (``engine.begin()``) and the ``Upload`` row; rows written
    carry ``upload_id`` (and ``job_id`` when a job produced them).
    """

    def __init__(
        self,
        conn: Connection,
        *,
        upload_id: int,
        problems: Problems,
        batch_rows: int,
        job_id: int | None = None,
    ):
        self.conn = conn
        self.upload_id = upload_id
        self.job_id = job_id
        self.problems = problems
        self.records = 0
        self.dims = {spec.table.name: _DimensionBuffer(spec, problems) for spec in DIMENSIONS}
        self.stages = {spec.table: _FactStage(spec, conn, batch_rows) for spec in FACTS}
        self._maps: list[str] = []
        self._last_checkpoint: tuple = (None, None, -1)
        self._handlers = {
            rec.MeasurementRecord: self._add_measurement,
            rec.ConceptScoreRecord: self._add_concept_score,
            rec.ConceptFrequencyRecord: self._add_frequency,
            rec.ConceptPairFrequencyRecord: self._add_pair,
            rec.CheckpointRecord: self._add_checkpoint,
            rec.ModelRecord: self._add_model,
            rec.EvalSetRecord: self._add_eval_set,
            rec.CorpusRecord: self._add_corpus,
        }

    # -- accepting records --

    def add_all(self, records) -> None:
        """Add every record of an iterable, its names made canonical (``aliases.csv``)."""
        add = self.add
        for record in canonical_records(records):
            add(record)

    def add(self, record: rec.Record) -> None:
        """Add one record (dispatch on its type)."""
        self.records += 1
        handler = self._handlers.get(type(record))
        if handler is None:
            raise TypeError(f"not a canonical record: {record!r}")
        handler(record)

    def _add_model(self, record: rec.ModelRecord) -> None:
        values = {c: getattr(record, c) for c in MODELS.columns}
        self.dims["models"].merge((record.name,), record, values, record.attributes)

    def _add_eval_set(self, record: rec.EvalSetRecord) -> None:
        values = {c: getattr(record, c) for c in EVAL_SETS.columns}
        self.dims["eval_sets"].merge((record.name,), record, values, record.attributes)

    def _add_corpus(self, record: rec.CorpusRecord) -> None:
        values = {c: getattr(record, c) for c in CORPORA.columns}
        self.dims["corpora"].merge((record.name,), record, values, record.attributes)

    def _checkpoint_local(self, model: str, revision: str) -> int:
        last_model, last_revision, local = self._last_checkpoint
        if model == last_model and revision == last_revision:
            return local
        self.dims["models"].ensure((model,))
        local = self.dims["checkpoints"].ensure((model, revision))
        self._last_checkpoint = (model, revision, local)
        return local

    def _add_checkpoint(self, record: rec.CheckpointRecord) -> None:
        self.dims["models"].ensure((record.model,))
        values = {c: getattr(record, c) for c in CHECKPOINTS.columns}
        self.dims["checkpoints"].merge((record.model, record.revision), record, values, {})

    def _check_number(self, value, row, column, *, nonnegative=False, integer=False) -> bool:
        if value is None:
            return True
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.problems.add(f"expected a number, found {value!r}", row=row, column=column)
            return False
        if not math.isfinite(value):
            self.problems.add(f"expected a finite number, found {value!r}", row=row, column=column)
            return False
        if nonnegative and value < 0:
            self.problems.add(f"expected a number >= 0, found {value!r}", row=row, column=column)
            return False
        if integer and value != int(value):
            self.problems.add(f"expected a whole number, found {value!r}", row=row, column=column)
            return False
        return True

    def _add_measurement(self, r: rec.MeasurementRecord) -> None:
        value, stderr, n = r.value, r.stderr, r.n
        fast = (
            value.__class__ is float
            and value - value == 0.0  # finite
            and (stderr is None or (stderr.__class__ is float and 0.0 <= stderr < _INF))
            and (n is None or (n.__class__ is int and n >= 0))
        )
        if not fast:
            ok = self._check_number(value, r.row, "value")
            ok &= self._check_number(stderr, r.row, "stderr", nonnegative=True)
            ok &= self._check_number(n, r.row, "n", nonnegative=True, integer=True)
            if not ok:
                return
        checkpoint = self._checkpoint_local(r.model, r.revision)
        eval_set = self.dims["eval_sets"].ensure((r.eval_set,))
        self.stages["measurements"].add(
            (r.row, checkpoint, eval_set, r.metric, r.value, r.stderr, r.n, r.unit)
        )

    def _add_concept_score(self, r: rec.ConceptScoreRecord) -> None:
        ok = self._check_number(r.value, r.row, "value")
        ok &= self._check_number(r.n, r.row, "n", nonnegative=True, integer=True)
        if not ok:
            return
        checkpoint = self._checkpoint_local(r.model, r.revision)
        eval_set = self.dims["eval_sets"].ensure((r.eval_set,))
        self.stages["concept_scores"].add(
            (r.row, checkpoint, eval_set, r.metric, r.concept, r.value, r.n, r.unit)
        )

    def _add_frequency(self, r: rec.ConceptFrequencyRecord) -> None:
        if not self._check_number(r.count, r.row, "count", nonnegative=True, integer=True):
            return
        corpus = self.dims["corpora"].ensure((r.corpus,))
        self.stages["concept_frequencies"].add((r.row, corpus, r.method, r.concept, int(r.count)))

    def _add_pair(self, r: rec.ConceptPairFrequencyRecord) -> None:
        if not self._check_number(r.count, r.row, "count", nonnegative=True, integer=True):
            return
        if not r.concept_a < r.concept_b:
            self.problems.add(
                f"a concept pair needs two different concepts in order (concept_a < concept_b), "
                f"found {r.concept_a!r}, {r.concept_b!r}",
                row=r.row,
                column="concept_b",
            )
            return
        corpus = self.dims["corpora"].ensure((r.corpus,))
        self.stages["concept_pair_frequencies"].add(
            (r.row, corpus, r.method, r.concept_a, r.concept_b, int(r.count))
        )

    # -- writing --

    def finish(self) -> dict[str, TableCounts]:
        """Check the whole upload, then write it; returns counts per table."""
        try:
            for stage in self.stages.values():
                stage.flush()
            self.problems.raise_if_any()
            groups = {}
            for stage in self.stages.values():
                if stage.staged:
                    groups[stage.spec.table] = self._check_duplicates(stage.spec)
            self.problems.raise_if_any()
            counts: dict[str, TableCounts] = {}
            id_maps: dict[str, list[int]] = {}
            for spec in DIMENSIONS:
                buffer = self.dims[spec.table.name]
                if buffer.pending:
                    ids, counts[spec.table.name] = self._upsert_dimension(buffer, id_maps)
                    id_maps[spec.table.name] = ids
            for stage in self.stages.values():
                if stage.staged:
                    table = stage.spec.table
                    counts[table] = self._upsert_facts(stage, id_maps, groups[table], stage.staged)
        except BaseException:
            # On Postgres a failed statement aborts the transaction, which the caller rolls back
            # (taking the temporary tables with it); SQLite can still drop them.
            if self.conn.dialect.name == "sqlite":
                self._drop_temporary_tables()
            raise
        self._drop_temporary_tables()
        return counts

    def _drop_temporary_tables(self) -> None:
        """Drop staging and map tables, so that one transaction can hold several writers."""
        for stage in self.stages.values():
            stage.drop()
        self._drop_maps()

    # dimensions

    def _upsert_dimension(self, buffer: _DimensionBuffer, id_maps) -> tuple[list[int], TableCounts]:
        spec = buffer.spec
        table = spec.table
        counts = TableCounts()
        keys = [self._db_key(spec, entry.key, id_maps) for entry in buffer.pending]
        existing = self._existing_dimension_rows(spec, keys)
        ids: list[int] = [0] * len(keys)
        new_rows, new_positions = [], []
        overwrites = []
        for position, (entry, key) in enumerate(zip(buffer.pending, keys, strict=True)):
            row = existing.get(key)
            if row is None:
                values = dict(zip(spec.key, key, strict=True))
                values.update({c: entry.values.get(c) for c in spec.columns})
                if spec is EVAL_SETS and values.get("kind") is None:
                    values["kind"] = "benchmark"
                if spec.has_attributes:
                    values["attributes"] = dict(entry.attributes)
                values["upload_id"] = self.upload_id
                new_rows.append(values)
                new_positions.append(position)
                continue
            ids[position] = row["id"]
            changes = {c: v for c, v in entry.values.items() if v is not None and row[c] != v}
            if spec.has_attributes and entry.attributes:
                merged = {**(row["attributes"] or {}), **entry.attributes}
                if not same_json(merged, row["attributes"] or {}):
                    changes["attributes"] = merged
            if not changes:
                counts.unchanged += 1
                continue
            counts.updated += 1
            previous = {c: row[c] for c in changes}
            overwrites.append(
                {
                    "upload_id": self.upload_id,
                    "table_name": table.name,
                    "row_id": row["id"],
                    "previous_upload_id": None,
                    "previous": previous,
                }
            )
            self.conn.execute(update(table).where(table.c.id == row["id"]).values(**changes))
        if new_rows:
            # ON CONFLICT DO NOTHING: a concurrent upload (two evaluation jobs on a new eval
            # set) may create the same row first; we then use its row.
            statement = (
                _dialect_insert(self.conn, table)
                .on_conflict_do_nothing(index_elements=list(spec.key))
                .returning(table.c.id)
            )
            created = len(self.conn.execute(statement, new_rows).all())
            new_keys = [keys[p] for p in new_positions]
            found = self._existing_dimension_rows(spec, new_keys)
            for position, key in zip(new_positions, new_keys, strict=True):
                ids[position] = found[key]["id"]
            counts.new += created
            counts.unchanged += len(new_rows) - created
        if overwrites:
            self.conn.execute(insert(models.UploadOverwrite.__table__), overwrites)
        return ids, counts

    def _db_key(self, spec: DimensionSpec, key: tuple, id_maps) -> tuple:
        if spec is CHECKPOINTS:
            model_local = self.dims["models"].local_ids[(key[0],)]
            return (id_maps["models"][model_local], key[1])
        return key

    def _existing_dimension_rows(self, spec: DimensionSpec, keys: list[tuple]) -> dict:
        table = spec.table
        columns = [table.c.id, *(table.c[c] for c in spec.key), *(table.c[c] for c in spec.columns)]
        if spec.has_attributes:
            columns.append(table.c.attributes)
        found = {}
        chunk = 500
        for start in range(0, len(keys), chunk):
            part = keys[start : start + chunk]
            query = select(*columns)
            if len(spec.key) == 1:
                query = query.where(table.c[spec.key[0]].in_([k[0] for k in part]))
            else:
                first = sorted({k[0] for k in part})
                second = sorted({k[1] for k in part})
                query = query.where(
                    table.c[spec.key[0]].in_(first), table.c[spec.key[1]].in_(second)
                )
            for row in self.conn.execute(query).mappings():
                found[tuple(row[c] for c in spec.key)] = row
        return found

    # facts

    def _check_duplicates(self, spec: FactSpec) -> int:
        """Problems for keys given twice with different values; returns the number of keys."""
        keys = ", ".join(spec.key_columns)
        differs = " OR ".join(
            f"MIN(COALESCE({c}, {_NULL_STANDIN[t]})) <> MAX(COALESCE({c}, {_NULL_STANDIN[t]}))"
            for c, t in spec.values
        )
        total, conflicts = self.conn.exec_driver_sql(
            f"SELECT COUNT(*), COALESCE(SUM(conflict), 0) FROM ("
            f"SELECT CASE WHEN {differs} THEN 1 ELSE 0 END AS conflict "
            f"FROM {spec.stage} GROUP BY {keys}) AS g"
        ).one()
        if conflicts:
            rows = self.conn.exec_driver_sql(
                f"SELECT {keys}, MIN(row_no), MAX(row_no) FROM {spec.stage} GROUP BY {keys} "
                f"HAVING {differs} ORDER BY MIN(row_no) LIMIT {self.problems.limit}"
            ).all()
            for row in rows:
                named = self._name_fact_key(spec, row)
                self.problems.add(
                    f"duplicate {spec.label} {named} with conflicting values "
                    f"(rows {row[-2]} and {row[-1]})",
                    row=row[-1],
                    column=spec.values[0][0],
                )
        return int(total)

    def _name_fact_key(self, spec: FactSpec, row) -> str:
        parts = []
        for position, (_, dim) in enumerate(spec.dims):
            entry = self.dims[dim.table.name].pending[row[position]]
            parts.append(_show_key(entry.key))
        parts += [repr(v) for v in row[len(spec.dims) : len(spec.key_columns)]]
        return " / ".join(parts)

    def _map_table(self, dim: DimensionSpec, ids: list[int]) -> str:
        name = f"stage_map_{dim.table.name}"
        if name in self._maps:
            return name
        dialect = self.conn.dialect.name
        integer = _SQL_TYPES[dialect]["id"]
        _create_temp_table(self.conn, name, f"local_id {integer} PRIMARY KEY, db_id {integer}")
        pairs = list(enumerate(ids))
        if dialect == "postgresql":
            raw = self.conn.connection.driver_connection
            with raw.cursor() as cursor:
                with cursor.copy(f"COPY {name} (local_id, db_id) FROM STDIN") as copy:
                    for pair in pairs:
                        copy.write_row(pair)
        else:
            self.conn.exec_driver_sql(f"INSERT INTO {name} VALUES (?, ?)", pairs)
        self._maps.append(name)
        return name

    def _drop_maps(self) -> None:
        for name in self._maps:
            _drop_temp_table(self.conn, name)
        self._maps = []

    def _upsert_facts(self, stage: _FactStage, id_maps, groups: int, staged: int) -> TableCounts:
        """One join of the staged rows against the table finds what is new or different;
        only those rows are written (so a re-upload writes nothing)."""
        spec = stage.spec
        table = spec.table
        dialect = self.conn.dialect.name
        joins, selected = [], []
        for position, (column, dim) in enumerate(spec.dims):
            alias = f"m{position}"
            mapping = self._map_table(dim, id_maps[dim.table.name])
            joins.append(f"JOIN {mapping} {alias} ON {alias}.local_id = s.{column}")
            selected.append(f"{alias}.db_id AS {column}")
        selected += [f"s.{c}" for c in spec.keys + spec.value_columns]
        distinct = "DISTINCT " if groups < staged else ""
        source = f"SELECT {distinct}{', '.join(selected)} FROM {spec.stage} s {' '.join(joins)}"
        columns = spec.key_columns + spec.value_columns
        key_match = " AND ".join(f"t.{c} = s.{c}" for c in spec.key_columns)
        differs = " OR ".join(f"t.{c} IS DISTINCT FROM s.{c}" for c in spec.value_columns)
        changes = f"stage_changes_{table}"
        _drop_temp_table(self.conn, changes)
        on_commit = " ON COMMIT DROP" if dialect == "postgresql" else ""
        self.conn.exec_driver_sql(
            f"CREATE TEMP TABLE {changes}{on_commit} AS "
            f"SELECT t.id AS target_id, {', '.join(f's.{c}' for c in columns)} "
            f"FROM ({source}) s LEFT JOIN {table} t ON {key_match} "
            f"WHERE t.id IS NULL OR {differs}"
        )
        self._maps.append(changes)  # dropped with the map tables
        upload, job = int(self.upload_id), "NULL" if self.job_id is None else str(int(self.job_id))
        json_fn = "jsonb_build_object" if dialect == "postgresql" else "json_object"
        previous = ", ".join(f"'{c}', t.{c}" for c in spec.value_columns + ("upload_id", "job_id"))
        updated = self.conn.exec_driver_sql(
            "INSERT INTO upload_overwrites "
            "(upload_id, table_name, row_id, previous_upload_id, previous) "
            f"SELECT {upload}, '{table}', t.id, t.upload_id, {json_fn}({previous}) "
            f"FROM {changes} c JOIN {table} t ON t.id = c.target_id"
        ).rowcount
        if updated:
            assignments = ", ".join(f"{c} = c.{c}" for c in spec.value_columns)
            self.conn.exec_driver_sql(
                f"UPDATE {table} SET {assignments}, upload_id = {upload}, job_id = {job} "
                f"FROM {changes} c WHERE {table}.id = c.target_id"
            )
        if dialect == "postgresql":
            fresh = self.conn.exec_driver_sql(
                f"SELECT COUNT(*) FROM {changes} WHERE target_id IS NULL"
            ).scalar_one()
            if fresh >= COPY_THRESHOLD_ROWS:
                self._copy_new_rows(changes, table, columns, upload, job)
                return TableCounts(new=fresh, updated=updated, unchanged=groups - fresh - updated)
        # ON CONFLICT covers a concurrent upload that inserted the same key meanwhile.
        excluded = ", ".join(f"{c} = excluded.{c}" for c in spec.value_columns)
        new = self.conn.exec_driver_sql(
            f"INSERT INTO {table} ({', '.join(columns)}, upload_id, job_id) "
            f"SELECT {', '.join(columns)}, {upload}, {job} FROM {changes} "
            f"WHERE target_id IS NULL ON CONFLICT ({', '.join(spec.key_columns)}) DO UPDATE SET "
            f"{excluded}, upload_id = excluded.upload_id, job_id = excluded.job_id"
        ).rowcount
        return TableCounts(new=new, updated=updated, unchanged=groups - new - updated)

    def _copy_new_rows(self, changes: str, table: str, columns, upload: int, job: str) -> None:
        """Insert a large number of new rows with ``COPY`` (about twice as fast as
        ``INSERT ... SELECT``). No ``ON CONFLICT`` here: a concurrent upload that inserted one
        of these keys meanwhile makes this upload fail as a whole (nothing is written)."""
        names = ", ".join(columns)
        _copy_rows_between(
            self.conn,
            f"SELECT {names}, {upload}, {job} FROM {changes} WHERE target_id IS NULL",
            f"{table} ({names}, upload_id, job_id)",
        )


def _copy_rows_between(conn: Connection, source_sql: str, target: str) -> None:
    """``COPY (source) TO STDOUT`` spooled to a temporary file, then ``COPY target FROM
    STDIN``: Postgres's bulk insert path, with memory bounded by the 1 MiB blocks."""
    raw = conn.connection.driver_connection
    with tempfile.TemporaryFile() as spool, raw.cursor() as cursor:
        with cursor.copy(f"COPY ({source_sql}) TO STDOUT") as out:
            for block in out:
                spool.write(block)
        spool.seek(0)
        with cursor.copy(f"COPY {target} FROM STDIN") as into:
            while block := spool.read(1 << 20):
                into.write(block)


def record_fields(record) -> dict[str, Any]:
    """A record as a dict (without its ``row``), e.g. for JSON previews."""
    if hasattr(record, "_asdict"):
        return {k: v for k, v in record._asdict().items() if k != "row"}
    return {f.name: getattr(record, f.name) for f in fields(record) if f.name != "row"}
