"""Ordinary least squares line y = slope * x + intercept, the building block of several fits.

Standard errors are the classical OLS ones, cov = s^2 (X^T X)^-1 with s^2 = SS_res / (n - 2);
intervals are labelled "wald". Pearson r is reported alongside.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from backend.analysis import validation as check
from backend.analysis.arrays import FloatArray
from backend.analysis.results import ParametricFit, frozen_array, goodness


def line_curve(theta: FloatArray, x: FloatArray) -> FloatArray:
    """slope * x + intercept for each parameter row (slope, intercept)."""
    curves: FloatArray = theta[:, 0:1] * x[None, :] + theta[:, 1:2]
    return curves


@dataclass(frozen=True, kw_only=True)
class LineFit(ParametricFit):
    """An OLS line with Pearson r; ``space`` says what x and y are (e.g. logit accuracies)."""

    pearson_r: float

    @property
    def slope(self) -> float:
        return self["slope"]

    @property
    def intercept(self) -> float:
        return self["intercept"]


def ols_line(
    x: FloatArray,
    y: FloatArray,
    *,
    space: str = "linear",
    level: float = 0.95,
    weights: FloatArray | None = None,
) -> LineFit:
    """OLS (optionally weighted) of y on x; inputs already validated and transformed."""
    check.at_least(len(x), 3, "line fit")
    check.not_constant(x, "x")
    w = np.ones_like(x) if weights is None else weights
    sw = w.sum()
    x_mean, y_mean = (w * x).sum() / sw, (w * y).sum() / sw
    sxx = (w * (x - x_mean) ** 2).sum()
    sxy = (w * (x - x_mean) * (y - y_mean)).sum()
    slope = sxy / sxx
    intercept = y_mean - slope * x_mean
    fitted = slope * x + intercept
    residuals = y - fitted
    dof = len(x) - 2
    s2 = (w * residuals**2).sum() / dof
    covariance = s2 * np.array(
        [[1 / sxx, -x_mean / sxx], [-x_mean / sxx, 1 / sw + x_mean**2 / sxx]]
    )
    syy = (w * (y - y_mean) ** 2).sum()
    r = float(sxy / np.sqrt(sxx * syy)) if syy > 0 else float("nan")
    return LineFit(
        formula="y = slope * x + intercept",
        space=space,
        param_names=("slope", "intercept"),
        values=frozen_array([slope, intercept]),
        curve=line_curve,
        goodness=goodness(y, fitted, 2, float((w * residuals**2).sum())),
        residuals=frozen_array(residuals),
        covariance=frozen_array(covariance),
        level=level,
        pearson_r=r,
    )


def fit_line(x: ArrayLike, y: ArrayLike, *, level: float = 0.95) -> LineFit:
    """Validated OLS line through (x, y) in linear space."""
    xs, ys = check.as_vector(x, "x"), check.as_vector(y, "y")
    check.same_length(x=xs, y=ys)
    return ols_line(xs, ys, level=level)
