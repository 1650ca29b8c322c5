"""Point exclusion as view state: rules ("drop the k highest-loss points") and points picked
by hand (``model@checkpoint``), applied before fitting and recorded with their reason."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd


def point_id(model: str, checkpoint: str) -> str:
    """The id a URL uses for one plotted point: ``model@checkpoint``."""
    return f"{model}@{checkpoint}"


def point_ids(points: pd.DataFrame) -> pd.Series:
    """The ``model@checkpoint`` id of every point."""
    return points["model"].astype(str) + "@" + points["checkpoint"].astype(str)


def mark_excluded(
    points: pd.DataFrame, *, drop_highest: int = 0, exclude: Iterable[str] = ()
) -> pd.DataFrame:
    """``points`` with ``excluded`` (bool) and ``reason`` columns: the ``drop_highest`` points
    of highest y (as Besiroglu et al. drop Chinchilla's five highest losses) and the points
    whose id is in ``exclude``."""
    reasons: list[list[str]] = [[] for _ in range(len(points))]
    k = max(int(drop_highest or 0), 0)
    if k:
        for i in np.argsort(-points["y"].to_numpy(float), kind="stable")[:k]:
            reasons[i].append(f"one of the {k} highest y values (drop_highest={k})")
    picked = set(exclude)
    if picked:
        for i in np.flatnonzero(point_ids(points).isin(picked).to_numpy()):
            reasons[i].append("excluded by hand")
    reason = ["; ".join(r) for r in reasons]
    return points.assign(excluded=[bool(r) for r in reason], reason=reason)
