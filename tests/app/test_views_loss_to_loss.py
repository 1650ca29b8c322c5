"""Loss-to-loss view on a real database: per-group shifted power laws with known parameters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from app.views.loss_to_loss import LossToLossState, build_loss_to_loss_view
from backend.services.uploads import ingest_file
from tests.app.explorer_data import add_runs

# Two pretraining sets, each with its own line L_y = K * L_x^kappa (E_x = E_y = 0).
TRUTH = {"web": (0.9, 1.2), "code": (1.3, 0.8)}


def line(x, k, kappa):
    return k * x**kappa


@pytest.fixture
def runs(session):
    rng = np.random.default_rng(0)
    rows = []
    for data, (k, kappa) in TRUTH.items():
        for i, n in enumerate(np.logspace(7, 9, 6)):
            for j, d in enumerate(np.logspace(9, 10.5, 4)):
                loss_x = 2.0 + 40 / n**0.2 + 30 / d**0.15 + (0.3 if data == "code" else 0)
                loss_y = line(loss_x, k, kappa) * np.exp(rng.normal(0, 0.002))
                rows.append(
                    {
                        "name": f"{data}-{i}-{j}",
                        "values": {("c4", "loss"): loss_x, ("pile", "loss"): loss_y},
                        "n_params": float(n),
                        "tokens_seen": float(d),
                        "pretraining_data": data,
                        "family": "sweep",
                    }
                )
    add_runs(session, rows)
    return rows


def fitted(row, name):
    return float(str(row[name]).split()[0])


def test_one_line_per_data_recovers_parameters_and_extrapolates(session, runs):
    # the synthetic lines are plain power laws (E = 0)
    state = LossToLossState(
        x="c4:loss", y="pile:loss", bootstrap=50, extrapolate=2.5, irreducible="zero"
    )
    view = build_loss_to_loss_view(session, state)
    assert len(view.points) == len(runs)
    by_group = {row["group"]: row for row in view.table}
    assert set(by_group) == set(TRUTH)
    for data, (k, kappa) in TRUTH.items():
        assert fitted(by_group[data], "kappa") == pytest.approx(kappa, abs=0.05)
        assert fitted(by_group[data], "K") == pytest.approx(k, rel=0.05)
        assert "bootstrap" in by_group[data]["interval"]
    for trace in view.figure.data:
        if trace.mode == "lines" and trace.fill is None:
            data = trace.legendgroup
            np.testing.assert_allclose(trace.y, line(np.asarray(trace.x), *TRUTH[data]), rtol=0.01)
            assert min(trace.x) == pytest.approx(2.5)  # the line reaches the extrapolation
    stars = {t.legendgroup: t for t in view.figure.data if t.marker.symbol == "star"}
    for data, star in stars.items():
        assert star.y[0] == pytest.approx(line(2.5, *TRUTH[data]), rel=0.01)
        assert star.error_y.array[0] >= 0 and star.error_y.arrayminus[0] >= 0


def test_train_to_train_pairs_runs_with_matched_size_and_tokens(session, runs):
    state = LossToLossState(
        x="c4:loss", y="c4:loss", pairing="train-to-train", x_data="web", bootstrap=0
    )
    view = build_loss_to_loss_view(session, state)
    assert set(view.points["group"]) == {"web → code"}
    assert len(view.points) == len(runs) // 2
    # same N and D on both sides: the code run's loss is the web run's loss + 0.3
    np.testing.assert_allclose(view.points["y"] - view.points["x"], 0.3, atol=1e-9)
    assert view.points["model"].str.startswith("code-").all()  # a click opens the y-side run
    assert (view.points["paired_with"].str.replace("web-", "code-") == view.points["model"]).all()


def test_filters_grouping_and_empty_states(session, runs):
    view = build_loss_to_loss_view(
        session, LossToLossState(x="c4:loss", y="pile:loss", data=["code"], fit=False)
    )
    assert set(view.points["group"]) == {"code"} and not view.table
    view = build_loss_to_loss_view(
        session,
        LossToLossState(
            x="c4:loss", y="pile:loss", group="family", bootstrap=0, irreducible="zero"
        ),
    )
    assert [row["group"] for row in view.table] == ["sweep"]
    # an unknown loss falls back to a measured one, as a URL's would
    unknown = build_loss_to_loss_view(session, LossToLossState(x="c4:loss", y="nope:loss"))
    assert unknown.fits.state.y != "nope:loss" and not unknown.is_empty
    assert build_loss_to_loss_view(session, LossToLossState()).fits.state.x  # defaults filled


def test_brandfonbrener_sweep_reproduces_published_irreducible_losses(
    session, engine, demo_data_dir, test_data_dir
):
    """E_x, E_y from the page's Kaplan-style fits match the authors' own fits
    (KempnerInstitute/loss-to-loss-notebooks, data/opt_params_data.csv, kaplan=True), and the
    two pretraining sets get different lines ("data determines the line")."""
    ingest_file(engine=engine, path=demo_data_dir / "loss_to_loss_kempner" / "sweep.csv")
    published = pd.read_csv(test_data_dir / "loss_to_loss_kempner" / "opt_params_data.csv")
    published = published[published["kaplan"]].set_index(["data", "loss_name"])["E"]
    state = LossToLossState(
        x="c4_val:CrossEntropyLoss",
        y="hellaswag:ce_loss",
        data=["fineweb-100b", "starcoder"],
        irreducible="scaling-law",
        bootstrap=200,
    )
    view = build_loss_to_loss_view(session, state)
    rows = {row["group"]: row for row in view.table}
    assert set(rows) == {"fineweb-100b", "starcoder"}
    for data, row in rows.items():
        e_x = published[(data, "eval/c4_val/CrossEntropyLoss")]
        e_y = published[(data, "eval/downstream_ce_loss/hellaswag_test_ce_loss")]
        assert fitted(row, "E_x") == pytest.approx(e_x, abs=0.01)
        assert fitted(row, "E_y") == pytest.approx(e_y, abs=0.01)
        assert row["R²"] > 0.99
    kappa = {data: interval(row["kappa"]) for data, row in rows.items()}
    assert kappa["fineweb-100b"][0] > kappa["starcoder"][1]  # the lines differ


def interval(text: str) -> tuple[float, float]:
    low, high = text.split("[")[1].rstrip("]").split(",")
    return float(low), float(high)
