"""Robustness view on a real database: baseline fit and effective robustness with known truth."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special

from app.views.robustness import RobustnessState, build_robustness_view
from tests.app.explorer_data import add_runs

W, B, SHIFT = 0.8, -0.5, 0.4  # logit(OOD) = W logit(ID) + B (+ SHIFT for the robust models)


@pytest.fixture
def models(session):
    rng = np.random.default_rng(0)
    rows = []
    for kind, shift, count in (("standard", 0.0, 30), ("robust", SHIFT, 6)):
        for i, acc_id in enumerate(rng.uniform(0.3, 0.9, count)):
            acc_ood = special.expit(W * special.logit(acc_id) + B + shift + rng.normal(0, 0.01))
            rows.append(
                {
                    "name": f"{kind}-{i}",
                    "values": {("imagenet", "acc1"): acc_id, ("imagenet-v2", "acc1"): acc_ood},
                    "family": kind,
                    "eval_kinds": {"imagenet": "benchmark", "imagenet-v2": "benchmark"},
                }
            )
    add_runs(session, rows)
    return rows


def expected_er(acc_id, acc_ood):
    return acc_ood - special.expit(W * special.logit(acc_id) + B)


def test_baseline_fit_on_chosen_set_and_effective_robustness(session, models):
    state = RobustnessState(
        id="imagenet:acc1", ood="imagenet-v2:acc1", group="family", baseline=["standard"]
    )
    view = build_robustness_view(session, state)
    (row,) = view.table
    assert float(row["w (slope)"].split()[0]) == pytest.approx(W, abs=0.03)
    assert float(row["b (intercept)"].split()[0]) == pytest.approx(B, abs=0.03)
    assert row["baseline models"] == 30 and "bootstrap" in row["interval"]
    assert len(view.details) == len(models)
    ranked = [d["effective robustness (points)"] for d in view.details]
    assert ranked == sorted(ranked, reverse=True)  # most robust first
    assert {d["group"] for d in view.details[:6]} == {"robust"}
    for detail in view.details:
        truth = 100 * expected_er(detail["ID accuracy (%)"] / 100, detail["OOD accuracy (%)"] / 100)
        assert detail["effective robustness (points)"] == pytest.approx(truth, abs=0.6)
        assert detail["ER low"] <= detail["effective robustness (points)"] <= detail["ER high"]
    baseline = next(t for t in view.figure.data if t.name == "baseline fit (logit)")
    np.testing.assert_allclose(np.diff(baseline.y) / np.diff(baseline.x), W, atol=0.03)


def test_all_models_as_baseline_absorb_the_shift_and_linear_axes_fit_in_logit(session, models):
    state = RobustnessState(id="imagenet:acc1", ood="imagenet-v2:acc1", transform="linear")
    view = build_robustness_view(session, state)
    assert view.table[0]["baseline models"] == len(models)
    assert view.notes == ("Baseline fitted in logit space",)
    assert view.figure.layout.xaxis.ticktext is not None


def test_missing_benchmark_and_no_fit(session, models):
    # an unmeasured benchmark falls back to a measured one, as a URL's would
    unknown = build_robustness_view(session, RobustnessState(id="imagenet:acc1", ood="x:y"))
    assert unknown.fits.state.ood == "imagenet-v2:acc1"
    view = build_robustness_view(
        session, RobustnessState(id="imagenet:acc1", ood="imagenet-v2:acc1", fit=False)
    )
    assert not view.table and len(view.points) == len(models)


def test_details_table_holds_the_most_robust_rows_and_says_how_many(session, models):
    from app.views.robustness import robustness_rows, table_note

    state = RobustnessState(
        id="imagenet:acc1", ood="imagenet-v2:acc1", group="family", baseline=["standard"]
    )
    full = build_robustness_view(session, state)
    mask = full.points["in_baseline"].to_numpy()
    rows = robustness_rows(full.points, full.fits.groups[0].fit, mask, limit=5)
    assert rows == full.details[:5]  # the first rows of the whole table, same numbers
    assert table_note(len(models), limit=5) == (
        f"Per-model table: the 5 most robust of {len(models)} checkpoints "
        "(the points' CSV export has every one)",
    )
    assert table_note(len(models)) == () and not full.notes
    assert len(full.points) == len(models)  # the export (the view's points) keeps them all


def test_a_chosen_baseline_resolves_without_reading_model_attributes(session, models, monkeypatch):
    import backend.fits.choices as choices_module

    def refuse(_session):
        raise AssertionError("attribute values read")

    monkeypatch.setattr(choices_module, "attribute_values", refuse)
    state = RobustnessState(id="imagenet:acc1", ood="imagenet-v2:acc1", baseline=[], final=True)
    view = build_robustness_view(session, state)
    assert len(view.points) == len(models) and view.fits.state.baseline == []
