"""Compute scaling laws in N (parameters) and D (tokens): Chinchilla Approach 3 and Kaplan form.

Chinchilla (Hoffmann et al. 2022, App. D.2; replication: Besiroglu et al. 2024):

    L(N, D) = E + A / N^alpha + B / D^beta

fitted in log space by minimizing sum_i Huber_1e-3(LSE(a - alpha log N_i, b - beta log D_i, e)
- log L_i) with L-BFGS from every start of the grid alpha, beta in {0, 0.5, ..., 2},
e in {-1, -0.5, ..., 1}, a, b in {0, 5, ..., 25} (4,500 starts), keeping the best. All starts
run at once (:func:`backend.analysis.optimize.batched_lbfgs`, analytic gradients); the best
few are then polished by scipy's L-BFGS-B. Bootstrap intervals resample runs with
replacement and refit every resample (again all at once) from the point estimate.

Compute-optimal allocation for C = 6 N D:
    G = (alpha A / (beta B))^(1 / (alpha + beta)),
    N_opt = G (C/6)^(beta / (alpha + beta)),  D_opt = G^-1 (C/6)^(alpha / (alpha + beta)).

Kaplan-style form (used by the loss-to-loss papers to estimate irreducible losses E):
    L(N, D) = E + ((A / N)^(alpha / beta) + B / D)^beta, same Huber-on-log objective.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import optimize

from backend.analysis import validation as check
from backend.analysis.arrays import FloatArray, IndexArray
from backend.analysis.optimize import BatchResult, batched_lbfgs
from backend.analysis.results import ParametricFit, frozen_array, goodness, percentile_interval
from backend.analysis.scaling_objectives import (
    LogLossData,
    chinchilla_value_and_grad,
    kaplan_value_and_grad,
)

PARAM_NAMES = ("E", "A", "B", "alpha", "beta")
CHINCHILLA_FORMULA = "L = E + A / N^alpha + B / D^beta"
KAPLAN_FORMULA = "L = E + ((A / N)^(alpha / beta) + B / D)^beta"
SPACE = "log loss, Huber delta={delta:g}"
MIN_POINTS = 6


def start_grid(
    alphas: Iterable[float] = np.arange(0, 2.5, 0.5),
    betas: Iterable[float] = np.arange(0, 2.5, 0.5),
    es: Iterable[float] = np.arange(-1, 1.5, 0.5),
    a_s: Iterable[float] = np.arange(0, 30, 5),
    b_s: Iterable[float] = np.arange(0, 30, 5),
) -> FloatArray:
    """Starts as rows (a, b, e, alpha, beta); the default is Hoffmann et al.'s 4,500-start grid."""
    combos = itertools.product(alphas, betas, es, a_s, b_s)
    return np.array([(a, b, e, al, be) for al, be, e, a, b in combos], dtype=np.float64)


FULL_GRID = start_grid()
#: 243 starts: enough for well-posed data and for tests where the full grid is not the point
COARSE_GRID = start_grid(
    [0.0, 0.5, 1.0], [0.0, 0.5, 1.0], [-1.0, 0.0, 1.0], [0, 10, 20], [0, 10, 20]
)
#: Kaplan-style starts around Brandfonbrener et al.'s (a, b in 5..20, alpha = beta = 0.4)
KAPLAN_GRID = start_grid(
    [0.2, 0.4, 0.8], [0.2, 0.4, 0.8], [0.0, 0.5, 1.0], [5, 10, 15, 20], [5, 10, 15, 20]
)


def chinchilla_curve(theta: FloatArray, n: FloatArray, d: FloatArray) -> FloatArray:
    """E + A N^-alpha + B D^-beta for rows theta = (E, A, B, alpha, beta)."""
    e, a, b, alpha, beta = (theta[:, i : i + 1] for i in range(5))
    curves: FloatArray = e + a * n[None, :] ** -alpha + b * d[None, :] ** -beta
    return curves


def kaplan_curve(theta: FloatArray, n: FloatArray, d: FloatArray) -> FloatArray:
    """E + ((A/N)^(alpha/beta) + B/D)^beta for rows theta = (E, A, B, alpha, beta)."""
    e, a, b, alpha, beta = (theta[:, i : i + 1] for i in range(5))
    curves: FloatArray = e + ((a / n[None, :]) ** (alpha / beta) + b / d[None, :]) ** beta
    return curves


def _natural(log_params: FloatArray) -> FloatArray:
    """(a, b, e, alpha, beta) rows -> (E, A, B, alpha, beta) rows."""
    a, b, e, alpha, beta = log_params.T
    natural: FloatArray = np.stack([np.exp(e), np.exp(a), np.exp(b), alpha, beta], axis=1)
    return natural


Interval = tuple[FloatArray, FloatArray]


@dataclass(frozen=True)
class ComputeOptimal:
    """N_opt, D_opt and tokens per parameter at each compute budget, with bootstrap bounds."""

    compute: FloatArray
    n_opt: FloatArray
    d_opt: FloatArray
    tokens_per_param: FloatArray
    n_opt_interval: Interval | None
    d_opt_interval: Interval | None
    tokens_per_param_interval: Interval | None
    level: float | None


def compute_optimal_allocation(
    params: FloatArray, compute: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """(N_opt, D_opt) for rows (E, A, B, alpha, beta) at budgets C (shapes (k, m))."""
    _, a, b, alpha, beta = (params[:, i : i + 1] for i in range(5))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        g = (alpha * a / (beta * b)) ** (1 / (alpha + beta))
        n_opt = g * (compute[None, :] / 6) ** (beta / (alpha + beta))
        d_opt = (compute[None, :] / 6) ** (alpha / (alpha + beta)) / g
    return n_opt, d_opt


@dataclass(frozen=True, kw_only=True)
class ScalingLawFit(ParametricFit):
    """A fitted L(N, D); ``starts``/``converged`` describe the multi-start optimization."""

    starts: int
    converged: int
    log_params: FloatArray

    @property
    def E(self) -> float:  # noqa: N802 - the paper's symbol
        return self["E"]

    @property
    def A(self) -> float:  # noqa: N802
        return self["A"]

    @property
    def B(self) -> float:  # noqa: N802
        return self["B"]

    @property
    def alpha(self) -> float:
        return self["alpha"]

    @property
    def beta(self) -> float:
        return self["beta"]

    def compute_optimal(self, compute: ArrayLike) -> ComputeOptimal:
        """Compute-optimal N, D and D/N at budgets C (Chinchilla form; C = 6 N D)."""
        budgets = check.as_vector(compute, "compute")
        check.positive(budgets, "compute")
        n_opt, d_opt = compute_optimal_allocation(self.values[None, :], budgets)
        intervals: list[Interval | None] = [None, None, None]
        if self.bootstrap is not None:
            n_b, d_b = compute_optimal_allocation(self.bootstrap, budgets)
            intervals = [percentile_interval(v, self.level) for v in (n_b, d_b, d_b / n_b)]
        n_interval, d_interval, ratio_interval = intervals
        return ComputeOptimal(
            budgets,
            n_opt[0],
            d_opt[0],
            d_opt[0] / n_opt[0],
            n_interval,
            d_interval,
            ratio_interval,
            level=None if self.bootstrap is None else self.level,
        )


def _inputs(
    n_params: ArrayLike, n_tokens: ArrayLike, loss: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray]:
    n = check.as_vector(n_params, "n_params")
    d = check.as_vector(n_tokens, "n_tokens")
    loss_values = check.as_vector(loss, "loss")
    check.same_length(n_params=n, n_tokens=d, loss=loss_values)
    check.at_least(len(n), MIN_POINTS, "scaling-law fit")
    for array, name in ((n, "n_params"), (d, "n_tokens"), (loss_values, "loss")):
        check.positive(array, name)
    return n, d, loss_values


Objective = Callable[[LogLossData, FloatArray, IndexArray], tuple[FloatArray, FloatArray]]


def _polish(objective: Objective, data: LogLossData, starts: FloatArray) -> FloatArray:
    """scipy L-BFGS-B with the analytic gradient from each start; returns the best point."""
    best: FloatArray = starts[0]
    best_f = np.inf
    rows = np.zeros(1, dtype=int)

    def fun(x: FloatArray) -> tuple[float, FloatArray]:
        f, g = objective(data, x[None, :], rows)
        return float(f[0]), g[0]

    for start in starts:
        with np.errstate(all="ignore"):
            result = optimize.minimize(
                fun,
                start,
                jac=True,
                method="L-BFGS-B",
                options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 5000},
            )
        if np.isfinite(result.fun) and result.fun < best_f:
            best, best_f = result.x, result.fun
    return best


def _multistart(
    objective: Objective, data: LogLossData, grid: FloatArray, polish: int
) -> tuple[FloatArray, BatchResult]:
    with np.errstate(all="ignore"):  # screening at scipy's default L-BFGS-B tolerances
        batch = batched_lbfgs(
            lambda x, rows: objective(data, x, rows), grid, gtol=1e-5, ftol=2.2e-9
        )
    order = np.argsort(np.where(np.isfinite(batch.fun), batch.fun, np.inf))
    candidates = batch.x[order[: max(polish, 1)]]
    best: FloatArray = _polish(objective, data, candidates) if polish else candidates[0]
    return best, batch


def _bootstrap(
    objective: Objective,
    data: LogLossData,
    best: FloatArray,
    resamples: int,
    seed: int,
) -> FloatArray:
    """Refit ``resamples`` resamples of the runs (all at once) from the point estimate."""
    rng = np.random.default_rng(seed)
    n = len(data.log_loss)
    picks = rng.integers(0, n, size=(resamples, n))
    weights = np.zeros((resamples, n))
    np.add.at(weights, (np.arange(resamples)[:, None], picks), 1.0)
    weighted = LogLossData(data.log_n, data.log_d, data.log_loss, data.delta, weights)
    starts = np.repeat(best[None, :], resamples, axis=0)
    with np.errstate(all="ignore"):
        batch = batched_lbfgs(
            lambda x, rows: objective(weighted, x, rows), starts, gtol=1e-8, ftol=1e-12
        )
    return _natural(batch.x)


def _fit(
    objective: Objective,
    curve: Callable[..., FloatArray],
    formula: str,
    n_params: ArrayLike,
    n_tokens: ArrayLike,
    loss: ArrayLike,
    *,
    grid: FloatArray,
    delta: float,
    bootstrap: int,
    level: float,
    seed: int,
    polish: int,
) -> ScalingLawFit:
    n, d, loss_values = _inputs(n_params, n_tokens, loss)
    check.level_in_unit_interval(level)
    check.resample_count(bootstrap)
    data = LogLossData(np.log(n), np.log(d), np.log(loss_values), delta)
    best, batch = _multistart(objective, data, np.asarray(grid, dtype=np.float64), polish)
    values = _natural(best[None, :])[0]
    fitted = curve(values[None, :], n, d)[0]
    objective_value = float(objective(data, best[None, :], np.zeros(1, dtype=int))[0][0])
    if not (np.isfinite(objective_value) and np.all(np.isfinite(values))):
        raise check.AnalysisInputError(
            "no start of the grid reached a finite fit; check the units of N, D and the loss"
        )
    samples = _bootstrap(objective, data, best, bootstrap, seed) if bootstrap else None
    return ScalingLawFit(
        formula=formula,
        space=SPACE.format(delta=delta),
        param_names=PARAM_NAMES,
        values=frozen_array(values),
        curve=curve,
        goodness=goodness(np.log(loss_values), np.log(fitted), 5, objective_value),
        residuals=frozen_array(np.log(loss_values) - np.log(fitted)),
        bootstrap=None if samples is None else frozen_array(samples),
        level=level,
        starts=len(grid),
        converged=int(batch.converged.sum()),
        log_params=frozen_array(best),
    )


def fit_chinchilla(
    n_params: ArrayLike,
    n_tokens: ArrayLike,
    loss: ArrayLike,
    *,
    grid: FloatArray = FULL_GRID,
    delta: float = 1e-3,
    bootstrap: int = 0,
    level: float = 0.95,
    seed: int = 0,
    polish: int = 5,
) -> ScalingLawFit:
    """Chinchilla Approach 3 (see the module docstring); ``bootstrap`` resamples for CIs."""
    return _fit(
        chinchilla_value_and_grad,
        chinchilla_curve,
        CHINCHILLA_FORMULA,
        n_params,
        n_tokens,
        loss,
        grid=grid,
        delta=delta,
        bootstrap=bootstrap,
        level=level,
        seed=seed,
        polish=polish,
    )


def fit_kaplan(
    n_params: ArrayLike,
    n_tokens: ArrayLike,
    loss: ArrayLike,
    *,
    grid: FloatArray = KAPLAN_GRID,
    delta: float = 1e-3,
    bootstrap: int = 0,
    level: float = 0.95,
    seed: int = 0,
    polish: int = 5,
) -> ScalingLawFit:
    """Kaplan-style L = E + ((A/N)^(alpha/beta) + B/D)^beta, Huber on log loss, multi-start."""
    return _fit(
        kaplan_value_and_grad,
        kaplan_curve,
        KAPLAN_FORMULA,
        n_params,
        n_tokens,
        loss,
        grid=grid,
        delta=delta,
        bootstrap=bootstrap,
        level=level,
        seed=seed,
        polish=polish,
    )


def fit_chinchilla_naive(
    n_params: ArrayLike,
    n_tokens: ArrayLike,
    loss: ArrayLike,
    *,
    grid: FloatArray = FULL_GRID,
    delta: float = 1e-3,
    analytic_gradient: bool = False,
) -> tuple[FloatArray, float]:
    """Reference loop: one scipy L-BFGS-B per start, as in Besiroglu et al.'s notebook.

    Returns the best (E, A, B, alpha, beta) and its objective. Slow by design; used by the
    benchmark and by the test that the vectorized fit reaches the same optimum.
    """
    n, d, loss_values = _inputs(n_params, n_tokens, loss)
    data = LogLossData(np.log(n), np.log(d), np.log(loss_values), delta)
    rows = np.zeros(1, dtype=int)

    def value(x: FloatArray) -> float:
        return float(chinchilla_value_and_grad(data, x[None, :], rows)[0][0])

    def value_and_grad(x: FloatArray) -> tuple[float, FloatArray]:
        f, g = chinchilla_value_and_grad(data, x[None, :], rows)
        return float(f[0]), g[0]

    best: FloatArray | None = None
    best_f = np.inf
    with np.errstate(all="ignore"):
        for start in grid:
            if analytic_gradient:
                result = optimize.minimize(value_and_grad, start, jac=True, method="L-BFGS-B")
            else:
                result = optimize.minimize(value, start, method="L-BFGS-B")
            if np.isfinite(result.fun) and result.fun < best_f:
                best, best_f = result.x, result.fun
    if best is None:
        raise check.AnalysisInputError(
            "no start of the grid reached a finite fit; check the units of N, D and the loss"
        )
    return _natural(best[None, :])[0], float(best_f)
