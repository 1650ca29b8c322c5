"""One fit per group of a DataFrame ("data determines the line": one curve per corpus, ...)."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

import pandas as pd

from backend.analysis import validation as check

Result = TypeVar("Result")


def fit_per_group(
    frame: pd.DataFrame,
    by: str | Sequence[str],
    fit: Callable[..., Result],
    columns: Sequence[str],
    *,
    skip_failures: bool = False,
    failures: dict[Hashable, str] | None = None,
    **options: Any,
) -> dict[Hashable, Result]:
    """``fit(frame[col_1], frame[col_2], ..., **options)`` for each group of ``frame`` by ``by``.

    Rows with a missing value in ``columns`` are dropped first. With ``skip_failures`` a group
    that the fit refuses (e.g. too few points) is left out instead of failing the whole call;
    ``failures``, if given, receives why (group -> the fit's message).
    """
    keys = [by] if isinstance(by, str) else list(by)
    check.columns_present(frame, [*keys, *columns])
    clean = frame.dropna(subset=list(columns))
    results: dict[Hashable, Result] = {}
    for key, group in clean.groupby(keys if len(keys) > 1 else keys[0], sort=True):
        try:
            results[key] = fit(*(group[c].to_numpy() for c in columns), **options)
        except check.AnalysisInputError as exc:
            if not skip_failures:
                raise check.AnalysisInputError(f"group {key!r}: {exc}") from exc
            if failures is not None:
                failures[key] = str(exc)
    return results


def fit_columns(
    frame: pd.DataFrame, fit: Callable[..., Result], columns: Sequence[str], **options: Any
) -> Result:
    """``fit(frame[col_1], ..., **options)`` after dropping rows with a missing value."""
    check.columns_present(frame, list(columns))
    clean = frame.dropna(subset=list(columns))
    return fit(*(clean[c].to_numpy() for c in columns), **options)
