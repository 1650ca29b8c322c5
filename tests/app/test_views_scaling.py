"""Scaling view on a real database: Chinchilla fit per group recovers generating parameters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from app.views.scaling import ScalingState, build_scaling_view
from backend.services.uploads import ingest_file
from tests.app.explorer_data import add_runs

TRUE = {"E": 1.7, "A": 400.0, "alpha": 0.34, "B": 410.0, "beta": 0.28}


def chinchilla_loss(n, d):
    return TRUE["E"] + TRUE["A"] / n ** TRUE["alpha"] + TRUE["B"] / d ** TRUE["beta"]


def true_optimal_loss(compute):
    a, b = TRUE["alpha"], TRUE["beta"]
    g = (a * TRUE["A"] / (b * TRUE["B"])) ** (1 / (a + b))
    n_opt = g * (compute / 6) ** (b / (a + b))
    d_opt = (compute / 6) ** (a / (a + b)) / g
    return chinchilla_loss(n_opt, d_opt)


@pytest.fixture
def chinchilla_runs(session):
    rng = np.random.default_rng(0)
    runs = []
    for i, n in enumerate(np.logspace(7.5, 10, 8)):
        for d in np.logspace(9, 11.5, 6):
            loss = chinchilla_loss(n, d) * np.exp(rng.normal(0, 0.002))
            runs.append(
                {
                    "name": f"run-{i}-{d:.3g}",
                    "values": {("val", "loss"): loss, ("val", "accuracy"): 0.5},
                    "n_params": float(n),
                    "tokens_seen": float(d),
                    "flops": 6 * n * d,
                    "pretraining_data": "synthetic",
                    "step": 1000,
                }
            )
    add_runs(session, runs)
    return runs


def test_chinchilla_fit_recovers_parameters_and_predicts(session, chinchilla_runs):
    state = ScalingState(metric="val:loss", bootstrap=20, predict=1e24)
    view = build_scaling_view(session, state)
    assert len(view.points) == len(chinchilla_runs)
    (row,) = view.table
    assert row["group"] == "synthetic"
    fitted = {name: float(str(row[name]).split()[0]) for name in TRUE}
    assert fitted["E"] == pytest.approx(TRUE["E"], abs=0.05)
    assert fitted["alpha"] == pytest.approx(TRUE["alpha"], abs=0.04)
    assert fitted["beta"] == pytest.approx(TRUE["beta"], abs=0.04)
    # The drawn frontier follows the true compute-optimal loss min_N L(N, C / 6N).
    frontier = next(t for t in view.figure.data if t.name and "compute-optimal" in t.name)
    np.testing.assert_allclose(frontier.y, true_optimal_loss(np.asarray(frontier.x)), rtol=0.01)
    star = next(t for t in view.figure.data if t.marker.symbol == "star")
    assert star.x == (1e24,)
    value = float(row["L at C=1e+24"].split()[0])
    assert value == pytest.approx(star.y[0], abs=1e-3)
    assert TRUE["E"] < value < min(view.points["y"])  # an extrapolation beyond the runs
    assert value == pytest.approx(true_optimal_loss(1e24), rel=0.02)


def test_power_law_against_compute_recovers_exponent(session):
    compute = np.logspace(18, 22, 30)
    add_runs(
        session,
        [
            {"name": f"r{i}", "values": {("val", "loss"): 1.8 + 3e3 * c**-0.2}, "flops": c}
            for i, c in enumerate(compute)
        ],
    )
    state = ScalingState(metric="val:loss", law="power-law", group="", bootstrap=0, predict=1e24)
    view = build_scaling_view(session, state)
    (row,) = view.table
    assert float(row["alpha"].split()[0]) == pytest.approx(0.2, abs=0.01)
    assert float(row["E"].split()[0]) == pytest.approx(1.8, abs=0.02)
    line = next(t for t in view.figure.data if t.mode == "lines")
    np.testing.assert_allclose(line.y, 1.8 + 3e3 * np.asarray(line.x) ** -0.2, rtol=2e-3)
    assert max(line.x) == pytest.approx(1e24)


def test_learning_curves_and_error_axis(session):
    add_runs(
        session,
        [
            {
                "name": "tiny",
                "revision": f"step{s}",
                "step": s,
                "values": {("bench", "acc"): 0.25 + s / 4000},
            }
            for s in (0, 1000, 2000)
        ],
    )
    view = build_scaling_view(
        session, ScalingState(mode="curves", metric="bench:acc", models=["tiny"], error=True)
    )
    (trace,) = view.figure.data
    assert list(trace.x) == [0, 1000, 2000]
    np.testing.assert_allclose(trace.y, [0.75, 0.5, 0.25])


def test_unknown_metric_and_empty_database_give_messages(session):
    # an unknown metric falls back to the default, and an empty database has none
    view = build_scaling_view(session, ScalingState(metric="nothing:loss"))
    assert view.is_empty and view.message == "Pick a metric"


def test_sweep_chinchilla_fits_match_the_published_ones(
    session, engine, demo_data_dir, test_data_dir
):
    """Chinchilla Approach 3 per pretraining set on the Brandfonbrener sweep reproduces the
    authors' fits (KempnerInstitute/loss-to-loss-notebooks, opt_params_data.csv, kaplan=False)."""
    ingest_file(engine=engine, path=demo_data_dir / "loss_to_loss_kempner" / "sweep.csv")
    published = pd.read_csv(test_data_dir / "loss_to_loss_kempner" / "opt_params_data.csv")
    published = published[
        ~published["kaplan"] & (published["loss_name"] == "eval/c4_val/CrossEntropyLoss")
    ].set_index("data")
    state = ScalingState(
        metric="c4_val:CrossEntropyLoss", data=["starcoder", "fineweb-100b"], bootstrap=0
    )
    view = build_scaling_view(session, state)
    assert [row["group"] for row in view.table] == ["fineweb-100b", "starcoder"]
    for row in view.table:
        expected = published.loc[row["group"]]
        assert float(row["E"]) == pytest.approx(expected["E"], abs=0.02)
        assert float(row["alpha"]) == pytest.approx(expected["alpha"], abs=0.02)
        assert float(row["beta"]) == pytest.approx(expected["beta"], abs=0.02)
