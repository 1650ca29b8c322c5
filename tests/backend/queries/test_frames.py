"""Plot frames: joins per checkpoint, filters, train-to-train matching, scaling compute."""

from __future__ import annotations

import numpy as np
import pytest

from backend.exceptions import NotFoundError, ValidationError
from backend.queries import frames
from backend.schemas.measurements import MeasurementFilter, MetricRef
from tests.backend.queries.seed import MODELS, STEPS, loss, seed

LOSS = MetricRef(eval_set="val-a", metric="loss")
ACC = MetricRef(eval_set="bench", metric="acc")


@pytest.fixture
def seeded(session):
    seed(session)
    return session


def test_metric_pair_frame_joins_per_checkpoint(seeded):
    frame = frames.metric_pair_frame(seeded, x=LOSS, y=ACC)
    # 9 checkpoints, one (b-small step 300) lacks the accuracy.
    assert len(frame) == 8
    assert frame["checkpoint_id"].is_unique
    for row in frame.itertuples():
        assert row.x == pytest.approx(loss(row.model, row.step))
        assert row.y == pytest.approx(row.step / 1000)
        assert row.tokens_seen == 1000 * row.step
        assert row.n_params == MODELS[row.model]["n_params"]
        assert row.pretraining_data == MODELS[row.model]["pretraining_data"]
        assert row.depth == MODELS[row.model]["depth"]
    assert list(frame.columns[:7]) == [
        "checkpoint_id",
        "model",
        "family",
        "architecture",
        "n_params",
        "pretraining_data",
        "tokenizer",
    ]


def test_metric_pair_frame_filters(seeded):
    by_data = frames.metric_pair_frame(
        seeded, x=LOSS, y=ACC, flt=MeasurementFilter(pretraining_data=["fineweb"])
    )
    assert set(by_data["model"]) == {"a-small", "org/a-big"}
    assert len(by_data) == 6
    by_step = frames.metric_pair_frame(
        seeded, x=LOSS, y=ACC, flt=MeasurementFilter(min_step=150, max_step=250)
    )
    assert sorted(by_step["step"].unique()) == [200]
    final = frames.metric_pair_frame(seeded, x=LOSS, y=ACC, flt=MeasurementFilter(final_only=True))
    # b-small's last checkpoint with both metrics is step 200.
    assert dict(zip(final["model"], final["step"], strict=True)) == {
        "a-small": 300,
        "b-small": 200,
        "org/a-big": 300,
    }
    none = frames.metric_pair_frame(seeded, x=LOSS, y=ACC, flt=MeasurementFilter(models=["zz"]))
    assert none.empty


def test_unknown_eval_set_and_bad_axis(seeded):
    with pytest.raises(NotFoundError, match="no eval set named 'nope'"):
        frames.metric_pair_frame(seeded, x=LOSS, y=MetricRef(eval_set="nope", metric="acc"))
    with pytest.raises(ValidationError, match="EVAL_SET:METRIC"):
        MetricRef.parse("no-colon")
    assert MetricRef.parse("c4:en:loss") == MetricRef(eval_set="c4:en", metric="loss")


def test_learning_curve_in_step_order(seeded):
    frame = frames.learning_curve_frame(seeded, metric=LOSS)
    assert len(frame) == 9
    for _, group in frame.groupby("model"):
        assert list(group["step"]) == list(STEPS)
        assert np.all(np.diff(group["value"]) < 0)


def test_scaling_frame_estimates_compute_as_6nd(seeded):
    frame = frames.scaling_frame(seeded, metric=LOSS)
    assert frame["compute_estimated"].all()
    expected = 6 * frame["n_params"] * frame["tokens_seen"]
    np.testing.assert_allclose(frame["compute"], expected)


def test_train_to_train_matches_same_n_and_d(seeded):
    frame = frames.train_to_train_frame(
        seeded, x=LOSS, y=LOSS, x_data="fineweb", y_data="starcoder"
    )
    # a-small (fineweb) pairs with b-small (starcoder) at every step; org/a-big has no partner.
    assert len(frame) == 3
    assert set(frame["x_model"]) == {"a-small"} and set(frame["y_model"]) == {"b-small"}
    assert set(frame["pairing"]) == {"fineweb → starcoder"}
    for row in frame.itertuples():
        assert row.x == pytest.approx(loss("a-small", row.step))
        assert row.y == pytest.approx(loss("b-small", row.step))
    both_ways = frames.train_to_train_frame(seeded, x=LOSS, y=LOSS)
    assert set(both_ways["pairing"]) == {"fineweb → starcoder", "starcoder → fineweb"}
    assert len(both_ways) == 6


def test_robustness_frame_is_id_against_ood(seeded):
    frame = frames.robustness_frame(seeded, in_distribution=ACC, out_of_distribution=LOSS)
    assert len(frame) == 8
    assert frame["x"].between(0, 1).all()


def test_models_frame_flattens_attributes(seeded):
    models = frames.models_frame(seeded)
    assert set(models["model"]) == set(MODELS)
    assert dict(zip(models["model"], models["depth"], strict=True))["org/a-big"] == 4


def test_coverage_marks_missing_cells(seeded):
    from backend.models import EvalSet
    from backend.queries.coverage import coverage_frame

    seeded.add(EvalSet(name="never-measured", kind="benchmark"))
    seeded.commit()
    measured_pairs = coverage_frame(seeded)
    assert len(measured_pairs) == 3 * 2  # the measured pairs only
    from backend.queries.coverage import coverage_page

    page, total = coverage_page(seeded, limit=4, offset=1)  # paged in the database
    assert total == 6
    assert page.to_dict("records") == measured_pairs.iloc[1:5].to_dict("records")
    assert coverage_page(seeded, offset=10)[1] == 6
    last, total = coverage_page(seeded, limit=4, offset=4)  # a short page counts itself
    assert (len(last), total) == (2, 6)
    assert last.to_dict("records") == measured_pairs.iloc[4:].to_dict("records")
    assert coverage_page(seeded, limit=100)[1] == 6
    holes, total = coverage_page(seeded, missing=True, limit=100)
    assert total == len(holes) == 3 * 3
    grid = coverage_frame(seeded, missing=True)
    assert len(grid) == 3 * 3
    missing = grid[~grid["measured"]]
    assert set(missing["eval_set"]) == {"never-measured"}
    assert (missing["n_measurements"] == 0).all()
    validation = coverage_frame(seeded, kind="validation", missing=True)
    assert set(validation["eval_set"]) == {"val-a"}
    assert validation["n_checkpoints"].tolist() == [3, 3, 3]
