"""Axis transforms shared by plots and fits: one registry, so a plot and its fit agree.

==========  ==========================  ===================  ==================
name        forward T(p)                inverse              domain
==========  ==========================  ===================  ==================
linear      p                           y                    all reals
log         log10(p)                    10**y                p > 0
logit       log(p / (1 - p))            1 / (1 + e^-y)       0 < p < 1
probit      Phi^-1(p) (normal quantile) Phi(y)               0 < p < 1
==========  ==========================  ===================  ==================

``TRANSFORMS[name].ticks(low, high)`` gives tick positions in transformed space and labels in
data space (decades for log, percentages for logit/probit), for a plot whose data lie in
[low, high]. Accuracy transforms clip to [eps, 1 - eps] (eps = 1e-6 by default) so that 0 % and
100 % stay finite; say so in a plot's caption.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import special

from backend.analysis.arrays import FloatArray
from backend.analysis.validation import AnalysisInputError

ACCURACY_CLIP = 1e-6

_PROBABILITY_TICKS = np.array(
    [0.001, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 0.999]
)


def _percent_label(p: float) -> str:
    percent = 100 * p
    return f"{percent:.1f}%" if percent < 1 or percent > 99 else f"{percent:.0f}%"


def _nice_linear_ticks(low: float, high: float, target: int = 6) -> FloatArray:
    if high <= low:
        return np.array([low])
    raw = (high - low) / target
    magnitude = 10 ** np.floor(np.log10(raw))
    step = min((m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw), default=raw)
    start = np.ceil(low / step) * step
    return np.arange(start, high + step / 2, step)


def _log_ticks(low: float, high: float) -> tuple[FloatArray, list[str]]:
    if low <= 0:
        raise AnalysisInputError(f"log axis needs positive limits, got low={low!r}")
    first, last = int(np.floor(np.log10(low))), int(np.ceil(np.log10(high)))
    mantissas = (1,) if last - first > 2 else (1, 2, 5)
    values = [m * 10.0**k for k in range(first, last + 1) for m in mantissas]
    values = [v for v in values if low <= v <= high] or [10.0**first]
    return np.log10(values), [f"{v:g}" for v in values]


def _probability_ticks(
    forward: Callable[[FloatArray], FloatArray], low: float, high: float
) -> tuple[FloatArray, list[str]]:
    chosen = _PROBABILITY_TICKS[(_PROBABILITY_TICKS >= low) & (_PROBABILITY_TICKS <= high)]
    if chosen.size == 0:
        chosen = np.array([np.clip((low + high) / 2, ACCURACY_CLIP, 1 - ACCURACY_CLIP)])
    return forward(chosen), [_percent_label(p) for p in chosen]


@dataclass(frozen=True)
class AxisTransform:
    """A monotone map T of an axis, its inverse, the domain it accepts and its tick marks."""

    name: str
    label: str
    forward_fn: Callable[[FloatArray], FloatArray]
    inverse_fn: Callable[[FloatArray], FloatArray]
    domain: tuple[float, float]
    ticks_fn: Callable[[float, float], tuple[FloatArray, list[str]]]
    clip: float = 0.0

    def forward(self, values: ArrayLike) -> FloatArray:
        """T(values); refuses values outside the domain (probabilities are clipped first)."""
        array = np.asarray(values, dtype=np.float64)
        low, high = self.domain
        if self.clip:
            outside = (array < low) | (array > high)
            array = np.clip(array, low + self.clip, high - self.clip)
        else:
            outside = (array <= low) | (array >= high)
        if np.any(outside):
            raise AnalysisInputError(
                f"{self.name} transform needs values in {self.domain}; "
                f"got {array[outside].ravel()[:3]}"
            )
        return self.forward_fn(array)

    def inverse(self, values: ArrayLike) -> FloatArray:
        """T^-1(values), back in data space."""
        return self.inverse_fn(np.asarray(values, dtype=np.float64))

    def ticks(self, low: float, high: float) -> tuple[FloatArray, list[str]]:
        """Tick positions (transformed space) and labels (data space) covering [low, high]."""
        return self.ticks_fn(low, high)


def _linear_ticks(low: float, high: float) -> tuple[FloatArray, list[str]]:
    values = _nice_linear_ticks(low, high)
    return values, [f"{v:g}" for v in values]


def _logit(p: FloatArray) -> FloatArray:
    logits: FloatArray = special.logit(p)
    return logits


def _probit(p: FloatArray) -> FloatArray:
    quantiles: FloatArray = special.ndtri(p)
    return quantiles


TRANSFORMS: dict[str, AxisTransform] = {
    "linear": AxisTransform(
        "linear", "linear", lambda x: x, lambda y: y, (-np.inf, np.inf), _linear_ticks
    ),
    "log": AxisTransform("log", "log10", np.log10, lambda y: 10.0**y, (0.0, np.inf), _log_ticks),
    "logit": AxisTransform(
        "logit",
        "logit",
        _logit,
        special.expit,
        (0.0, 1.0),
        lambda lo, hi: _probability_ticks(_logit, lo, hi),
        clip=ACCURACY_CLIP,
    ),
    "probit": AxisTransform(
        "probit",
        "probit",
        _probit,
        special.ndtr,
        (0.0, 1.0),
        lambda lo, hi: _probability_ticks(_probit, lo, hi),
        clip=ACCURACY_CLIP,
    ),
}


def get_transform(name: str) -> AxisTransform:
    """The registered transform called ``name``; refuses unknown names, listing the known."""
    try:
        return TRANSFORMS[name]
    except KeyError:
        raise AnalysisInputError(
            f"unknown transform {name!r}; choose one of {sorted(TRANSFORMS)}"
        ) from None
