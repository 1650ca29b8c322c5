"""Canonical long CSV: one row per measurement (columns in ``long_rows``).

A file with only measurement and numeric checkpoint columns is read in column chunks
(``long_columns``); from the first unusual chunk on, rows are read one by one. Rows that only
carry the measurement columns take a per-row fast path (plain ``float``/``int`` parsing);
anything unusual there (a blank or bad cell, NaN, a unit, a long name) falls back to the full
parser, which names the row and column of what is wrong.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from backend.ingest.adapters import long_columns
from backend.ingest.adapters.long_rows import LongRowParser, check_columns
from backend.ingest.csvfile import iter_rows, read_header
from backend.ingest.formats import Adapter, Sample
from backend.ingest.validation import Problems
from backend.schemas import records as rec

_FAST_COLUMNS = {"model", "revision", "eval_set", "metric", "value", "stderr", "n"}
_INF = float("inf")


def sniff(sample: Sample) -> bool:
    """A CSV with ``model``, ``metric`` and ``value`` columns (a missing ``eval_set`` is then
    reported as such rather than as an unknown format)."""
    header = [c.strip() for c in sample.header]
    return all(c in header for c in ("model", "metric", "value"))


def read(path: Path, *, problems: Problems, options: dict | None = None) -> Iterator[rec.Record]:
    """Records of every row."""
    (header,) = read_header(path, problems)
    columns = [c.strip() for c in header]
    check_columns(columns, problems)
    parser = LongRowParser(columns, problems)
    after = 1  # rows up to this line are read
    if long_columns.applies(columns):
        resumed = yield from long_columns.read_fast(path, columns, parser)
        if resumed is None:
            return
        after = resumed
    if set(columns) <= _FAST_COLUMNS and "revision" in columns:
        yield from _fast(path, columns, parser, problems, after)
        return
    for row, fields in iter_rows(path, problems):
        if row > after:
            yield from parser.records(dict(zip(columns, fields, strict=True)), row)


def _fast(path, columns, parser, problems, after: int) -> Iterator[rec.Record]:
    where = {c: i for i, c in enumerate(columns)}
    i_model, i_rev, i_set = where["model"], where["revision"], where["eval_set"]
    i_metric, i_value = where["metric"], where["value"]
    i_stderr, i_n = where.get("stderr"), where.get("n")
    measurement = rec.MeasurementRecord
    for row, fields in iter_rows(path, problems):
        if row <= after:
            continue
        try:
            model, revision = fields[i_model].strip(), fields[i_rev].strip()
            eval_set, metric = fields[i_set].strip(), fields[i_metric].strip()
            value = float(fields[i_value])
            stderr = float(fields[i_stderr]) if i_stderr is not None else None
            n = int(fields[i_n]) if i_n is not None else None
            if (
                model
                and revision
                and eval_set
                and metric
                and -_INF < value < _INF
                and (stderr is None or 0.0 <= stderr < _INF)
                and (n is None or n >= 0)
                and len(model) <= 300
                and len(revision) <= 200
                and len(eval_set) <= 200
                and len(metric) <= 100
            ):
                yield measurement(model, revision, eval_set, metric, value, stderr, n, None, row)
                continue
        except ValueError:
            pass
        yield from parser.records(dict(zip(columns, fields, strict=True)), row)


ADAPTER = Adapter(
    "long_csv",
    "Canonical long CSV: model, revision, eval_set, metric, value[, stderr, n, unit, ...]",
    sniff,
    read,
)
