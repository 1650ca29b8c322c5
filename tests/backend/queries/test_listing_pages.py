"""Measurement listing pages against the whole ordered listing, on SQLite and Postgres.

Both ways of finding a page (the first models by name, or per-model counts of every match)
and the bounded total are exercised by shrinking ``FIRST_MODELS`` and ``COUNT_AHEAD``: every
page must equal the same slice of the full listing, and ``total`` must be exact when
``total_exact`` says so, else a lower bound that reaches ``COUNT_AHEAD`` past the page.
"""

from __future__ import annotations

import pytest
from sqlalchemy import insert

from backend.models import Checkpoint, EvalSet, Measurement, Model
from backend.queries import measurements
from backend.queries.measurements import list_measurements, measurements_frame
from backend.schemas.measurements import MeasurementFilter

N_MODELS, N_CHECKPOINTS, SPARSE_MODELS = 9, 4, 2
FILTERS = [
    {},
    {"eval_sets": ["dense"]},
    {"eval_sets": ["sparse"]},
    {"eval_sets": ["dense", "sparse"]},
    {"metrics": ["acc"]},
    {"metrics": ["loss"], "families": ["odd"]},
    {"min_step": 200, "eval_sets": ["sparse"]},
    {"final_only": True},
    {"final_only": True, "eval_sets": ["dense"]},
    {"models": ["nope"]},
]


def _seed(session) -> None:
    # Ids run against name order (model 1 is named last), so id order never passes for it.
    session.execute(
        insert(Model),
        [
            {"id": m + 1, "name": f"m-{N_MODELS - m:02d}", "family": ("even", "odd")[m % 2],
             "attributes": {}}
            for m in range(N_MODELS)
        ],
    )  # fmt: skip
    session.execute(
        insert(Checkpoint),
        [
            {"id": m * N_CHECKPOINTS + c + 1, "model_id": m + 1, "revision": f"step{c * 100}",
             "step": c * 100}
            for m in range(N_MODELS)
            for c in range(N_CHECKPOINTS)
        ],
    )  # fmt: skip
    session.execute(insert(EvalSet), [{"id": 1, "name": "dense"}, {"id": 2, "name": "sparse"}])
    checkpoints = range(1, N_MODELS * N_CHECKPOINTS + 1)
    rows = [
        {"checkpoint_id": c, "eval_set_id": 1, "metric": metric, "value": 1.0}
        for c in checkpoints
        for metric in ("loss", "perplexity")
    ]
    rows += [  # only the models with the smallest ids: the last ones by name
        {"checkpoint_id": c, "eval_set_id": 2, "metric": "acc", "value": 0.5}
        for c in checkpoints
        if c <= SPARSE_MODELS * N_CHECKPOINTS
    ]
    session.execute(insert(Measurement), rows)
    session.flush()


@pytest.mark.parametrize("first_models", [2, 100])
def test_every_page_is_a_slice_of_the_whole_listing(session, monkeypatch, first_models):
    _seed(session)
    monkeypatch.setattr(measurements, "FIRST_MODELS", first_models)
    monkeypatch.setattr(measurements, "COUNT_AHEAD", 3)
    for spec in FILTERS:
        flt = MeasurementFilter(**spec)
        everything = measurements_frame(session, flt=flt)["id"].tolist()
        for limit, offset in ((5, 0), (5, 7), (40, 0), (5, 60), (1, max(len(everything) - 1, 0))):
            page = list_measurements(session, flt=flt, limit=limit, offset=offset)
            where = f"{spec} limit {limit} offset {offset}"
            assert [item.id for item in page.items] == everything[offset : offset + limit], where
            if page.total_exact:
                assert page.total == len(everything), where
            else:
                assert offset + limit + 3 < page.total <= len(everything), where
            exact = list_measurements(
                session, flt=flt, limit=limit, offset=offset, exact_total=True
            )
            assert exact.total_exact and exact.total == len(everything), where
            assert exact.items == page.items, where


def test_small_listings_count_exactly(session):
    _seed(session)
    page = list_measurements(session, flt=MeasurementFilter(eval_sets=["sparse"]), limit=3)
    assert page.total_exact and page.total == SPARSE_MODELS * N_CHECKPOINTS
    assert [item.model for item in page.items] == ["m-08"] * 3
