"""Robustness view: out-of-distribution against in-distribution accuracy per checkpoint, a
baseline line fitted in transformed space (logit, probit or linear) on a chosen set of models,
and each model's effective robustness (Taori et al. 2020; Miller et al. 2021)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from app.figures.base import excluded_trace
from app.figures.fit_lines import FitLine
from app.figures.robustness import RobustnessOptions, make_robustness_figure
from app.session import ui_session
from app.views.choices import Choices, read_choices
from app.views.common import ExplorerView, empty_view
from backend.analysis.results import percentile_interval
from backend.analysis.robustness import EffectiveRobustnessFit
from backend.analysis.transforms import get_transform
from backend.catalog.units import group_label, metric_key_label
from backend.fits.robustness import (
    RobustnessState,
    accuracy_metrics,
    fit_transform,
    resolve,
    robustness_fits,
    with_defaults,
)

__all__ = [
    "RobustnessState",
    "accuracy_metrics",
    "build_robustness_view",
    "fit_transform",
    "with_defaults",
]

BASELINE_COLOR = "#222222"
#: The per-model table shows this many rows, most robust first (the points' CSV export has all).
DETAIL_ROWS = 500


def read_robustness_choices(
    session: Session, state: RobustnessState
) -> tuple[Choices, RobustnessState]:
    """The control options and the state with its defaults filled in (in the page's session)."""
    return read_choices(session), resolve(session, state)


def group_values(group: str) -> list[str]:
    """The values of the grouping attribute ``group`` (the baseline set is chosen from them)."""
    with ui_session() as session:
        choices = read_choices(session)
    return [option["value"] for option in choices.value_options(group)]


def baseline_line(
    fit: EffectiveRobustnessFit, state: RobustnessState, points: pd.DataFrame
) -> FitLine:
    """The baseline fit as a curve in accuracy space (straight on the transformed axes)."""
    transform = get_transform(state.transform)
    low, high = float(points["x"].min()), float(points["x"].max())
    ends = transform.forward(np.clip([low, high], 1e-4, 1 - 1e-4))
    xs = transform.inverse(np.linspace(ends[0], ends[1], 60))
    band = fit.band(xs)
    return FitLine(
        "baseline",
        xs,
        fit.predict(xs),
        lower=band.low,
        upper=band.high,
        label=f"baseline fit ({fit.transform})",
        color=BASELINE_COLOR,
    )


def baseline_row(fit: EffectiveRobustnessFit) -> dict:
    """The baseline's slope w and intercept b (bootstrap percentiles when resampled), r, n."""
    line = fit.line
    if fit.bootstrap_lines is not None:
        low, high = percentile_interval(fit.bootstrap_lines, fit.level)
        kind = "bootstrap over models"
    else:
        estimates = line.params
        low = [estimates["slope"].low, estimates["intercept"].low]
        high = [estimates["slope"].high, estimates["intercept"].high]
        kind = "wald"
    return {
        "group": "baseline",
        "w (slope)": f"{line.slope:.4f} [{low[0]:.4f}, {high[0]:.4f}]",
        "b (intercept)": f"{line.intercept:.4f} [{low[1]:.4f}, {high[1]:.4f}]",
        "r": round(line.pearson_r, 4),
        "R²": round(line.goodness.r_squared, 4),
        "baseline models": int(np.sum(fit.baseline)),
        "interval": f"{kind} {int(round(100 * fit.level))}%",
        "space": fit.space,
    }


def robustness_rows(
    points: pd.DataFrame,
    fit: EffectiveRobustnessFit,
    in_baseline: np.ndarray,
    limit: int = DETAIL_ROWS,
) -> list[dict]:
    """Per checkpoint: accuracies, the baseline's prediction and effective robustness (points)
    with its bootstrap interval, most robust first; the first ``limit`` rows only."""
    effective = pd.Series(100 * fit.effective_robustness, index=points.index).round(2)
    shown = effective.sort_values(ascending=False).index[:limit]
    rows = points.loc[shown]
    picked = points.index.get_indexer(shown)
    predicted = fit.predict(rows["x"].to_numpy(float))
    table = pd.DataFrame(
        {
            "model": rows["model"],
            "checkpoint": rows["checkpoint"],
            "group": rows["group"],
            "ID accuracy (%)": (100 * rows["x"]).round(2),
            "OOD accuracy (%)": (100 * rows["y"]).round(2),
            "baseline OOD (%)": (100 * predicted).round(2),
            "effective robustness (points)": effective.loc[shown],
            "in baseline": np.where(in_baseline[picked], "yes", "no"),
        }
    )
    if fit.effective_robustness_interval is not None:
        low, high = fit.effective_robustness_interval
        table.insert(7, "ER low", (100 * np.asarray(low)[picked]).round(2))
        table.insert(8, "ER high", (100 * np.asarray(high)[picked]).round(2))
    return table.to_dict("records")


def table_note(total: int, limit: int = DETAIL_ROWS) -> tuple[str, ...]:
    """Says the per-model table holds the ``limit`` most robust of ``total`` checkpoints."""
    if total <= limit:
        return ()
    return (
        f"Per-model table: the {limit:,} most robust of {total:,} checkpoints "
        "(the points' CSV export has every one)",
    )


def build_robustness_view(session: Session, state: RobustnessState) -> ExplorerView:
    """The figure, baseline parameters, per-model effective robustness and points of ``state``."""
    fits = robustness_fits(session, state)
    state = fits.state
    if fits.message:
        return empty_view(fits.message, fits)
    points = fits.points
    options = RobustnessOptions(
        x_label=metric_key_label(state.id),
        y_label=metric_key_label(state.ood),
        transform=state.transform,
        legend_title=group_label(state.group),
    )
    if not fits.groups:
        figure = make_robustness_figure(fits.used, [], options)
        return ExplorerView(figure=figure, points=points, notes=fits.notes, fits=fits)
    fit: EffectiveRobustnessFit = fits.groups[0].fit
    details = robustness_rows(points, fit, points["in_baseline"].to_numpy())
    shown = points.assign(effective_robustness=fit.effective_robustness)
    line = baseline_line(fit, state, shown)
    figure = make_robustness_figure(shown[~shown["excluded"]], [line], options)
    if not fits.excluded.empty:
        figure.add_trace(excluded_trace(fits.excluded))
    return ExplorerView(
        figure=figure,
        table=[baseline_row(fit)],
        points=shown,
        details=details,
        notes=fits.notes + table_note(len(points)),
        fits=fits,
    )
