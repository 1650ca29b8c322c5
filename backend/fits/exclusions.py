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
    n = len(points)
    highest, by_hand = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    k = max(int(drop_highest or 0), 0)
    if k:
        highest[np.argsort(-points["y"].to_numpy(float), kind="stable")[:k]] = True
    picked = set(exclude)
    if picked:
        by_hand = point_ids(points).isin(picked).to_numpy()
    high_reason = f"one of the {k} highest y values (drop_highest={k})"
    reason = np.full(n, "", dtype=object)
    reason[highest] = high_reason
    reason[by_hand] = "excluded by hand"
    reason[highest & by_hand] = f"{high_reason}; excluded by hand"
    return points.assign(excluded=highest | by_hand, reason=reason)
