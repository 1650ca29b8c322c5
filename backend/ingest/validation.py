"""Checks of single values, and the collector of problems an upload is refused for.

Adapters parse cells with the ``parse_*`` helpers, which raise :class:`CellError`; the
:class:`Problems` collector turns those into located :class:`IngestProblem` entries and stops the
upload (``IngestError``) once ``limit`` problems are known, so a hopeless file fails fast.
"""

from __future__ import annotations

import math

from backend.exceptions import IngestError, IngestProblem

MAX_PROBLEMS = 50


class CellError(ValueError):
    """One value is not what its column expects."""


class Problems:
    """Collects located problems of one file; raises once there are ``limit`` of them."""

    def __init__(self, file: str | None, *, limit: int = MAX_PROBLEMS):
        self.file = file
        self.limit = limit
        self.items: list[IngestProblem] = []
        self.warnings: list[IngestProblem] = []

    def add(self, message: str, *, row: int | None = None, column: str | None = None) -> None:
        """Record one problem; raise ``IngestError`` when the limit is reached."""
        self.items.append(IngestProblem(message, self.file, row, column))
        if len(self.items) >= self.limit:
            raise IngestError(self.items)

    def warn(self, message: str, *, row: int | None = None, column: str | None = None) -> None:
        """Record something skipped that does not refuse the file (kept up to ``limit``)."""
        if len(self.warnings) < self.limit:
            self.warnings.append(IngestProblem(message, self.file, row, column))

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        """Refuse the file if anything was wrong with it."""
        if self.items:
            raise IngestError(self.items)


def is_blank(text: str | None) -> bool:
    """Whether a cell is empty (``""``, whitespace, ``NA``-style markers)."""
    return text is None or text.strip() in ("", "NA", "N/A", "nan", "NaN", "null", "None", "-")


def parse_float(text, *, nonnegative: bool = False, blank_ok: bool = False) -> float | None:
    """A finite float from a cell (``None`` for a blank cell when ``blank_ok``)."""
    if isinstance(text, bool):
        raise CellError(f"expected a number, found {text!r}")
    if isinstance(text, (int, float)):
        value = float(text)
        if math.isnan(value) and blank_ok:
            return None
    else:
        if is_blank(text) and not _is_nan_text(text):
            if blank_ok:
                return None
            raise CellError("expected a number, found an empty cell")
        try:
            value = float(text)
        except (TypeError, ValueError):
            raise CellError(f"expected a number, found {str(text)[:40]!r}") from None
    if not math.isfinite(value):
        raise CellError(f"expected a finite number, found {value!r}")
    if nonnegative and value < 0:
        raise CellError(f"expected a number >= 0, found {value!r}")
    return value


def _is_nan_text(text) -> bool:
    return isinstance(text, str) and text.strip().lower() in ("nan", "inf", "-inf", "infinity")


def parse_count(text, *, blank_ok: bool = False) -> int | None:
    """A non-negative integer from a cell (``12``, ``12.0`` and ``1e6`` are fine)."""
    value = parse_float(text, blank_ok=blank_ok)
    if value is None:
        return None
    if value != int(value):
        raise CellError(f"expected a whole number, found {value!r}")
    if value < 0:
        raise CellError(f"expected a count >= 0, found {int(value)}")
    return int(value)


def parse_text(text, *, blank_ok: bool = False, max_length: int = 300) -> str | None:
    """A non-empty string from a cell, stripped."""
    if text is None or (isinstance(text, str) and not text.strip()):
        if blank_ok:
            return None
        raise CellError("expected a value, found an empty cell")
    if not isinstance(text, str):
        text = str(text)
    text = text.strip()
    if len(text) > max_length:
        raise CellError(f"expected at most {max_length} characters, found {len(text)}")
    return text


UNIT_SCALES = {"fraction": 1.0, "percent": 0.01, "%": 0.01}


def normalize_accuracy(value: float, unit: str | None) -> tuple[float, str | None]:
    """An accuracy as a fraction, and the unit the source used (``"percent"`` or
    ``"fraction"``); ``unit`` None leaves the value as is."""
    if unit is None:
        return value, None
    key = unit.strip().lower()
    if key in ("%", "pct", "percent", "percentage"):
        if not 0.0 <= value <= 100.0:
            raise CellError(f"expected a percentage in [0, 100], found {value!r}")
        return value / 100.0, "percent"
    if key in ("fraction", "frac", "ratio", "proportion"):
        if not 0.0 <= value <= 1.0:
            raise CellError(f"expected a fraction in [0, 1], found {value!r}")
        return value, "fraction"
    return value, unit.strip()
