"""The bulk write path: canonical records in, rows upserted on natural keys, all in one
transaction owned by the caller.

How it works (bounded memory, whatever the file size):

1. Dimension records (models, checkpoints, eval sets, corpora) are few; they are merged in
   memory by natural key (``backend.ingest.dimensions``) and get a local integer id.
2. Fact records (measurements, concept scores, concept and pair frequencies) are checked and
   streamed into temporary staging tables in batches of ``batch_rows``
   (``backend.ingest.staging``). Only the current batch is held in memory.
3. At :meth:`UploadWriter.finish`, set-based SQL finds duplicate keys with conflicting values
   (anywhere in the file, across batches), upserts the dimensions set-based, then writes the
   facts that are new or differ (``backend.ingest.facts``), keeping the coverage grid.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection

from backend.catalog.aliases import canonical_records
from backend.ingest.dimensions import (
    CHECKPOINTS,
    CORPORA,
    DIMENSIONS,
    EVAL_SETS,
    MODELS,
    DimensionBuffer,
    upsert_dimension,
)
from backend.ingest.facts import FactWriting
from backend.ingest.report import TableCounts
from backend.ingest.staging import FACTS, FactStage
from backend.ingest.temp_tables import drop_temp_table
from backend.ingest.validation import Problems
from backend.schemas import records as rec

_INF = float("inf")


class UploadWriter(FactWriting):
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
        self.dims = {spec.table.name: DimensionBuffer(spec, problems) for spec in DIMENSIONS}
        self.stages = {spec.table: FactStage(spec, conn, batch_rows) for spec in FACTS}
        self._maps: list[str] = []
        self._last_checkpoint: tuple = (None, None, -1)
        self._handlers: dict[type, Callable[[Any], None]] = {
            rec.MeasurementRecord: self._add_measurement,
            rec.MeasurementColumns: self._add_columns,
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
        handlers, count, columns = self._handlers, 0, rec.MeasurementColumns
        try:
            for record in canonical_records(records):
                count += 1
                handler = handlers.get(record.__class__)
                if handler is None:
                    raise TypeError(f"not a canonical record: {record!r}")
                if record.__class__ is columns:
                    count += len(record) - 1  # one record per measurement
                handler(record)
        finally:
            self.records += count

    def add(self, record: rec.Record) -> None:
        """Add one record (dispatch on its type)."""
        self.records += len(record) if isinstance(record, rec.MeasurementColumns) else 1
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

    def _add_columns(self, c: rec.MeasurementColumns) -> None:
        """Measurements as columns: checked column by column, their checkpoints and eval sets
        looked up once per distinct name, staged as columns (a bad value: row by row)."""
        if not _good_columns(c):
            for record in c.records():
                self._add_measurement(record)
            return
        models, checkpoints = self.dims["models"], self.dims["checkpoints"]
        checkpoint_ids = {}
        for key in dict.fromkeys(zip(c.model, c.revision, strict=True)):
            models.ensure((key[0],))
            checkpoint_ids[key] = checkpoints.ensure(key)
        eval_sets = self.dims["eval_sets"]
        eval_set_ids = {name: eval_sets.ensure((name,)) for name in dict.fromkeys(c.eval_set)}
        self.stages["measurements"].add_columns(
            [
                c.rows,
                list(map(checkpoint_ids.__getitem__, zip(c.model, c.revision, strict=True))),
                list(map(eval_set_ids.__getitem__, c.eval_set)),
                c.metric,
                c.value,
                c.stderr,
                c.n,
                None,
            ]
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
            model_ids: list[int] = []
            for spec in DIMENSIONS:
                buffer = self.dims[spec.table.name]
                if buffer.pending:
                    keys = [self._db_key(spec, entry.key, model_ids) for entry in buffer.pending]
                    ids, counts[spec.table.name], staged = upsert_dimension(
                        self.conn, buffer, keys, self.upload_id
                    )
                    self._maps += staged
                    model_ids = ids if spec is MODELS and ids is not None else model_ids
            for stage in self.stages.values():
                if stage.staged:
                    table = stage.spec.table
                    counts[table] = self._upsert_facts(stage, groups[table], stage.staged)
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
        for name in self._maps:
            drop_temp_table(self.conn, name)
        self._maps = []

    def _db_key(self, spec, key: tuple, model_ids: list[int]) -> tuple:
        """A checkpoint's key names its model by id once the models are written."""
        if spec is CHECKPOINTS:
            model_local = self.dims["models"].local_ids[(key[0],)]
            return (model_ids[model_local], key[1])
        return key


def _good_columns(c: rec.MeasurementColumns) -> bool:
    """Finite float values, finite stderrs >= 0, whole counts >= 0 (the checks of
    ``_add_measurement``, a column at a time)."""
    if not c.rows:
        return True
    if set(map(type, c.value)) != {float} or not all(map(math.isfinite, c.value)):
        return False
    if c.stderr is not None and (
        set(map(type, c.stderr)) != {float}
        or not all(map(math.isfinite, c.stderr))
        or min(c.stderr) < 0
    ):
        return False
    return c.n is None or (set(map(type, c.n)) == {int} and min(c.n) >= 0)
