"""The frequency page's pair views on a real database, with known truth."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from app.views.concept_pairs import PAIR_SEPARATOR
from app.views.frequency import FrequencyState, build_frequency_view
from tests.app.explorer_data import add_concept_counts, add_concept_scores, add_pair_counts

CONCEPTS = {f"object{i}": int(c) for i, c in enumerate(np.logspace(1, 6, 12))}
PAIRS = list(itertools.combinations(sorted(CONCEPTS), 2))  # 66 pairs


def geometric_mean_log(a, b):
    return (np.log10(CONCEPTS[a]) + np.log10(CONCEPTS[b])) / 2


@pytest.fixture
def pair_data(session):
    rng = np.random.default_rng(0)
    add_concept_counts(session, corpus="web", method="captions", counts=CONCEPTS)
    joint = {(a, b): int(rng.integers(0, 50)) for a, b in PAIRS}
    add_pair_counts(session, corpus="web", method="captions", counts=joint)
    scores = {}
    for a, b in PAIRS:
        # performance is linear in the mean log frequency (slope 0.1) ...
        scores[f"{b}{PAIR_SEPARATOR}{a}"] = 0.1 + 0.1 * geometric_mean_log(a, b)
    add_concept_scores(
        session, model="vlm", eval_set="pairs", scores=scores, pretraining_data="web"
    )
    session.commit()
    return joint


def state(view: str) -> FrequencyState:
    return FrequencyState(view=view, eval_set="pairs", corpus="web", method="captions")


def test_compositional_view_recovers_the_geometric_mean_slope(session, pair_data):
    view = build_frequency_view(session, state("pairs"))
    (row,) = view.table
    assert row["slope per ×10 (points)"] == pytest.approx(10.0, abs=1e-6)
    assert row["R²"] == pytest.approx(1.0) and row["pairs"] == len(PAIRS)
    first = view.points.iloc[0]
    a, b = sorted(first["concept"].split(PAIR_SEPARATOR))
    assert first["x"] == pytest.approx(10 ** geometric_mean_log(a, b))


def test_pmi_view_uses_smoothed_pmi_of_the_stored_counts(session, pair_data):
    view = build_frequency_view(session, state("pmi"))
    (row,) = view.table
    assert row["pairs"] == len(PAIRS)
    for _, point in view.points.iterrows():
        a, b = sorted(point["concept"].split(PAIR_SEPARATOR))
        expected = np.log(pair_data[(a, b)] + 1) - np.log(CONCEPTS[a] + 1) - np.log(CONCEPTS[b] + 1)
        assert point["x"] == pytest.approx(expected)
    # accuracy grows with log frequency while PMI falls with it: a negative correlation
    assert row["r"] < 0
    assert view.figure.layout.xaxis.type == "linear"


def test_pair_views_without_pair_scores_say_what_they_need(session):
    add_concept_counts(session, corpus="web", method="captions", counts={"a": 1})
    add_concept_scores(session, model="m", eval_set="pairs", scores={"a": 0.5})
    session.commit()
    view = build_frequency_view(session, state("pmi"))
    assert view.is_empty and PAIR_SEPARATOR.strip() in view.message
