"""Train-test similarity view: stored similarities -> per-bin and per-class frames -> figure."""

from __future__ import annotations

import json

import plotly.graph_objects as go
from sqlalchemy.orm import Session

from app.figures.similarity import make_similarity_figure
from backend.corpus.store import (
    accuracy_by_similarity,
    accuracy_vs_similarity_frame,
    similarity_choices,
    similarity_frame,
)


def choice_options(session: Session) -> list[dict]:
    """Dropdown options, one per stored (corpus, eval set, method)."""
    return [
        {
            "label": f"{eval_set} vs {corpus} · {method}",
            "value": json.dumps([corpus, eval_set, method]),
        }
        for corpus, eval_set, method in similarity_choices(session=session)
    ]


def build_similarity_view(session: Session, choice: str) -> tuple[go.Figure, str]:
    """The figure and a one-line summary for a dropdown value of :func:`choice_options`."""
    corpus, eval_set, method = json.loads(choice)
    frame = similarity_frame(session=session, corpus=corpus, eval_set=eval_set, method=method)
    known = frame.dropna(subset=["correct"])
    bins = accuracy_by_similarity(known, bins=10) if not known.empty else None
    per_class = accuracy_vs_similarity_frame(
        session=session, corpus=corpus, eval_set=eval_set, method=method
    )
    summary = (
        f"{len(frame):,} test images; max similarity median {frame['similarity'].median():.3f}, "
        f"highest {frame['similarity'].max():.3f}"
    )
    if not known.empty:
        summary += f"; accuracy {known['correct'].mean():.1%}"
    return make_similarity_figure(bins, per_class), summary
