"""Frequency view: per-concept accuracy against the concept's pretraining frequency for the
chosen models and corpus, the log-linear fit per model (slope per ×10 frequency, Pearson r on
raw points and on the paper's log-binned means) and the binned means (Udandarao et al. 2024)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from app.figures.fit_lines import FitLine
from app.figures.frequency import FrequencyOptions, make_frequency_figure
from app.session import ui_session
from app.state import PageState
from app.views.common import ExplorerView, empty_view, estimate_text, grid
from app.views.concept_pairs import build_compositional_view, build_pmi_view
from backend.analysis.frequency import PAPER_BINS, FrequencyFit, fit_frequency_accuracy
from backend.exceptions import NotFoundError, ValidationError
from backend.queries.catalog import list_corpora
from backend.queries.frequencies import eval_sets_with_concept_scores, frequency_frame

# The paper's headline counting method: captions and image tags combined, threshold 0.7.
PREFERRED_METHOD_WORDS = ("integrated", "0.7")


VIEWS = {
    "frequency": "accuracy vs concept frequency",
    "pairs": "pairs: compositional (geometric mean frequency)",
    "pmi": "pairs: accuracy vs PMI",
}


class FrequencyState(PageState):
    """Everything the frequency page shows, as its URL encodes it."""

    view: Literal["frequency", "pairs", "pmi"] = "frequency"
    eval_set: str = ""
    metric: str = ""
    corpus: str = ""
    method: str = ""
    models: list[str] = []
    points: bool = True
    bins: int = PAPER_BINS


@dataclass(frozen=True)
class FrequencyChoices:
    """Eval sets with per-concept scores and corpora with their counting methods."""

    eval_sets: tuple[str, ...] = ()
    methods: dict[str, list[str]] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        """Whether there are no per-concept scores or no concept counts."""
        return not self.eval_sets or not self.methods


def preferred_method(methods: list[str]) -> str:
    """The paper's headline method when counted, else the first one."""
    for method in methods:
        if all(word in method for word in PREFERRED_METHOD_WORDS):
            return method
    return methods[0] if methods else ""


def with_defaults(state: FrequencyState, choices: FrequencyChoices) -> FrequencyState:
    """``state`` with a missing eval set, corpus or method replaced by the first available."""
    eval_set = state.eval_set if state.eval_set in choices.eval_sets else ""
    eval_set = eval_set or (choices.eval_sets[0] if choices.eval_sets else "")
    corpus = state.corpus if state.corpus in choices.methods else ""
    corpus = corpus or next(iter(choices.methods), "")
    methods = choices.methods.get(corpus, [])
    method = state.method if state.method in methods else preferred_method(methods)
    return state.model_copy(update={"eval_set": eval_set, "corpus": corpus, "method": method})


def read_frequency_choices(state: FrequencyState) -> tuple[FrequencyChoices, FrequencyState]:
    """The control options and the state with its defaults filled in."""
    with ui_session() as session:
        choices = FrequencyChoices(
            eval_sets=tuple(eval_sets_with_concept_scores(session)),
            methods={c.name: sorted(c.methods) for c in list_corpora(session) if c.methods},
        )
    return choices, with_defaults(state, choices)


def counting_methods(corpus: str, current: str | None) -> tuple[list[str], str]:
    """The counting methods of ``corpus`` and the one to select (``current`` if it is one)."""
    with ui_session() as session:
        methods = next((sorted(c.methods) for c in list_corpora(session) if c.name == corpus), [])
    return methods, current if current in methods else preferred_method(methods)


def read_points(session: Session, state: FrequencyState) -> pd.DataFrame:
    """Per concept and model: count (x, zero read as 1 as the paper does) and accuracy (y).

    Without chosen models, the models pretrained on the corpus are shown when there are any."""
    frame = frequency_frame(
        session,
        corpus=state.corpus,
        method=state.method,
        eval_set=state.eval_set,
        models=state.models or None,
        metric=state.metric or None,
    )
    if not state.metric and not frame.empty:
        frame = frame[frame["metric"] == frame["metric"].iloc[0]]
    own_corpus = frame["pretraining_data"] == state.corpus
    if not state.models and own_corpus.any():
        frame = frame[own_corpus]  # as the paper does: each model against its own corpus
    return pd.DataFrame(
        {
            "x": np.maximum(frame["count"].to_numpy(float), 1.0),
            "y": frame["value"].to_numpy(float),
            "group": frame["model"].astype(str),
            "model": frame["model"].astype(str),
            "checkpoint": frame["revision"].astype(str),
            "concept": frame["concept"].astype(str),
        }
    )


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
    points = read_points(session, state)
    if points.empty:
        return empty_view(
            f"No concepts of {state.eval_set} are counted in {state.corpus} ({state.method})"
        )
    lines, rows, binned, notes = [], [], [], []
    for group, part in points.groupby("group", sort=True):
        try:
            fit = fit_frequency_accuracy(part["x"], part["y"], bins=state.bins)
        except ValidationError as exc:
            notes.append(f"{group}: not fitted ({exc})")
            continue
        lines.append(fit_line(str(group), fit, part["x"].to_numpy(float)))
        rows.append(fit_row(str(group), fit))
        binned.append(
            pd.DataFrame(
                {"group": group, "x": fit.binned.count, "y": fit.binned.mean, "n": fit.binned.size}
            )
        )
    options = FrequencyOptions(
        x_label=f"pretraining frequency in {state.corpus} ({state.method})",
        y_label=f"accuracy on {state.eval_set}",
        show_points=state.points,
    )
    binned_frame = pd.concat(binned, ignore_index=True) if binned else None
    figure = make_frequency_figure(points, lines, options, binned=binned_frame)
    return ExplorerView(figure=figure, table=rows, points=points, notes=tuple(notes))
