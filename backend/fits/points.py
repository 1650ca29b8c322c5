"""The explorers' point convention (``x, y, group, model, checkpoint``) shared by every fit."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

MISSING_GROUP = "unknown"
# Below this many points a group gets no fitted line (its points still show).
MIN_POINTS_TO_FIT = 5


def group_labels(frame: pd.DataFrame, column: str | None) -> pd.Series:
    """The group of each row as text (``unknown`` where the attribute is missing)."""
    if not column or column not in frame:
        return pd.Series("all", index=frame.index, dtype=object)
    values = frame[column]
    if pd.api.types.is_float_dtype(values):
        text = values.map(lambda v: f"{v:.3g}" if pd.notna(v) else MISSING_GROUP)
    else:
        text = values.astype(object).where(values.notna(), MISSING_GROUP).astype(str)
    return text.replace({"": MISSING_GROUP, "nan": MISSING_GROUP, "None": MISSING_GROUP})


def point_frame(
    frame: pd.DataFrame, *, x: str, y: str, group: str | None, keep: Iterable[str] = ()
) -> pd.DataFrame:
    """The explorers' point convention: ``x, y, group, model, checkpoint`` (+ ``keep``), rows
    with a missing x or y dropped."""
    if frame.empty:
        columns = ["x", "y", "group", "model", "checkpoint", *keep]
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    points = pd.DataFrame(
        {
            "x": pd.to_numeric(frame[x], errors="coerce").astype(float),
            "y": pd.to_numeric(frame[y], errors="coerce").astype(float),
            "group": group_labels(frame, group),
            "model": frame["model"].astype(str) if "model" in frame else "",
            "checkpoint": frame["revision"].astype(str) if "revision" in frame else "",
        }
    )
    for column in keep:
        if column in frame and column not in points:
            points[column] = frame[column]
    mask = np.isfinite(points["x"]) & np.isfinite(points["y"])
    return points[mask].reset_index(drop=True)
