"""Pretraining frequency vs performance (Udandarao et al. 2024; Wiedemer et al. 2025; Qu et al.
2025).

* Log-linear fit per model: accuracy = slope * log10(count) + intercept (OLS), so ``slope`` is
  the accuracy gained per x10 pretraining frequency (fractions; ``slope_points`` in percentage
  points). Counts of 0 are set to 1 first, as the paper does. Pearson r on the raw points and on
  log-binned means as the paper plots them: 12 edges linspace(min, max) over ln(count),
  ``np.digitize(..., right=True)`` (the first bin holds only the minimum), each non-empty bin's
  mean accuracy placed at its upper edge. ``trim`` bins at each end can be left out of the
  binned r (the issue's reading of Udandarao et al.: their sparsely filled first and last bins
  are dropped); ``binned`` keeps every bin.
* Compositional prediction: performance on a sample whose combination of objects never occurs
  in pretraining, predicted by OLS on the mean log10 frequency of its objects (log of their
  geometric mean); R^2 and Pearson r.
* PMI(w1, w2) = log((c12 + 1) / ((c1 + k)(c2 + k))) (+ log(total), when given, to make it the
  usual log p12 / (p1 p2)); accuracy vs PMI: Pearson r, OLS line, and the gap between the mean
  accuracy of the top and the bottom ``tail`` (5 %) of PMI.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from backend.analysis import validation as check
from backend.analysis.arrays import FloatArray, IndexArray
from backend.analysis.linear import LineFit, ols_line
from backend.analysis.results import frozen_array

PAPER_BINS = 12


@dataclass(frozen=True)
class BinnedMeans:
    """Mean (and std) accuracy per log-count bin; ``log_count`` is each bin's upper edge (ln)."""

    log_count: FloatArray
    mean: FloatArray
    std: FloatArray
    size: IndexArray

    @property
    def count(self) -> FloatArray:
        """Bin positions as counts (e^edge), for a log-scaled x axis."""
        counts: FloatArray = np.exp(self.log_count)
        return counts


def binned_means(log_counts: FloatArray, accuracy: FloatArray, bins: int) -> BinnedMeans:
    """The paper's binning: edges linspace(min, max, bins), digitize(right=True)."""
    edges = np.linspace(log_counts.min(), log_counts.max(), bins)
    index = np.digitize(log_counts, edges, right=True)
    size = np.bincount(index, minlength=bins)
    sums = np.bincount(index, weights=accuracy, minlength=bins)
    squares = np.bincount(index, weights=accuracy**2, minlength=bins)
    used = size > 0
    mean = sums[used] / size[used]
    std = np.sqrt(np.clip(squares[used] / size[used] - mean**2, 0, None))
    return BinnedMeans(frozen_array(edges[used]), frozen_array(mean), frozen_array(std), size[used])


@dataclass(frozen=True)
class FrequencyFit:
    """Log-linear frequency-accuracy fit of one model; space: accuracy vs log10(count)."""

    line: LineFit
    r_raw: float
    r_binned: float
    binned: BinnedMeans
    n_concepts: int
    zero_counts: int
    space: str = "accuracy vs log10(pretraining count)"

    @property
    def slope_per_decade(self) -> float:
        """Accuracy (fraction) gained per x10 pretraining frequency."""
        return self.line.slope

    @property
    def slope_points(self) -> float:
        """The same slope in percentage points."""
        return 100 * self.line.slope

    def predict(self, counts: ArrayLike) -> FloatArray:
        """Predicted accuracy at ``counts`` (zero counts read as 1)."""
        values = np.maximum(np.asarray(counts, dtype=np.float64), 1.0)
        return self.line.predict(np.log10(values))


def _counts(counts: ArrayLike, name: str = "counts") -> tuple[FloatArray, int]:
    values = check.as_vector(counts, name)
    if (values < 0).any():
        index = int(np.flatnonzero(values < 0)[0])
        raise check.AnalysisInputError(
            f"{name}: counts cannot be negative; found {values[index]!r} at position {index}"
        )
    return np.maximum(values, 1.0), int((values < 1).sum())


def fit_frequency_accuracy(
    counts: ArrayLike,
    accuracy: ArrayLike,
    *,
    bins: int = PAPER_BINS,
    trim: int = 0,
    level: float = 0.95,
) -> FrequencyFit:
    """Log-linear fit and raw/binned Pearson r for one model (accuracy as fractions); the
    binned r leaves out ``trim`` non-empty bins at each end."""
    values, zeros = _counts(counts)
    acc = check.as_vector(accuracy, "accuracy")
    check.same_length(counts=values, accuracy=acc)
    check.probabilities(acc, "accuracy")
    check.at_least(len(values), max(bins, 3), "frequency-accuracy fit")
    check.not_constant(values, "counts")
    line = ols_line(np.log10(values), acc, space="accuracy vs log10(count)", level=level)
    binned = binned_means(np.log(values), acc, bins)
    kept = slice(trim, len(binned.mean) - trim) if trim > 0 else slice(None)
    x_bins, y_bins = binned.log_count[kept], binned.mean[kept]
    r_binned = float(np.corrcoef(x_bins, y_bins)[0, 1]) if len(y_bins) > 2 else float("nan")
    return FrequencyFit(line, line.pearson_r, r_binned, binned, len(values), zeros)


@dataclass(frozen=True)
class CompositionalFit:
    """Performance vs mean log10 frequency of a sample's objects (log geometric mean)."""

    line: LineFit
    predictor: FloatArray
    r: float
    r_squared: float
    space: str = "performance vs mean log10(object count)"

    def predict(self, object_counts: ArrayLike) -> FloatArray:
        """Predicted performance for rows of object counts."""
        return self.line.predict(mean_log_frequency(object_counts))


def mean_log_frequency(object_counts: ArrayLike) -> FloatArray:
    """Mean log10 count over each row's objects (zero counts read as 1; NaN pads are skipped)."""
    rows = np.array(object_counts, dtype=np.float64)
    if rows.ndim != 2:
        raise check.AnalysisInputError(
            f"object_counts: expected one row of counts per sample, got shape {rows.shape}"
        )
    filled = ~np.isnan(rows)
    if not filled.any(axis=1).all():
        raise check.AnalysisInputError("object_counts: a sample has no object counts")
    if np.isinf(rows).any() or (rows[filled] < 0).any():
        raise check.AnalysisInputError("object_counts: counts must be finite and >= 0")
    logs = np.where(filled, np.log10(np.maximum(np.nan_to_num(rows, nan=1.0), 1.0)), 0.0)
    means: FloatArray = logs.sum(axis=1) / filled.sum(axis=1)
    return means


def fit_compositional(
    object_counts: ArrayLike, performance: ArrayLike, *, level: float = 0.95
) -> CompositionalFit:
    """OLS of performance on the mean log10 frequency of each sample's objects."""
    predictor = mean_log_frequency(object_counts)
    perf = check.as_vector(performance, "performance")
    check.same_length(object_counts=predictor, performance=perf)
    check.at_least(len(perf), 3, "compositional fit")
    line = ols_line(predictor, perf, space="performance vs mean log10(count)", level=level)
    return CompositionalFit(line, frozen_array(predictor), line.pearson_r, line.goodness.r_squared)


def pmi(
    pair_count: ArrayLike,
    count_1: ArrayLike,
    count_2: ArrayLike,
    *,
    k: float = 1.0,
    total: float | None = None,
) -> FloatArray:
    """Smoothed PMI = log((c12 + 1) / ((c1 + k)(c2 + k))) [+ log(total)]."""
    c12 = check.as_vector(pair_count, "pair_count")
    c1, c2 = check.as_vector(count_1, "count_1"), check.as_vector(count_2, "count_2")
    check.same_length(pair_count=c12, count_1=c1, count_2=c2)
    for array, name in ((c12, "pair_count"), (c1, "count_1"), (c2, "count_2")):
        if (array < 0).any():
            raise check.AnalysisInputError(f"{name}: counts cannot be negative")
    if k <= 0:
        raise check.AnalysisInputError(f"smoothing k must be > 0, got {k!r}")
    value = np.log(c12 + 1) - np.log(c1 + k) - np.log(c2 + k)
    if total is not None:
        if total <= 0:
            raise check.AnalysisInputError(f"total must be > 0, got {total!r}")
        value = value + np.log(total)
    return value


@dataclass(frozen=True)
class PmiAccuracy:
    """Accuracy vs PMI: Pearson r, OLS line and the top-minus-bottom ``tail`` accuracy gap."""

    line: LineFit
    r: float
    gap: float
    tail: float
    top_mean: float
    bottom_mean: float
    space: str = "accuracy vs PMI"


def fit_accuracy_vs_pmi(
    pmi_values: ArrayLike, accuracy: ArrayLike, *, tail: float = 0.05, level: float = 0.95
) -> PmiAccuracy:
    """Correlate accuracy with PMI; gap = mean acc(PMI >= q_{1-tail}) - mean acc(PMI <= q_tail)."""
    x = check.as_vector(pmi_values, "pmi")
    acc = check.as_vector(accuracy, "accuracy")
    check.same_length(pmi=x, accuracy=acc)
    check.probabilities(acc, "accuracy")
    check.at_least(len(x), 20, "accuracy-vs-PMI fit")
    if not 0 < tail < 0.5:
        raise check.AnalysisInputError(f"tail must lie in (0, 0.5), got {tail!r}")
    line = ols_line(x, acc, space="accuracy vs PMI", level=level)
    low, high = np.quantile(x, [tail, 1 - tail])
    top, bottom = float(acc[x >= high].mean()), float(acc[x <= low].mean())
    return PmiAccuracy(line, line.pearson_r, top - bottom, tail, top, bottom)
