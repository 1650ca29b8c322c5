"""Single-variable power law with offset, L(x) = E + A * x^-alpha (e.g. loss vs compute C).

Fitted like Chinchilla Approach 3 but in one variable: minimize
sum_i Huber_delta(LSE(a - alpha log x_i, e) - log L_i) over (a, e, alpha), A = e^a, E = e^e,
with batched L-BFGS from a grid of starts (a in {0, 2.5, ..., 30}, e in {-1, -0.5, ..., 1},
alpha in {0.01, 0.05, 0.1, 0.2, 0.35, 0.5, 1, 2}), polished by scipy; bootstrap over points.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import optimize

from backend.analysis import validation as check
from backend.analysis.arrays import FloatArray
from backend.analysis.optimize import batched_lbfgs
from backend.analysis.results import ParametricFit, frozen_array, goodness
from backend.analysis.scaling_objectives import LogLossData, power_law_value_and_grad

FORMULA = "L = E + A * x^-alpha"
POWER_LAW_GRID = np.array(
    list(
        itertools.product(
            np.arange(0, 32.5, 2.5),
            np.arange(-1, 1.5, 0.5),
            [0.01, 0.05, 0.1, 0.2, 0.35, 0.5, 1.0, 2.0],
        )
    )
)


def power_law_curve(theta: FloatArray, x: FloatArray) -> FloatArray:
    """E + A x^-alpha for rows theta = (E, A, alpha)."""
    e, a, alpha = theta[:, 0:1], theta[:, 1:2], theta[:, 2:3]
    curves: FloatArray = e + a * x[None, :] ** -alpha
    return curves


def _natural(log_params: FloatArray) -> FloatArray:
    a, e, alpha = log_params.T
    natural: FloatArray = np.stack([np.exp(e), np.exp(a), alpha], axis=1)
    return natural


@dataclass(frozen=True, kw_only=True)
class PowerLawFit(ParametricFit):
    """E + A x^-alpha fitted on log loss."""

    @property
    def E(self) -> float:  # noqa: N802 - the paper's symbol
        return self["E"]

    @property
    def A(self) -> float:  # noqa: N802
        return self["A"]

    @property
    def alpha(self) -> float:
        return self["alpha"]


def fit_power_law(
    x: ArrayLike,
    loss: ArrayLike,
    *,
    delta: float = 1e-3,
    bootstrap: int = 0,
    level: float = 0.95,
    seed: int = 0,
    grid: FloatArray = POWER_LAW_GRID,
) -> PowerLawFit:
    """Fit L = E + A x^-alpha (Huber on log L); see the module docstring."""
    xs, losses = check.as_vector(x, "x"), check.as_vector(loss, "loss")
    check.same_length(x=xs, loss=losses)
    check.at_least(len(xs), 4, "power-law fit")
    check.positive(xs, "x")
    check.positive(losses, "loss")
    check.not_constant(xs, "x")
    check.level_in_unit_interval(level)
    check.resample_count(bootstrap)
    data = LogLossData(np.log(xs), None, np.log(losses), delta)

    with np.errstate(all="ignore"):
        batch = batched_lbfgs(
            lambda t, rows: power_law_value_and_grad(data, t, rows), grid, gtol=1e-5, ftol=2.2e-9
        )
        order = np.argsort(np.where(np.isfinite(batch.fun), batch.fun, np.inf))
        best, best_f = batch.x[order[0]], batch.fun[order[0]]
        rows = np.zeros(1, dtype=int)
        for start in batch.x[order[:3]]:
            result = optimize.minimize(
                lambda t: tuple(v[0] for v in power_law_value_and_grad(data, t[None, :], rows)),
                start,
                jac=True,
                method="L-BFGS-B",
                options={"ftol": 1e-15, "gtol": 1e-12},
            )
            if np.isfinite(result.fun) and result.fun <= best_f:
                best, best_f = result.x, result.fun

        samples = None
        if bootstrap:
            rng = np.random.default_rng(seed)
            picks = rng.integers(0, len(xs), size=(bootstrap, len(xs)))
            weights = np.zeros((bootstrap, len(xs)))
            np.add.at(weights, (np.arange(bootstrap)[:, None], picks), 1.0)
            weighted = LogLossData(data.log_n, None, data.log_loss, delta, weights)
            boot = batched_lbfgs(
                lambda t, r: power_law_value_and_grad(weighted, t, r),
                np.repeat(best[None, :], bootstrap, axis=0),
                gtol=1e-8,
                ftol=1e-12,
            )
            samples = _natural(boot.x)

    values = _natural(best[None, :])[0]
    fitted = power_law_curve(values[None, :], xs)[0]
    return PowerLawFit(
        formula=FORMULA,
        space=f"log loss, Huber delta={delta:g}",
        param_names=("E", "A", "alpha"),
        values=frozen_array(values),
        curve=power_law_curve,
        goodness=goodness(np.log(losses), np.log(fitted), 3, float(best_f)),
        residuals=frozen_array(np.log(losses) - np.log(fitted)),
        bootstrap=None if samples is None else frozen_array(samples),
        level=level,
    )
