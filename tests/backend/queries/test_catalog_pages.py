"""The models and checkpoints listings page and sort in the database (what /models and
/model/<name> show one page of)."""

from __future__ import annotations

import pytest

from backend.exceptions import ValidationError
from backend.queries import catalog
from tests.backend.queries.seed import MODELS, seed


def test_model_pages_join_up_to_the_whole_listing(session):
    seed(session)
    everything = catalog.list_models(session)
    pages = [catalog.list_models(session, limit=2, offset=o) for o in (0, 2, 4)]
    assert [m for page in pages for m in page] == everything
    assert [m.name for m in everything] == sorted(MODELS)
    assert catalog.count_models(session) == len(MODELS)
    assert catalog.count_models(session, search="big") == 1
    assert catalog.count_models(session, pretraining_data=["fineweb"]) == 2


def test_models_sort_by_a_column_then_by_name(session):
    seed(session)
    by_size = catalog.list_models(session, sort=[("n_params", True)])
    assert [m.name for m in by_size] == ["org/a-big", "a-small", "b-small"]
    by_data = catalog.list_models(session, sort=[("pretraining_data", False)], limit=2)
    assert [m.name for m in by_data] == ["a-small", "org/a-big"]
    with pytest.raises(ValidationError):
        catalog.list_models(session, sort=[("attributes", False)])


def test_checkpoint_pages_keep_step_order_and_counts(session):
    seed(session)
    everything = catalog.list_checkpoints(session, model="b-small")
    page = catalog.list_checkpoints(session, model="b-small", limit=2, offset=1)
    assert page == everything[1:3]
    assert [c.n_measurements for c in everything] == [2, 2, 1]
