"""Loss-to-loss: recovery, Brandfonbrener et al.'s scaling fits and 3.3B extrapolation."""

import numpy as np
import pandas as pd
import pytest

from backend.analysis.chinchilla import fit_chinchilla, fit_kaplan, start_grid
from backend.analysis.loss_to_loss import (
    chance_normalized_accuracy,
    fit_error_vs_loss,
    fit_loss_to_loss,
    irreducible_losses,
    pair_runs,
)

#: Brandfonbrener et al.'s own start grid (utils_scaling.fit): a, b in {5, 10, 15, 20},
#: e = 0.5, alpha = beta = 0.4; 16 starts.
KEMPNER_GRID = start_grid([0.4], [0.4], [0.5], [5, 10, 15, 20], [5, 10, 15, 20])
VAL = "val_loss"
HELLASWAG = "eval/downstream_ce_loss/hellaswag_test_ce_loss"


def published(params: pd.DataFrame, data: str, loss: str, kaplan: bool) -> pd.Series:
    rows = params[(params.data == data) & (params.loss_name == loss) & (params.kaplan == kaplan)]
    return rows.iloc[0]


@pytest.mark.parametrize("procedure", ["loglog", "least_squares"])
def test_recovers_shifted_power_law_with_bootstrap(procedure):
    rng = np.random.default_rng(7)
    x = rng.uniform(2.3, 4.0, 300)
    y = 0.9 * (x - 1.8) ** 1.2 + 1.5 + rng.normal(0, 0.004, x.size)
    fit = fit_loss_to_loss(x, y, e_x=1.8, e_y=1.5, procedure=procedure, bootstrap=300)
    assert fit.K == pytest.approx(0.9, abs=0.02)
    assert fit.kappa == pytest.approx(1.2, abs=0.02)
    kappa = fit.params["kappa"]
    assert kappa.interval == "bootstrap" and kappa.low < 1.2 < kappa.high
    band = fit.extrapolate([2.0])  # beyond the data, towards E_x
    truth = 0.9 * 0.2**1.2 + 1.5
    assert band.low[0] < truth < band.high[0]
    wald = fit_loss_to_loss(x, y, e_x=1.8, e_y=1.5, procedure=procedure)
    assert wald.params["kappa"].interval == "wald"
    assert wald.params["kappa"].low < 1.2 < wald.params["kappa"].high


@pytest.mark.parametrize("kaplan", [False, True])
@pytest.mark.parametrize(("data", "loss"), [("fineweb-edu-100b", VAL), ("starcoder", HELLASWAG)])
def test_reproduces_brandfonbrener_scaling_fits(
    kempner_sweep, kempner_params, test_data_dir, data, loss, kaplan
):
    """Brandfonbrener et al. 2024 fit every (pretraining data, loss) of their sweep with the
    Chinchilla and Kaplan forms (opt_params_data.csv); e.g. fineweb-edu-100b val loss,
    Chinchilla: E = 2.0022, A = 2517.5, B = 7160.6, alpha = 0.4540, beta = 0.4495."""
    runs = kempner_sweep[kempner_sweep.data == data].dropna(subset=[loss])
    fit = (fit_kaplan if kaplan else fit_chinchilla)(
        runs.params, runs.tokens, runs[loss], grid=KEMPNER_GRID
    )
    theirs = published(kempner_params, data, loss, kaplan)
    for name in ("E", "alpha", "beta"):
        assert fit[name] == pytest.approx(theirs[name], rel=2e-3), name
    for name in ("A", "B"):
        assert fit[name] == pytest.approx(theirs[name], rel=2e-2), name
    # their column extrap_pred: the fitted law evaluated at the 3.3B run of the same data
    big = pd.read_csv(test_data_dir / "loss_to_loss_kempner" / "extrapolation.csv")
    big = big.set_index("data")
    predicted = fit.predict([big.loc[data, "params"]], [big.loc[data, "tokens"]])[0]
    assert predicted == pytest.approx(theirs["extrap_pred"], rel=1e-3)


def test_train_to_train_extrapolates_to_the_3b_runs(kempner_sweep, test_data_dir, kempner_params):
    """Train-to-train (fineweb-edu-100b -> fineweb-100b, runs matched on N and D) with E from
    the authors' Kaplan fits predicts the 3.3B (1e21 FLOP) run's loss within 0.5 %."""
    pairs = pair_runs(
        kempner_sweep, group_column="data", x_group="fineweb-edu-100b", y_group="fineweb-100b"
    )
    assert len(pairs) == 86
    assert np.allclose(pairs.params_x, pairs.params_y) and np.allclose(
        pairs.tokens_x, pairs.tokens_y
    )
    e_x = published(kempner_params, "fineweb-edu-100b", VAL, True).E
    e_y = published(kempner_params, "fineweb-100b", VAL, True).E
    fit = fit_loss_to_loss(pairs[f"{VAL}_x"], pairs[f"{VAL}_y"], e_x=e_x, e_y=e_y, bootstrap=200)
    assert fit.goodness.r_squared > 0.999
    big = pd.read_csv(test_data_dir / "loss_to_loss_kempner" / "extrapolation.csv")
    big = big.set_index("data")
    predicted = fit.extrapolate([big.loc["fineweb-edu-100b", VAL]])
    actual = big.loc["fineweb-100b", VAL]
    assert predicted.center[0] == pytest.approx(actual, rel=5e-3)


def test_irreducible_losses_helper_matches_the_kaplan_fits(kempner_sweep, kempner_params):
    runs = kempner_sweep[kempner_sweep.data == "proof-pile-2"].dropna(subset=[VAL, HELLASWAG])
    found = irreducible_losses(runs.params, runs.tokens, runs[VAL], runs[HELLASWAG])
    assert found.e_x == pytest.approx(
        published(kempner_params, "proof-pile-2", VAL, True).E, rel=1e-2
    )
    assert found.e_y == pytest.approx(
        published(kempner_params, "proof-pile-2", HELLASWAG, True).E, rel=1e-2
    )


def test_error_vs_loss_and_chance_normalization():
    rng = np.random.default_rng(8)
    loss = rng.uniform(2.2, 3.5, 200)
    error = 0.5 * (loss - 1.9) ** 0.8 + 0.05 + rng.normal(0, 0.003, loss.size)
    fit = fit_error_vs_loss(loss, 1 - error, e_loss=1.9, e_error=0.05)
    assert fit.kappa == pytest.approx(0.8, abs=0.05)
    assert np.allclose(chance_normalized_accuracy([0.25, 0.625, 1.0], 0.25), [0, 0.5, 1])
