"""Coverage's first view shows where something is missing: models measured on some but not
all of the most-measured eval sets, and per model what it lacks (most first)."""

from __future__ import annotations

import pandas as pd

from app.views.coverage import missing_rows, models_with_gaps


def grid(cells: dict[str, dict[str, bool]]) -> pd.DataFrame:
    rows = [
        {"model": m, "eval_set": e, "n_measurements": int(v), "n_checkpoints": 1, "measured": v}
        for m, sets in cells.items()
        for e, v in sets.items()
    ]
    return pd.DataFrame(rows)


def test_the_first_view_keeps_the_models_with_gaps():
    frame = grid(
        {
            "full": {"piqa": True, "arc": True, "rare": False},
            "partial-1.4b": {"piqa": True, "arc": False, "rare": False},
            "partial-160m": {"piqa": False, "arc": True, "rare": True},
            "never": {"piqa": False, "arc": False, "rare": False},
        }
    )
    focus = models_with_gaps(frame, max_eval_sets=2)  # piqa and arc: measured on most
    assert set(focus["model"]) == {"partial-1.4b", "partial-160m"}
    assert set(focus["eval_set"]) == {"piqa", "arc"}
    rows = missing_rows(focus)
    assert [(r["model"], r["missing"], r["of"], r["names"]) for r in rows] == [
        ("partial-160m", 1, 2, ["piqa"]),  # equal gaps: natural order of the names
        ("partial-1.4b", 1, 2, ["arc"]),
    ]


def test_without_gaps_the_grid_is_kept():
    frame = grid({"a": {"piqa": True}, "b": {"piqa": True}})
    assert models_with_gaps(frame).equals(frame)
    assert missing_rows(frame) == []
