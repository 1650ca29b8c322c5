"""The model page's series picker lists a few series and searches all of them as one types;
the chosen ones always stay listed."""

from __future__ import annotations

from app.views.models import SERIES_OPTIONS_LIMIT, series_options

SERIES = [f"task{i:03d} · acc" for i in range(SERIES_OPTIONS_LIMIT * 3)] + ["LAMBADA · ppl"]


def test_untyped_lists_the_first_series_and_the_chosen():
    assert series_options(SERIES) == SERIES[:SERIES_OPTIONS_LIMIT]
    chosen = [SERIES[-1], SERIES[100]]
    listed = series_options(SERIES, chosen=chosen)
    assert listed[:2] == chosen and len(listed) == SERIES_OPTIONS_LIMIT
    assert listed[2:] == SERIES[: SERIES_OPTIONS_LIMIT - 2]


def test_typing_searches_every_series_in_any_case():
    assert series_options(SERIES, search="lambada") == ["LAMBADA · ppl"]
    assert series_options(SERIES, search="TASK11") == [f"task11{i} · acc" for i in range(10)]
    assert series_options(SERIES, search="nothing", chosen=["gone · acc", SERIES[5]]) == [
        SERIES[5]
    ]
