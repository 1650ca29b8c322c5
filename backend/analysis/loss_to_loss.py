"""Loss-to-loss prediction: the shifted power law between two losses of the same models.

    L_y = K * (L_x - E_x)^kappa + E_y,    0 <= E_x < min L_x,  0 <= E_y < min L_y

(Brandfonbrener et al. 2024, "Loss-to-loss prediction"; Mayilvahanan et al. 2025, "LLMs on the
Line"). E_x and E_y are irreducible losses, usually taken from scaling-law fits of each loss
(:func:`irreducible_losses`, Kaplan-style form by default). Two published procedures fit K, kappa:

* ``"loglog"``: OLS of log(L_y - E_y) on log(L_x - E_x): kappa = slope, K = e^intercept.
* ``"least_squares"``: least squares in linear space, kappa >= 0, from K = 0.8, kappa = 1
  (curve_fit as in "LLMs on the Line").

Uncertainty: Wald intervals from the fit's covariance (E_x, E_y held fixed), or bootstrap
percentile intervals over points (``bootstrap=B``; both papers report none: label them so).
All resamples are refitted at once (closed form for loglog, batched Gauss-Newton for
least_squares). Pairings: train-to-train (:func:`pair_runs`: two pretraining sets, runs matched
on parameters and tokens), train-to-test and test-to-test (two columns of the same runs).
Accuracy: fit error = 1 - accuracy against a loss with the same form
(:func:`fit_error_vs_loss`), or use :func:`chance_normalized_accuracy`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import optimize

from backend.analysis import validation as check
from backend.analysis.arrays import FloatArray, IndexArray
from backend.analysis.chinchilla import KAPLAN_GRID, fit_chinchilla, fit_kaplan
from backend.analysis.results import Band, ParametricFit, frozen_array, goodness

Procedure = Literal["loglog", "least_squares"]
FORMULA = "L_y = K * (L_x - E_x)^kappa + E_y"
PARAM_NAMES = ("K", "kappa", "E_x", "E_y")
_TINY = 1e-10


def shifted_power_law_curve(theta: FloatArray, x: FloatArray) -> FloatArray:
    """K (x - E_x)^kappa + E_y for rows (K, kappa, E_x, E_y); NaN where x <= E_x."""
    k, kappa, e_x, e_y = (theta[:, i : i + 1] for i in range(4))
    base = x[None, :] - e_x
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(base > 0, k * np.abs(base) ** kappa + e_y, np.nan)


@dataclass(frozen=True, kw_only=True)
class ShiftedPowerLawFit(ParametricFit):
    """A fitted loss-to-loss curve; ``procedure`` names the published procedure used."""

    procedure: Procedure

    @property
    def K(self) -> float:  # noqa: N802 - the paper's symbol
        return self["K"]

    @property
    def kappa(self) -> float:
        return self["kappa"]

    def extrapolate(self, loss_x: ArrayLike, *, level: float | None = None) -> Band:
        """Predicted L_y at target L_x values with a band (bootstrap or Wald)."""
        targets = check.as_vector(loss_x, "loss_x")
        check.below(self["E_x"], targets, "loss_x", "E_x")
        return self.band(targets, level=level)


def _inputs(
    loss_x: ArrayLike, loss_y: ArrayLike, e_x: float, e_y: float
) -> tuple[FloatArray, FloatArray]:
    x, y = check.as_vector(loss_x, "loss_x"), check.as_vector(loss_y, "loss_y")
    check.same_length(loss_x=x, loss_y=y)
    check.at_least(len(x), 4, "loss-to-loss fit")
    for value, name in ((e_x, "E_x"), (e_y, "E_y")):
        if not np.isfinite(value) or value < 0:
            raise check.AnalysisInputError(f"{name} must be a finite number >= 0, got {value!r}")
    check.below(e_x, x, "loss_x", "E_x")
    check.below(e_y, y, "loss_y", "E_y")
    check.not_constant(x, "loss_x")
    return x, y


def _resample_indices(n: int, resamples: int, seed: int) -> IndexArray:
    return np.random.default_rng(seed).integers(0, n, size=(resamples, n))


def _loglog(u: FloatArray, v: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Row-wise OLS v = kappa u + c for arrays of shape (B, n): returns kappa, c."""
    u_mean, v_mean = u.mean(axis=-1, keepdims=True), v.mean(axis=-1, keepdims=True)
    du = u - u_mean
    sxx = (du * du).sum(-1)
    kappa = (du * (v - v_mean)).sum(-1) / np.where(sxx > 0, sxx, np.nan)
    return kappa, v_mean[..., 0] - kappa * u_mean[..., 0]


def _gauss_newton(
    x: FloatArray, y: FloatArray, start: FloatArray, max_iterations: int = 50
) -> tuple[FloatArray, FloatArray]:
    """Batched damped Gauss-Newton for K (x - E_x)^kappa + E_y, rows of (B, n), kappa >= 0.

    ``x`` already has E_x subtracted (and floored at 1e-10) and ``y`` has E_y subtracted.
    Stops when no row's parameters move by more than 1e-10 (relative).
    """
    k, kappa = start[:, 0].copy(), start[:, 1].copy()
    log_x = np.log(x)
    damping = np.full(len(k), 1e-3)
    power = np.exp(kappa[:, None] * log_x)
    current = ((k[:, None] * power - y) ** 2).sum(-1)
    for _ in range(max_iterations):
        residual = k[:, None] * power - y
        j_kappa = k[:, None] * power * log_x
        a11, a12, a22 = (power * power).sum(-1), (power * j_kappa).sum(-1), (j_kappa**2).sum(-1)
        g1, g2 = (power * residual).sum(-1), (j_kappa * residual).sum(-1)
        a11d, a22d = a11 * (1 + damping), a22 * (1 + damping)
        det = a11d * a22d - a12 * a12
        new_k = k - (a22d * g1 - a12 * g2) / det
        new_kappa = np.maximum(kappa - (a11d * g2 - a12 * g1) / det, 0.0)
        new_power = np.exp(new_kappa[:, None] * log_x)
        trial = ((new_k[:, None] * new_power - y) ** 2).sum(-1)
        better = np.isfinite(trial) & (trial <= current)
        moved = np.maximum(np.abs(new_k - k) / np.abs(k), np.abs(new_kappa - kappa))
        k, kappa = np.where(better, new_k, k), np.where(better, new_kappa, kappa)
        power = np.where(better[:, None], new_power, power)
        current = np.where(better, trial, current)
        damping = np.where(better, damping / 3, damping * 4)
        if np.all(~better | (moved < 1e-10)):
            break
    return k, kappa


def fit_loss_to_loss(
    loss_x: ArrayLike,
    loss_y: ArrayLike,
    *,
    e_x: float,
    e_y: float,
    procedure: Procedure = "loglog",
    bootstrap: int = 0,
    level: float = 0.95,
    seed: int = 0,
) -> ShiftedPowerLawFit:
    """Fit K and kappa of the shifted power law with E_x, E_y given; see the module docstring."""
    x, y = _inputs(loss_x, loss_y, e_x, e_y)
    check.level_in_unit_interval(level)
    check.resample_count(bootstrap)
    if procedure == "loglog":
        u, v = np.log(x - e_x), np.log(y - e_y)
        kappa, c = (float(a[0]) for a in _loglog(u[None, :], v[None, :]))
        k = float(np.exp(c))
        resid_log = v - (kappa * u + c)
        s2 = float((resid_log**2).sum() / (len(u) - 2))
        sxx = float(((u - u.mean()) ** 2).sum())
        var_kappa, var_c = s2 / sxx, s2 * (1 / len(u) + u.mean() ** 2 / sxx)
        cov_kc = -s2 * u.mean() / sxx
        covariance = np.zeros((4, 4))
        covariance[0, 0], covariance[1, 1] = k * k * var_c, var_kappa
        covariance[0, 1] = covariance[1, 0] = k * cov_kc
        space = "log(L_y - E_y) vs log(L_x - E_x), OLS"
        objective = float((resid_log**2).sum())
    elif procedure == "least_squares":
        base = np.maximum(x - e_x, _TINY)

        def residuals(p: FloatArray) -> FloatArray:
            misfit: FloatArray = p[0] * base ** p[1] + e_y - y
            return misfit

        def jacobian(p: FloatArray) -> FloatArray:
            power = base ** p[1]
            jac: FloatArray = np.stack([power, p[0] * power * np.log(base)], axis=1)
            return jac

        result = optimize.least_squares(
            residuals, [0.8, 1.0], jac=jacobian, bounds=([-np.inf, 0], [np.inf, np.inf])
        )
        k, kappa = (float(a) for a in result.x)
        jac = jacobian(result.x)
        s2 = float((result.fun**2).sum() / (len(x) - 2))
        covariance = np.zeros((4, 4))
        covariance[:2, :2] = s2 * np.linalg.pinv(jac.T @ jac)
        space = "L_y, least squares in linear space"
        objective = float((result.fun**2).sum())
    else:
        raise check.AnalysisInputError(
            f"unknown procedure {procedure!r}; choose 'loglog' or 'least_squares'"
        )

    samples = None
    if bootstrap:
        picks = _resample_indices(len(x), bootstrap, seed)
        if procedure == "loglog":
            kappas, cs = _loglog(u[picks], v[picks])
            ks = np.exp(cs)
        else:
            start = np.tile([k, kappa], (bootstrap, 1))
            ks, kappas = _gauss_newton(base[picks], (y - e_y)[picks], start)
        samples = np.column_stack([ks, kappas, np.full(bootstrap, e_x), np.full(bootstrap, e_y)])

    values = np.array([k, kappa, e_x, e_y])
    fitted = shifted_power_law_curve(values[None, :], x)[0]
    return ShiftedPowerLawFit(
        formula=FORMULA,
        space=space,
        param_names=PARAM_NAMES,
        values=frozen_array(values),
        curve=shifted_power_law_curve,
        goodness=goodness(y, fitted, 2, objective),
        residuals=frozen_array(y - fitted),
        covariance=frozen_array(covariance),
        bootstrap=None if samples is None else frozen_array(samples),
        level=level,
        procedure=procedure,
    )


@dataclass(frozen=True)
class IrreducibleLosses:
    """E_x and E_y from scaling-law fits of each loss over the same runs."""

    e_x: float
    e_y: float
    form: str


def irreducible_losses(
    n_params: ArrayLike,
    n_tokens: ArrayLike,
    loss_x: ArrayLike,
    loss_y: ArrayLike,
    *,
    form: Literal["kaplan", "chinchilla"] = "kaplan",
    grid: FloatArray = KAPLAN_GRID,
) -> IrreducibleLosses:
    """E of a scaling-law fit L(N, D) of each loss (Huber on log loss, multi-start)."""
    if form not in ("kaplan", "chinchilla"):
        raise check.AnalysisInputError(f"form must be 'kaplan' or 'chinchilla', got {form!r}")
    fit = fit_kaplan if form == "kaplan" else fit_chinchilla
    e_x = fit(n_params, n_tokens, loss_x, grid=grid).E
    e_y = fit(n_params, n_tokens, loss_y, grid=grid).E
    return IrreducibleLosses(e_x, e_y, form)


def fit_error_vs_loss(
    loss: ArrayLike,
    accuracy: ArrayLike,
    *,
    e_loss: float = 0.0,
    e_error: float = 0.0,
    procedure: Procedure = "least_squares",
    bootstrap: int = 0,
    level: float = 0.95,
    seed: int = 0,
) -> ShiftedPowerLawFit:
    """error = 1 - accuracy fitted as K (L - E_loss)^kappa + E_error (accuracy as fractions)."""
    acc = check.as_vector(accuracy, "accuracy")
    check.probabilities(acc, "accuracy")
    return fit_loss_to_loss(
        loss,
        1.0 - acc,
        e_x=e_loss,
        e_y=e_error,
        procedure=procedure,
        bootstrap=bootstrap,
        level=level,
        seed=seed,
    )


def chance_normalized_accuracy(accuracy: ArrayLike, chance: float) -> FloatArray:
    """(acc - chance) / (1 - chance): 0 at chance level, 1 at perfect accuracy."""
    acc = check.as_vector(accuracy, "accuracy")
    check.probabilities(acc, "accuracy")
    if not 0 <= chance < 1:
        raise check.AnalysisInputError(f"chance must lie in [0, 1), got {chance!r}")
    return (acc - chance) / (1 - chance)


def pair_runs(
    frame: pd.DataFrame,
    *,
    group_column: str,
    x_group: object,
    y_group: object,
    on: Sequence[str] = ("params", "tokens"),
    rel_tol: float = 1e-6,
) -> pd.DataFrame:
    """Train-to-train pairs: runs of ``x_group`` and ``y_group`` with equal ``on`` values.

    Two runs match when every ``on`` column agrees within ``rel_tol`` (relative). Returns one
    row per pair, columns suffixed ``_x`` and ``_y``; an x run matches at most one y run.
    """
    check.columns_present(frame, [group_column, *on])
    left = frame[frame[group_column] == x_group].reset_index(drop=True)
    right = frame[frame[group_column] == y_group].reset_index(drop=True)
    if left.empty or right.empty:
        raise check.AnalysisInputError(
            f"no runs for {x_group!r} or {y_group!r} in column {group_column!r}"
        )
    match = np.ones((len(left), len(right)), dtype=bool)
    for column in on:
        a = left[column].to_numpy(dtype=np.float64)[:, None]
        b = right[column].to_numpy(dtype=np.float64)[None, :]
        match &= np.abs(a - b) <= rel_tol * np.maximum(np.abs(a), np.abs(b))
    has = match.any(axis=1)
    first = match.argmax(axis=1)
    pairs = left[has].add_suffix("_x").reset_index(drop=True)
    partners = right.iloc[first[has]].add_suffix("_y").reset_index(drop=True)
    return pd.concat([pairs, partners], axis=1)
