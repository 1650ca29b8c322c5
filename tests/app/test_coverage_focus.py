"""Coverage's first view shows where something is missing: models measured on some but not
all of the most-measured eval sets, and per model what it lacks (most first); the drawn part
is chosen from the measured pairs alone."""

from __future__ import annotations

import pandas as pd

from app.views.coverage import limit_grid, missing_rows, models_with_gaps
from backend.queries.coverage import COLUMNS, Coverage


def grid(cells: dict[str, dict[str, bool]]) -> Coverage:
    """A ``Coverage`` from ``{model: {eval_set: measured}}`` (every model has every set)."""
    rows = [
        {"model": m, "eval_set": e, "n_measurements": 2, "n_checkpoints": 1, "measured": True}
        for m, sets in sorted(cells.items())
        for e, v in sorted(sets.items())
        if v
    ]
    models = sorted(cells)
    eval_sets = sorted({e for sets in cells.values() for e in sets})
    return Coverage(models=models, eval_sets=eval_sets, cells=pd.DataFrame(rows, columns=COLUMNS))


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
    assert set(focus.models) == {"partial-1.4b", "partial-160m"}
    assert set(focus.eval_sets) == {"piqa", "arc"}
    rows = missing_rows(focus)
    assert [(r["model"], r["missing"], r["of"], r["names"]) for r in rows] == [
        ("partial-160m", 1, 2, ["piqa"]),  # equal gaps: natural order of the names
        ("partial-1.4b", 1, 2, ["arc"]),
    ]


def test_without_gaps_the_grid_is_kept():
    frame = grid({"a": {"piqa": True}, "b": {"piqa": True}})
    assert models_with_gaps(frame) is frame
    assert missing_rows(frame) == []


def test_limit_grid_keeps_the_most_measured_and_says_what_it_left_out():
    # eval set 0 measured on all models, model 4 on most eval sets
    frame = grid({f"m{m}": {f"e{e}": e <= m for e in range(4)} for m in range(5)})
    shown, note = limit_grid(frame, max_models=2, max_eval_sets=3)
    assert shown.eval_sets == ["e0", "e1", "e2"]
    assert shown.models == ["m2", "m3"]  # three measured each, like m4; ties by name
    assert "3 of 4 eval sets" in note and "2 of 5 models" in note
    shown, note = limit_grid(frame, eval_q="E3")
    assert shown.eval_sets == ["e3"] and note == ""
    shown, note = limit_grid(frame, eval_q="nothing")
    assert shown.n_pairs == 0 and note == ""


def test_dense_fills_in_the_holes_of_the_drawn_part():
    frame = grid({"a": {"x": True, "y": False}, "b": {"x": False, "y": True}})
    dense = frame.restrict(models=["b", "a"]).dense()
    assert list(zip(dense["model"], dense["eval_set"], dense["measured"], strict=True)) == [
        ("a", "x", True),
        ("a", "y", False),
        ("b", "x", False),
        ("b", "y", True),
    ]
    assert dense["n_measurements"].tolist() == [2, 0, 0, 2]
