"""Natural order of sizes and numbers (legends, dropdowns, tables) and the colour-blind-safe
palette the group colours come from."""

from __future__ import annotations

import pandas as pd

from app.figures.base import grouped_point_traces
from app.natural import natural_sorted
from app.palette import PALETTE, color_for


def test_sizes_sort_by_magnitude_not_text():
    names = ["pythia-1.4b", "pythia-12b", "pythia-160m", "pythia-410m", "pythia-70m"]
    assert natural_sorted(names) == [
        "pythia-70m",
        "pythia-160m",
        "pythia-410m",
        "pythia-1.4b",
        "pythia-12b",
    ]
    assert natural_sorted(["step10", "step2", "step100"]) == ["step2", "step10", "step100"]
    assert natural_sorted([None, 3.0, 1e9, 20]) == [3.0, 20, 1e9, None]


def test_legends_list_groups_in_natural_order():
    frame = pd.DataFrame(
        {
            "x": [1.0, 2.0, 3.0, 4.0],
            "y": [1.0, 2.0, 3.0, 4.0],
            "group": ["1.4b", "160m", "12b", "410m"],
            "model": ["a", "b", "c", "d"],
            "checkpoint": ["final"] * 4,
        }
    )
    traces = grouped_point_traces(frame, x="x", y="y", group="group")
    assert [t.name for t in traces] == ["160m", "410m", "1.4b", "12b"]
    assert all(t.marker.color == color_for(t.name) for t in traces)


def test_palette_is_okabe_ito_then_tol_muted():
    assert PALETTE[:5] == ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7")
    assert "#332288" in PALETTE and len(set(PALETTE)) == len(PALETTE)
