"""Frequency fits: per-concept zero-shot accuracy against the concept's pretraining count,
a log-linear fit per model with Pearson r on raw points and on log-binned means.

Published procedure (Udandarao et al. 2024): integrated counts at RAM++ threshold 0.7
(``integrated ... 0.7`` methods), each model against its own pretraining corpus, 12 log-count
bins, with the first and last bins left out of the binned correlation (``trim=1``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from backend.analysis.frequency import PAPER_BINS, FrequencyFit, fit_frequency_accuracy
from backend.catalog.aliases import canonical
from backend.exceptions import NotFoundError, ValidationError
from backend.fits.cache import cached_fit
from backend.fits.exclusions import mark_excluded
from backend.fits.result import GroupFit, PageFits, compare
from backend.fits.urlstate import PageState
from backend.queries.catalog import list_corpora
from backend.queries.frequencies import eval_sets_with_concept_scores, frequency_frame

PAGE = "frequency"
# The paper's headline counting method: captions and image tags combined, threshold 0.7.
PREFERRED_METHOD_WORDS = ("integrated", "0.7")
PUBLISHED_TRIM = 1
PUBLISHED = (
    "Log-linear fit per model; r on 12 log-count bins, first and last bins left out",
    "Udandarao et al. 2024, \"No 'Zero-Shot' Without Exponential Data\"",
    {"bins": PAPER_BINS, "trim": PUBLISHED_TRIM, "exclude": []},
)


class FrequencyState(PageState):
    """Everything the frequency page shows, as its URL encodes it. ``trim`` None means "the
    published procedure's" (1 bin at each end)."""

    view: Literal["frequency", "pairs", "pmi"] = "frequency"
    eval_set: str = ""
    metric: str = ""
    corpus: str = ""
    method: str = ""
    models: list[str] = []
    points: bool = True
    bins: int = PAPER_BINS
    trim: int | None = None
    pool: bool = False
    exclude: list[str] = []


@dataclass(frozen=True)
class FrequencyChoices:
    """Eval sets with per-concept scores and corpora with their counting methods."""

    eval_sets: tuple[str, ...] = ()
    methods: dict[str, list[str]] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        """Whether there are no per-concept scores or no concept counts."""
        return not self.eval_sets or not self.methods


def read_frequency_choices(session: Session) -> FrequencyChoices:
    """The eval sets with per-concept scores and every corpus's counting methods."""
    return FrequencyChoices(
        eval_sets=tuple(eval_sets_with_concept_scores(session)),
        methods={c.name: sorted(c.methods) for c in list_corpora(session) if c.methods},
    )


def preferred_method(methods: list[str]) -> str:
    """The paper's headline method when counted, else the first one."""
    for method in methods:
        if all(word in method for word in PREFERRED_METHOD_WORDS):
            return method
    return methods[0] if methods else ""


def with_defaults(state: FrequencyState, choices: FrequencyChoices) -> FrequencyState:
    """``state`` with a missing eval set, corpus or method replaced by the first available
    (the paper's counting method first), and the published bin trimming."""
    eval_set = state.eval_set
    if eval_set not in choices.eval_sets:
        eval_set = canonical("eval_set", eval_set) or ""
    eval_set = eval_set if eval_set in choices.eval_sets else ""
    eval_set = eval_set or (choices.eval_sets[0] if choices.eval_sets else "")
    corpus = state.corpus if state.corpus in choices.methods else ""
    corpus = corpus or next(iter(choices.methods), "")
    methods = choices.methods.get(corpus, [])
    method = state.method if state.method in methods else preferred_method(methods)
    trim = PUBLISHED_TRIM if state.trim is None else state.trim
    update = {"eval_set": eval_set, "corpus": corpus, "method": method, "trim": trim}
    return state.model_copy(update=update)


def resolve(session: Session, state: FrequencyState) -> FrequencyState:
    """``state`` with every default filled in."""
    return with_defaults(state, read_frequency_choices(session))


def read_points(session: Session, state: FrequencyState) -> pd.DataFrame:
    """Per concept and model: count (x, zero read as 1 as the paper does) and accuracy (y);
    with ``pool``, the concepts of every eval set with per-concept scores (the paper pools its
    downstream datasets per model).

    Without chosen models, the models pretrained on the corpus are shown when there are any."""
    eval_sets = eval_sets_with_concept_scores(session) if state.pool else [state.eval_set]
    frames = [
        frequency_frame(
            session,
            corpus=state.corpus,
            method=state.method,
            eval_set=eval_set,
            models=state.models or None,
            metric=state.metric or None,
        ).assign(eval_set=eval_set)
        for eval_set in eval_sets
    ]
    frame = pd.concat(frames, ignore_index=True)
    if not state.metric and not frame.empty:
        frame = frame[frame["metric"] == frame["metric"].iloc[0]]
    own_corpus = frame["pretraining_data"] == state.corpus
    if not state.models and own_corpus.any():
        frame = frame[own_corpus]  # as the paper does: each model against its own corpus
    points = pd.DataFrame(
        {
            "x": np.maximum(frame["count"].to_numpy(float), 1.0),
            "count": frame["count"].to_numpy(float),  # as stored: the fit counts the zeros
            "y": frame["value"].to_numpy(float),
            "group": frame["model"].astype(str),
            "model": frame["model"].astype(str),
            "checkpoint": frame["revision"].astype(str),
            "concept": frame["concept"].astype(str),
            "eval_set": frame["eval_set"].astype(str),
        }
    )
    return mark_excluded(points, exclude=state.exclude)


def fit_summary(fit: FrequencyFit) -> dict[str, Any]:
    """The fit as the API serialises it: the line, r on raw points and on bins, bins."""
    summary: dict[str, Any] = dict(fit.line.to_dict())
    summary.update(
        space=fit.space,
        r_raw=fit.r_raw,
        r_binned=fit.r_binned,
        slope_points_per_decade=fit.slope_points,
        n_concepts=fit.n_concepts,
        zero_counts=fit.zero_counts,
        binned={
            "count": fit.binned.count.tolist(),
            "mean": fit.binned.mean.tolist(),
            "size": fit.binned.size.tolist(),
        },
    )
    return summary


def frequency_fits(session: Session, state: FrequencyState) -> PageFits:
    """The frequency page's per-model fits for ``state`` (defaults resolved): the one
    computation behind the page and ``GET /api/fits/frequency``."""
    state = resolve(session, state)
    if state.view != "frequency":
        return PageFits(PAGE, state, message="The pair views have no per-model fits")
    if not (state.eval_set and state.corpus and state.method):
        return PageFits(PAGE, state, message="Pick an eval set and a corpus with counts")
    try:
        points = read_points(session, state)
    except (NotFoundError, ValidationError) as exc:
        return PageFits(PAGE, state, message=str(exc))
    if points.empty:
        message = f"No concepts of {state.eval_set} are counted in {state.corpus}"
        return PageFits(PAGE, state, message=f"{message} ({state.method})")
    groups, notes = [], []
    for group, part in points[~points["excluded"]].groupby("group", sort=True):
        try:
            fit = cached_fit(
                session,
                fit_frequency_accuracy,
                part["count"].to_numpy(float),
                part["y"].to_numpy(float),
                bins=state.bins,
                trim=state.trim or 0,
            )
        except ValidationError as exc:
            notes.append(f"{group}: not fitted ({exc})")
            continue
        extra = {"x_range": [float(part["x"].min()), float(part["x"].max())]}
        groups.append(GroupFit(str(group), fit.line.formula, fit, fit_summary(fit), extra))
    procedure = compare(state, *PUBLISHED)
    return PageFits(PAGE, state, points, tuple(groups), procedure, notes=tuple(notes))
