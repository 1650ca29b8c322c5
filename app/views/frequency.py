"""Frequency view: per-concept accuracy against the concept's pretraining frequency for the
chosen models and corpus, the log-linear fit per model (slope per ×10 frequency, Pearson r on
raw points and on the paper's log-binned means) and the binned means (Udandarao et al. 2024)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from app.figures.base import excluded_trace
from app.figures.fit_lines import FitLine
from app.figures.frequency import FrequencyOptions, make_frequency_figure
from app.session import ui_session
from app.views.common import ExplorerView, empty_view, estimate_text, grid
from app.views.concept_pairs import build_compositional_view, build_pmi_view
from backend.analysis.frequency import FrequencyFit
from backend.catalog.aliases import display_name
from backend.exceptions import NotFoundError, ValidationError
from backend.fits.frequency import (
    FrequencyChoices,
    FrequencyState,
    frequency_fits,
    preferred_method,
    resolve,
    with_defaults,
)
from backend.fits.frequency import (
    read_frequency_choices as read_choices_in,
)
from backend.queries.catalog import list_corpora

__all__ = ["FrequencyChoices", "FrequencyState", "build_frequency_view", "with_defaults"]

VIEWS = {
    "frequency": "accuracy vs concept frequency",
    "pairs": "pairs: compositional (geometric mean frequency)",
    "pmi": "pairs: accuracy vs PMI",
}


def read_frequency_choices(
    session: Session, state: FrequencyState
) -> tuple[FrequencyChoices, FrequencyState]:
    """The control options and the state with its defaults filled in (in the page's session)."""
    return read_choices_in(session), resolve(session, state)


def counting_methods(corpus: str, current: str | None) -> tuple[list[str], str]:
    """The counting methods of ``corpus`` and the one to select (``current`` if it is one)."""
    with ui_session() as session:
        methods = next((sorted(c.methods) for c in list_corpora(session) if c.name == corpus), [])
    return methods, current if current in methods else preferred_method(methods)


def fit_line(group: str, fit: FrequencyFit, counts: np.ndarray) -> FitLine:
    """The log-linear fit over the model's count range, with its Wald band."""
    xs = grid(counts, log=True)
    band = fit.line.band(np.log10(xs))
    label = f"{group}: {fit.slope_points:+.1f} points per ×10, r = {fit.r_raw:.2f}"
    return FitLine(group, xs, fit.predict(xs), lower=band.low, upper=band.high, label=label)


def fit_row(group: str, fit: FrequencyFit) -> dict:
    """One table row: slope per ×10 (points), intercept, raw and binned r, concept counts."""
    slope = fit.line.params["slope"]
    in_points = replace(
        slope,
        value=100 * slope.value,
        low=None if slope.low is None else 100 * slope.low,
        high=None if slope.high is None else 100 * slope.high,
    )
    return {
        "model": group,
        "slope (points per ×10)": estimate_text(in_points, 3),
        "intercept": f"{fit.line.intercept:.3f}",
        "r (raw)": round(fit.r_raw, 3),
        "r (binned means)": round(fit.r_binned, 3),
        "concepts": fit.n_concepts,
        "zero counts": fit.zero_counts,
        "interval": f"{fit.line.interval_kind} {int(round(100 * fit.line.level))}%",
        "space": fit.space,
    }


def build_frequency_view(session: Session, state: FrequencyState) -> ExplorerView:
    """The figure, per-model fit table and points of ``state`` (any of the three views)."""
    if state.view == "frequency":
        return build_concept_view(session, state)
    state = resolve(session, state)
    if not (state.eval_set and state.corpus and state.method):
        return empty_view("Pick an eval set with per-concept scores and a corpus with counts")
    build = {"pairs": build_compositional_view, "pmi": build_pmi_view}.get(
        state.view, build_concept_view
    )
    try:
        return build(session, state)
    except (NotFoundError, ValidationError) as exc:
        return empty_view(str(exc))


def build_concept_view(session: Session, state: FrequencyState) -> ExplorerView:
    """Per-concept accuracy against frequency: points, bin means and a fit per model."""
    fits = frequency_fits(session, state)
    state = fits.state
    if fits.message:
        return empty_view(fits.message, fits)
    lines, rows, binned = [], [], []
    for group in fits.groups:
        fit: FrequencyFit = group.fit
        lines.append(fit_line(group.group, fit, np.array(group.extra["x_range"])))
        rows.append(fit_row(group.group, fit))
        binned.append(
            pd.DataFrame(
                {
                    "group": group.group,
                    "x": fit.binned.count,
                    "y": fit.binned.mean,
                    "n": fit.binned.size,
                }
            )
        )
    options = FrequencyOptions(
        x_label=f"pretraining frequency in {display_name('corpus', state.corpus)} ({state.method})",
        y_label=f"accuracy on {display_name('eval_set', state.eval_set)} (%)",
        show_points=state.points,
    )
    binned_frame = pd.concat(binned, ignore_index=True) if binned else None
    figure = make_frequency_figure(fits.used, lines, options, binned=binned_frame)
    if not fits.excluded.empty and state.points:
        figure.add_trace(excluded_trace(fits.excluded))
    return ExplorerView(figure=figure, table=rows, points=fits.points, notes=fits.notes, fits=fits)
