"""Helpers shared by adapters: one metric cell to a measurement, header-sniffing."""

from __future__ import annotations

from backend.ingest.validation import CellError, Problems, is_blank, normalize_accuracy, parse_float
from backend.schemas import records as rec


def cell_measurement(
    cell,
    *,
    model: str,
    revision: str,
    eval_set: str,
    metric: str,
    row: int,
    column: str,
    problems: Problems,
    unit: str | None = None,
    stderr=None,
    n: int | None = None,
) -> rec.MeasurementRecord | None:
    """The measurement in one cell (None for a blank cell or a bad one, which becomes a
    problem); ``unit`` ``percent`` is turned into a fraction."""
    if cell is None or (isinstance(cell, str) and is_blank(cell) and not _nan_word(cell)):
        return None
    try:
        value = parse_float(cell)
        if unit is not None:
            value, unit = normalize_accuracy(value, unit)
        if stderr is not None:
            stderr = parse_float(stderr, nonnegative=True, blank_ok=True)
            if stderr is not None and unit == "percent":
                stderr /= 100.0
    except CellError as exc:
        problems.add(str(exc), row=row, column=column)
        return None
    return rec.MeasurementRecord(model, revision, eval_set, metric, value, stderr, n, unit, row)


def _nan_word(cell: str) -> bool:
    return cell.strip().lower() in ("nan", "inf", "-inf", "infinity")


def header_has(header: list[str], *names: str) -> bool:
    """Whether every one of ``names`` is a column of ``header``."""
    present = {h.strip() for h in header}
    return all(n in present for n in names)


def optional_float(cell, *, row, column, problems, nonnegative=True, positive=False):
    """A number from an optional cell (blank: None); a bad cell is a problem."""
    try:
        value = parse_float(cell, nonnegative=nonnegative, blank_ok=True)
    except CellError as exc:
        problems.add(str(exc), row=row, column=column)
        return None
    if positive and value is not None and value <= 0:
        problems.add(f"expected a number > 0, found {value!r}", row=row, column=column)
        return None
    return value
