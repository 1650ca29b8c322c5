"""Effective robustness (Taori et al. 2020; Miller et al. 2021, "Accuracy on the line").

With an axis transform T (logit or probit, :mod:`backend.analysis.transforms`), fit
T(acc_OOD) = w * T(acc_ID) + b by OLS on a chosen baseline set of models; then each model's

    effective robustness rho(f) = acc_OOD(f) - T^-1(w * T(acc_ID(f)) + b)

(fractions; ``*_points`` in percentage points). Accuracies are fractions in [0, 1]; 0 and 1 are
clipped to [1e-6, 1 - 1e-6] before transforming. Uncertainty: bootstrap over baseline models
(``bootstrap=B`` resamples, all refitted at once in closed form) gives percentile bands for the
baseline curve and for each model's rho; without bootstrap the band is Wald (delta method in
transformed space, mapped back).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from backend.analysis import validation as check
from backend.analysis.linear import LineFit, ols_line
from backend.analysis.results import Band, frozen_array, percentile_interval
from backend.analysis.transforms import get_transform


@dataclass(frozen=True)
class EffectiveRobustnessFit:
    """Baseline line in transformed space and every model's effective robustness."""

    transform: str
    line: LineFit
    acc_id: np.ndarray
    acc_ood: np.ndarray
    baseline: np.ndarray
    effective_robustness: np.ndarray
    effective_robustness_interval: tuple[np.ndarray, np.ndarray] | None
    bootstrap_lines: np.ndarray | None
    level: float

    @property
    def space(self) -> str:
        return f"{self.transform}(OOD accuracy) vs {self.transform}(ID accuracy)"

    @property
    def slope(self) -> float:
        return self.line.slope

    @property
    def intercept(self) -> float:
        return self.line.intercept

    @property
    def effective_robustness_points(self) -> np.ndarray:
        return 100 * self.effective_robustness

    def predict(self, acc_id: ArrayLike) -> np.ndarray:
        """Baseline OOD accuracy expected at ``acc_id``."""
        t = get_transform(self.transform)
        return t.inverse(self.line.predict(t.forward(acc_id)))

    def band(self, acc_id: ArrayLike, *, level: float | None = None) -> Band:
        """Pointwise band of the baseline curve (bootstrap over models if fitted so, else Wald)."""
        level = self.level if level is None else level
        check.level_in_unit_interval(level)
        t = get_transform(self.transform)
        x = np.atleast_1d(np.asarray(acc_id, dtype=np.float64))
        tx = t.forward(x)
        center = t.inverse(self.line.predict(tx))
        if self.bootstrap_lines is not None:
            curves = self.bootstrap_lines[:, 0:1] * tx[None, :] + self.bootstrap_lines[:, 1:2]
            low, high = percentile_interval(t.inverse(curves), level)
            return Band(x, center, low, high, level, "bootstrap")
        inner = self.line.band(tx, level=level)
        return Band(x, center, t.inverse(inner.low), t.inverse(inner.high), level, "wald")


def _bootstrap_lines(tx: np.ndarray, ty: np.ndarray, resamples: int, seed: int) -> np.ndarray:
    """(slope, intercept) of OLS on ``resamples`` resamples of the baseline, closed form."""
    picks = np.random.default_rng(seed).integers(0, len(tx), size=(resamples, len(tx)))
    x, y = tx[picks], ty[picks]
    x_mean, y_mean = x.mean(1, keepdims=True), y.mean(1, keepdims=True)
    dx = x - x_mean
    sxx = (dx * dx).sum(1)
    slope = (dx * (y - y_mean)).sum(1) / np.where(sxx > 0, sxx, np.nan)
    return np.column_stack([slope, y_mean[:, 0] - slope * x_mean[:, 0]])


def fit_effective_robustness(
    acc_id: object,
    acc_ood: object,
    *,
    baseline: object | None = None,
    transform: str = "logit",
    bootstrap: int = 0,
    level: float = 0.95,
    seed: int = 0,
) -> EffectiveRobustnessFit:
    """Fit the baseline on ``baseline`` (boolean mask or indices; default: all models)."""
    if transform not in ("logit", "probit"):
        raise check.AnalysisInputError(
            f"effective robustness uses 'logit' or 'probit' axes, got {transform!r}"
        )
    x_all, y_all = check.as_vector(acc_id, "acc_id"), check.as_vector(acc_ood, "acc_ood")
    n = check.same_length(acc_id=x_all, acc_ood=y_all)
    check.probabilities(x_all, "acc_id")
    check.probabilities(y_all, "acc_ood")
    check.level_in_unit_interval(level)
    check.resample_count(bootstrap)
    mask = np.ones(n, dtype=bool)
    if baseline is not None:
        chosen = np.asarray(baseline)
        if chosen.dtype == bool:
            if chosen.shape != (n,):
                raise check.AnalysisInputError(
                    f"baseline mask has {chosen.size} entries for {n} models"
                )
            mask = chosen
        else:
            mask = np.zeros(n, dtype=bool)
            try:
                mask[chosen.astype(int)] = True
            except IndexError:
                raise check.AnalysisInputError("baseline indices out of range") from None
    check.at_least(int(mask.sum()), 3, "effective-robustness baseline")
    t = get_transform(transform)
    tx, ty = t.forward(x_all), t.forward(y_all)
    check.not_constant(tx[mask], "baseline acc_id")
    line = ols_line(tx[mask], ty[mask], space=f"{transform} accuracies", level=level)
    expected = t.inverse(line.slope * tx + line.intercept)
    robustness = y_all - expected

    lines, interval = None, None
    if bootstrap:
        lines = _bootstrap_lines(tx[mask], ty[mask], bootstrap, seed)
        expected_b = t.inverse(lines[:, 0:1] * tx[None, :] + lines[:, 1:2])
        interval = percentile_interval(y_all[None, :] - expected_b, level)
        interval = (frozen_array(interval[0]), frozen_array(interval[1]))
        lines = frozen_array(lines)
    return EffectiveRobustnessFit(
        transform,
        line,
        frozen_array(x_all),
        frozen_array(y_all),
        mask.copy(),
        frozen_array(robustness),
        interval,
        lines,
        level,
    )
