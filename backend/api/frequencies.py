"""Concept frequencies of corpora, per-concept scores, and the two joined."""

from __future__ import annotations

from fastapi import APIRouter, Query

from backend.api.deps import SessionDep
from backend.api.filters import FRAME_RESPONSES, FrameFormat, Names, frame_response
from backend.queries import frequencies
from backend.schemas.frequencies import ConceptFrequencyPublic

router = APIRouter(tags=["frequencies"])


@router.get("/corpora/{corpus}/frequencies", response_model=list[ConceptFrequencyPublic])
def list_frequencies(
    session: SessionDep,
    corpus: str,
    method: str | None = None,
    concept: Names = None,
    limit: int = Query(1000, ge=1, le=100_000),
    offset: int = Query(0, ge=0),
) -> list[ConceptFrequencyPublic]:
    """Concept counts of one corpus, most frequent first."""
    return frequencies.list_frequencies(
        session, corpus=corpus, method=method, concepts=concept, limit=limit, offset=offset
    )


@router.get("/corpora/{corpus}/pair-frequencies", responses=FRAME_RESPONSES)
def pair_frequencies(
    session: SessionDep,
    corpus: str,
    method: str,
    concept: Names = None,
    format: FrameFormat = "json",
):
    """Concept pair counts with each concept's own count."""
    frame = frequencies.pair_frequency_frame(
        session, corpus=corpus, method=method, concepts=concept
    )
    return frame_response(frame, fmt=format, filename="pair_frequencies")


@router.get("/concept-scores", responses=FRAME_RESPONSES)
def concept_scores(
    session: SessionDep,
    eval_set: str,
    model: Names = None,
    metric: str | None = None,
    format: FrameFormat = "json",
):
    """Per-concept (per-class) scores of checkpoints on one eval set."""
    frame = frequencies.concept_scores_frame(
        session, eval_set=eval_set, models=model, metric=metric
    )
    return frame_response(frame, fmt=format, filename="concept_scores")


@router.get("/frames/frequency", responses=FRAME_RESPONSES)
def frequency_frame(
    session: SessionDep,
    corpus: str,
    method: str,
    eval_set: str,
    model: Names = None,
    metric: str | None = None,
    format: FrameFormat = "json",
):
    """Per concept: pretraining count beside each checkpoint's score (frequency vs accuracy)."""
    frame = frequencies.frequency_frame(
        session, corpus=corpus, method=method, eval_set=eval_set, models=model, metric=metric
    )
    return frame_response(frame, fmt=format, filename="frequency")
