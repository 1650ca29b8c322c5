"""Checks that refuse bad input to the analyses with a message a researcher can act on.

Every check raises :class:`AnalysisInputError` (a :class:`backend.exceptions.ValidationError`,
so the API answers HTTP 422) naming the offending argument and, where useful, the first bad
value and its position.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from backend.analysis.arrays import FloatArray
from backend.exceptions import ValidationError


class AnalysisInputError(ValidationError):
    """The numbers handed to a fit cannot be fitted as they are."""


def as_vector(values: object, name: str) -> FloatArray:
    """A 1-D float64 copy of ``values``; refuses non-numbers, NaN, infinities and emptiness."""
    try:
        array = np.array(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise AnalysisInputError(f"{name}: expected numbers, got {values!r:.80}") from exc
    if array.ndim == 0:
        array = array.reshape(1)
    if array.ndim != 1:
        raise AnalysisInputError(f"{name}: expected a 1-D sequence, got shape {array.shape}")
    if array.size == 0:
        raise AnalysisInputError(f"{name}: no values")
    bad = ~np.isfinite(array)
    if bad.any():
        index = int(np.flatnonzero(bad)[0])
        raise AnalysisInputError(
            f"{name}: {int(bad.sum())} value(s) are NaN or infinite "
            f"(first at position {index}); drop or fill them before fitting"
        )
    return array


def same_length(**arrays: np.ndarray) -> int:
    """The common length of the named arrays; refuses arrays of different lengths."""
    lengths = {name: len(array) for name, array in arrays.items()}
    if len(set(lengths.values())) > 1:
        shown = ", ".join(f"{name}={n}" for name, n in lengths.items())
        raise AnalysisInputError(f"inputs differ in length: {shown}")
    return next(iter(lengths.values()))


def at_least(n: int, minimum: int, what: str) -> None:
    """Refuses fewer than ``minimum`` points (a fit with k parameters needs more than k)."""
    if n < minimum:
        raise AnalysisInputError(f"{what}: needs at least {minimum} points, got {n}")


def positive(array: np.ndarray, name: str) -> None:
    """Refuses zero or negative values (logarithms of them are undefined)."""
    bad = array <= 0
    if bad.any():
        index = int(np.flatnonzero(bad)[0])
        raise AnalysisInputError(
            f"{name}: must be > 0 for a log-space fit; found {array[index]!r} at position {index}"
        )


def probabilities(array: np.ndarray, name: str, *, open_interval: bool = False) -> None:
    """Refuses values outside [0, 1] (or (0, 1)); accuracies are fractions, not percent."""
    bad = (array <= 0) | (array >= 1) if open_interval else (array < 0) | (array > 1)
    if bad.any():
        index = int(np.flatnonzero(bad)[0])
        interval = "(0, 1)" if open_interval else "[0, 1]"
        hint = " (percentages? divide by 100)" if array.max() > 1 else ""
        raise AnalysisInputError(
            f"{name}: must lie in {interval}; found {array[index]!r} at position {index}{hint}"
        )


def below(bound: float, array: np.ndarray, name: str, bound_name: str) -> None:
    """Refuses ``bound >= min(array)`` (e.g. an irreducible loss E_x not below every L_x)."""
    if not bound < array.min():
        raise AnalysisInputError(
            f"{bound_name}={bound!r} must be below min({name})={array.min()!r}"
        )


def not_constant(array: np.ndarray, name: str) -> None:
    """Refuses an input with a single distinct value (no slope can be fitted)."""
    if np.ptp(array) == 0:
        raise AnalysisInputError(f"{name}: all values are equal ({array[0]!r}); nothing to fit")


def level_in_unit_interval(level: float) -> None:
    """Refuses confidence levels outside (0, 1)."""
    if not 0 < level < 1:
        raise AnalysisInputError(f"level must lie in (0, 1), got {level!r}")


def resample_count(bootstrap: object) -> None:
    """Refuses a bootstrap count that is not a whole number >= 0 (0: no bootstrap)."""
    if isinstance(bootstrap, bool) or not isinstance(bootstrap, (int, np.integer)) or bootstrap < 0:
        raise AnalysisInputError(f"bootstrap must be a whole number >= 0, got {bootstrap!r}")


def columns_present(frame: object, columns: Sequence[str]) -> None:
    """Refuses a DataFrame that lacks one of ``columns``."""
    missing = [c for c in columns if c not in getattr(frame, "columns", ())]
    if missing:
        raise AnalysisInputError(f"missing column(s) {missing}")
