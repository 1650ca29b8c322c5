"""Point exclusion: the highest-y rule and hand-picked points, with their reasons."""

from __future__ import annotations

import pandas as pd

from backend.fits.exclusions import mark_excluded


def test_reasons_of_rule_hand_and_both():
    points = pd.DataFrame(
        {"model": ["a", "b", "c", "d"], "checkpoint": ["1", "1", "1", "1"], "y": [4, 3, 1, 2]}
    )
    marked = mark_excluded(points, drop_highest=2, exclude=["a@1", "c@1"])
    rule = "one of the 2 highest y values (drop_highest=2)"
    assert marked["excluded"].tolist() == [True, True, True, False]
    assert marked["reason"].tolist() == [f"{rule}; excluded by hand", rule, "excluded by hand", ""]
    plain = mark_excluded(points)
    assert not plain["excluded"].any() and set(plain["reason"]) == {""}
    assert marked["excluded"].dtype == bool
