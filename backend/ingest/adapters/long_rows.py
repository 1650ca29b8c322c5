"""The canonical long layout shared by the long CSV and long JSON formats: one row per
measurement, naming its model, checkpoint revision, eval set, metric and value.

Columns (only the first four and ``value`` are required)::

    model, revision, eval_set, metric, value, stderr, n, unit,
    step, tokens_seen, samples_seen, flops, weights_uri,
    family, architecture, n_params, pretraining_data, tokenizer, eval_kind

``unit`` ``percent`` turns a value into a fraction (the unit is recorded); a blank revision is
``step<step>`` when a step is given, else ``final``.
"""

from __future__ import annotations

from collections.abc import Iterator

from backend.ingest.validation import (
    CellError,
    Problems,
    is_blank,
    normalize_accuracy,
    parse_count,
    parse_float,
    parse_text,
)
from backend.schemas import records as rec

REQUIRED = ("model", "eval_set", "metric", "value")
MEASUREMENT = ("revision", "stderr", "n", "unit")
CHECKPOINT = ("step", "tokens_seen", "samples_seen", "flops", "weights_uri")
MODEL = ("family", "architecture", "n_params", "pretraining_data", "tokenizer")
EVAL_SET = ("eval_kind",)
COLUMNS = REQUIRED + MEASUREMENT + CHECKPOINT + MODEL + EVAL_SET


def check_columns(columns: list[str], problems: Problems, *, row: int | None = 1) -> None:
    """Unknown or missing columns are problems (the file is refused before any row)."""
    for column in columns:
        if column not in COLUMNS:
            problems.add(
                f"unknown column; the long format knows {', '.join(COLUMNS)}",
                row=row,
                column=column,
            )
    for column in REQUIRED:
        if column not in columns:
            problems.add("required column is missing", row=row, column=column)
    problems.raise_if_any()


class LongRowParser:
    """Turns one long row (cells by column name) into canonical records."""

    def __init__(self, columns: list[str], problems: Problems):
        self.problems = problems
        present = set(columns)
        self.checkpoint_columns = [c for c in CHECKPOINT if c in present]
        self.model_columns = [c for c in MODEL if c in present]
        self.has_eval_kind = "eval_kind" in present
        self.last_checkpoint: tuple | None = None

    def records(self, cells: dict, row: int) -> Iterator[rec.Record]:
        """The records of one row; bad cells are added to ``problems``."""
        column = "model"
        try:
            model = parse_text(cells["model"])
            column = "eval_set"
            eval_set = parse_text(cells["eval_set"], max_length=200)
            column = "metric"
            metric = parse_text(cells["metric"], max_length=100)
            column = "value"
            value = parse_float(cells["value"])
            column = "stderr"
            stderr = parse_float(cells.get("stderr"), nonnegative=True, blank_ok=True)
            column = "n"
            n = parse_count(cells.get("n"), blank_ok=True)
            column = "unit"
            unit = parse_text(cells.get("unit"), blank_ok=True, max_length=16)
            if unit is not None:
                value, unit = normalize_accuracy(value, unit)
                if stderr is not None and unit == "percent":
                    stderr = stderr / 100.0
            column = "step"
            step = parse_count(cells.get("step"), blank_ok=True)
            column = "revision"
            revision = parse_text(cells.get("revision"), blank_ok=True, max_length=200)
            if revision is None:
                revision = f"step{step}" if step is not None else rec.DEFAULT_REVISION
            column = "step"
            checkpoint = self.checkpoint_record(cells, model, revision, step, row)
            model_record = self.model_record(cells, model, row)
            eval_record = None
            if self.has_eval_kind and not is_blank(cells.get("eval_kind")):
                column = "eval_kind"
                kind = parse_text(cells["eval_kind"])
                if kind not in ("validation", "benchmark"):
                    raise CellError(f"expected 'validation' or 'benchmark', found {kind!r}")
                eval_record = rec.EvalSetRecord(eval_set, kind=kind, row=row)
        except CellError as exc:
            self.problems.add(str(exc), row=row, column=getattr(exc, "column", column))
            return
        if model_record is not None:
            yield model_record
        if checkpoint is not None:
            yield checkpoint
        if eval_record is not None:
            yield eval_record
        yield rec.MeasurementRecord(model, revision, eval_set, metric, value, stderr, n, unit, row)

    def checkpoint_record(self, cells, model, revision, step, row):
        if not self.checkpoint_columns:
            return None
        # Rows of one checkpoint come together (one per metric): the same cells again say
        # nothing new, so no second record.
        stated = (model, revision, *(cells.get(c) for c in self.checkpoint_columns))
        if stated == self.last_checkpoint:
            return None
        values = {}
        for column in self.checkpoint_columns:
            cell = cells.get(column)
            try:
                if column == "step":
                    values["step"] = step
                elif column == "weights_uri":
                    values[column] = parse_text(cell, blank_ok=True, max_length=1000)
                else:
                    values[column] = parse_float(cell, nonnegative=True, blank_ok=True)
            except CellError as exc:
                raise _Located(exc, column) from None
        self.last_checkpoint = stated
        if all(v is None for v in values.values()):
            return None
        return rec.CheckpointRecord(model, revision, row=row, **values)

    def model_record(self, cells, model, row):
        if not self.model_columns:
            return None
        values = {}
        for column in self.model_columns:
            cell = cells.get(column)
            try:
                if column == "n_params":
                    number = parse_float(cell, blank_ok=True)
                    if number is not None and number <= 0:
                        raise CellError(f"expected a parameter count > 0, found {number!r}")
                    values[column] = number
                else:
                    values[column] = parse_text(cell, blank_ok=True, max_length=200)
            except CellError as exc:
                raise _Located(exc, column) from None
        if all(v is None for v in values.values()):
            return None
        return rec.ModelRecord(model, row=row, **values)


class _Located(CellError):
    """A cell error that knows its column (raised from helpers of ``records``)."""

    def __init__(self, error: CellError, column: str):
        super().__init__(str(error))
        self.column = column
