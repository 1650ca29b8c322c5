"""The frequency page's pair views: performance on concept pairs against the individual
concepts' frequencies (compositional view, Wiedemer et al. 2025: OLS on the mean log10
frequency, i.e. the log of the geometric mean) and against the pair's PMI (Qu et al. 2025:
Pearson r and the gap between the top and bottom 5 % of PMI).

A pair's score is a per-concept score whose concept names two concepts joined by
:data:`PAIR_SEPARATOR` (``"dog + frisbee"``), in either order.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from app.figures.fit_lines import FitLine
from app.figures.frequency import FrequencyOptions, make_frequency_figure
from app.views.common import ExplorerView, empty_view, grid
from backend.analysis import fit_per_group
from backend.analysis.frequency import fit_accuracy_vs_pmi, fit_compositional, pmi
from backend.queries.frequencies import (
    concept_scores_frame,
    list_frequencies,
    pair_frequency_frame,
)

PAIR_SEPARATOR = " + "
NO_PAIRS = (
    "No pair scores: per-concept scores whose concept joins two concepts with "
    f"'{PAIR_SEPARATOR.strip()}' (e.g. 'dog{PAIR_SEPARATOR}frisbee')"
)


def pair_scores(session: Session, state) -> pd.DataFrame:
    """Scores on concept pairs: ``model, revision, concept_a, concept_b, value`` (a < b)."""
    frame = concept_scores_frame(
        session, eval_set=state.eval_set, models=state.models or None, metric=state.metric or None
    )
    frame = frame[frame["concept"].str.contains(PAIR_SEPARATOR, regex=False)]
    if not state.metric and not frame.empty:
        frame = frame[frame["metric"] == frame["metric"].iloc[0]]
    parts = frame["concept"].str.split(PAIR_SEPARATOR, n=1, regex=False)
    first, second = parts.str[0].str.strip(), parts.str[1].str.strip()
    return frame.assign(
        concept_a=np.where(first <= second, first, second),
        concept_b=np.where(first <= second, second, first),
    )


def single_counts(session: Session, state, concepts: list[str]) -> dict[str, int]:
    """The corpus count of each concept (those counted)."""
    found = list_frequencies(
        session,
        corpus=state.corpus,
        method=state.method,
        concepts=concepts,
        limit=max(len(concepts), 1),
    )
    return {f.concept: f.count for f in found}


def point_frame(scores: pd.DataFrame, x: np.ndarray) -> pd.DataFrame:
    """The explorers' point convention for pair scores."""
    return pd.DataFrame(
        {
            "x": x,
            "y": scores["value"].to_numpy(float),
            "group": scores["model"].astype(str).to_numpy(),
            "model": scores["model"].astype(str).to_numpy(),
            "checkpoint": scores["revision"].astype(str).to_numpy(),
            "concept": scores["concept"].astype(str).to_numpy(),
        }
    )


def compositional_fit(count_a: np.ndarray, count_b: np.ndarray, performance: np.ndarray):
    """Wiedemer et al.'s fit on the two objects' counts of each pair."""
    return fit_compositional(np.column_stack([count_a, count_b]), performance)


def fits_per_model(points: pd.DataFrame, fit, columns: list[str]) -> tuple[dict, list[str]]:
    """``fit`` per model (``backend.analysis.fit_per_group``), and a note per model it
    refused."""
    failures: dict = {}
    fits = fit_per_group(points, "group", fit, columns, skip_failures=True, failures=failures)
    return fits, [f"{group}: not fitted ({why})" for group, why in failures.items()]


def build_compositional_view(session: Session, state) -> ExplorerView:
    """Pair performance against the geometric mean of the two concepts' counts, per model."""
    scores = pair_scores(session, state)
    if scores.empty:
        return empty_view(NO_PAIRS)
    concepts = sorted(set(scores["concept_a"]) | set(scores["concept_b"]))
    counts = single_counts(session, state, concepts)
    scores = scores[scores["concept_a"].isin(counts.keys()) & scores["concept_b"].isin(counts)]
    if scores.empty:
        return empty_view(f"The pairs' concepts are not counted in {state.corpus}")
    object_counts = np.column_stack(
        [scores["concept_a"].map(counts).to_numpy(float), scores["concept_b"].map(counts)]
    )
    geometric = 10 ** np.mean(np.log10(np.maximum(object_counts, 1.0)), axis=1)
    points = point_frame(scores, geometric)
    counted = points.assign(count_a=object_counts[:, 0], count_b=object_counts[:, 1])
    fits, notes = fits_per_model(counted, compositional_fit, ["count_a", "count_b", "y"])
    lines, rows = [], []
    for group, fit in fits.items():
        xs_of_model = points.loc[points["group"] == group, "x"].to_numpy(float)
        xs = grid(xs_of_model, log=True)
        band = fit.line.band(np.log10(xs))
        label = f"{group}: R² = {fit.r_squared:.2f}, r = {fit.r:.2f}"
        lines.append(FitLine(str(group), xs, band.center, band.low, band.high, label=label))
        rows.append(
            {
                "model": str(group),
                "slope per ×10 (points)": round(100 * fit.line.slope, 2),
                "intercept": round(fit.line.intercept, 4),
                "r": round(fit.r, 3),
                "R²": round(fit.r_squared, 3),
                "pairs": len(xs_of_model),
                "space": fit.space,
            }
        )
    options = FrequencyOptions(
        x_label=f"geometric mean of the two concepts' counts in {state.corpus}",
        y_label=f"accuracy on {state.eval_set} (pairs)",
    )
    figure = make_frequency_figure(points, lines, options)
    return ExplorerView(figure=figure, table=rows, points=points, notes=tuple(notes))


def build_pmi_view(session: Session, state) -> ExplorerView:
    """Pair accuracy against the pair's smoothed PMI in the corpus, per model."""
    scores = pair_scores(session, state)
    if scores.empty:
        return empty_view(NO_PAIRS)
    pairs = pair_frequency_frame(session, corpus=state.corpus, method=state.method)
    scores = scores.merge(pairs, on=["concept_a", "concept_b"], how="inner")
    scores = scores.dropna(subset=["count_a", "count_b"])
    if scores.empty:
        return empty_view(f"No pair counts of these concepts in {state.corpus} ({state.method})")
    values = pmi(scores["count_ab"], scores["count_a"], scores["count_b"])
    points = point_frame(scores, values)
    fits, notes = fits_per_model(points, fit_accuracy_vs_pmi, ["x", "y"])
    lines, rows = [], []
    for group, fit in fits.items():
        xs_of_model = points.loc[points["group"] == group, "x"].to_numpy(float)
        xs = grid(xs_of_model, log=False)
        band = fit.line.band(xs)
        label = f"{group}: r = {fit.r:.2f}, gap {100 * fit.gap:+.1f} points"
        lines.append(FitLine(str(group), xs, band.center, band.low, band.high, label=label))
        rows.append(
            {
                "model": str(group),
                "r": round(fit.r, 3),
                "slope per nat of PMI (points)": round(100 * fit.line.slope, 2),
                f"top − bottom {int(100 * fit.tail)}% gap (points)": round(100 * fit.gap, 2),
                "pairs": len(xs_of_model),
                "space": fit.space,
            }
        )
    options = FrequencyOptions(
        x_label=f"PMI of the pair in {state.corpus} (smoothed, up to a constant)",
        y_label=f"accuracy on {state.eval_set} (pairs)",
        log_x=False,
    )
    figure = make_frequency_figure(points, lines, options)
    return ExplorerView(figure=figure, table=rows, points=points, notes=tuple(notes))
