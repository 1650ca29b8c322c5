"""Concept frequencies of pretraining corpora joined with per-concept scores of checkpoints."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import and_, select
from sqlalchemy.orm import Session, aliased

from backend.exceptions import NotFoundError
from backend.models import (
    Checkpoint,
    ConceptFrequency,
    ConceptPairFrequency,
    ConceptScore,
    Corpus,
    EvalSet,
    Model,
)
from backend.queries._read import read_frame
from backend.queries.data_version import by_data_version
from backend.queries.frames import eval_set_id
from backend.schemas.frequencies import ConceptFrequencyPublic


def corpus_id(session: Session, name: str) -> int:
    """The id of the corpus called ``name``; NotFoundError if there is none."""
    found = session.scalar(select(Corpus.id).where(Corpus.name == name))
    if found is None:
        raise NotFoundError(f"no corpus named {name!r}")
    return found


def list_frequencies(
    session: Session,
    *,
    corpus: str,
    method: str | None = None,
    concepts: list[str] | None = None,
    limit: int = 1000,
    offset: int = 0,
) -> list[ConceptFrequencyPublic]:
    """Concept counts of one corpus, most frequent first."""
    stmt = (
        select(ConceptFrequency)
        .where(ConceptFrequency.corpus_id == corpus_id(session, corpus))
        .order_by(ConceptFrequency.count.desc(), ConceptFrequency.concept)
        .limit(limit)
        .offset(offset)
    )
    if method:
        stmt = stmt.where(ConceptFrequency.method == method)
    if concepts:
        stmt = stmt.where(ConceptFrequency.concept.in_(concepts))
    return [
        ConceptFrequencyPublic(corpus=corpus, method=f.method, concept=f.concept, count=f.count)
        for f in session.scalars(stmt)
    ]


def concept_scores_frame(
    session: Session,
    *,
    eval_set: str,
    models: list[str] | None = None,
    metric: str | None = None,
) -> pd.DataFrame:
    """Per-concept scores on one eval set: ``model, revision, checkpoint_id, metric, concept,
    value, n``."""
    stmt = (
        select(
            Model.name.label("model"),
            Checkpoint.revision.label("revision"),
            Checkpoint.id.label("checkpoint_id"),
            ConceptScore.metric.label("metric"),
            ConceptScore.concept.label("concept"),
            ConceptScore.value.label("value"),
            ConceptScore.n.label("n"),
        )
        .select_from(ConceptScore)
        .join(Checkpoint, Checkpoint.id == ConceptScore.checkpoint_id)
        .join(Model, Model.id == Checkpoint.model_id)
        .where(ConceptScore.eval_set_id == eval_set_id(session, eval_set))
        .order_by(Model.name, Checkpoint.revision, ConceptScore.concept)
    )
    if models:
        stmt = stmt.where(Model.name.in_(models))
    if metric:
        stmt = stmt.where(ConceptScore.metric == metric)
    return read_frame(session, stmt)


def frequency_frame(
    session: Session,
    *,
    corpus: str,
    method: str,
    eval_set: str,
    models: list[str] | None = None,
    metric: str | None = None,
) -> pd.DataFrame:
    """Per concept: its count in ``corpus`` (under ``method``) beside each checkpoint's score.

    Columns ``model, revision, checkpoint_id, pretraining_data, metric, concept, count, value,
    n``; concepts without a count are left out (inner join on the concept name). Kept per
    process until the data version changes (counts and scores arrive as uploads)."""
    key = ("frequency_frame", corpus, method, eval_set, tuple(models or ()), metric)
    read = lambda: _frequency_frame(session, corpus, method, eval_set, models, metric)  # noqa: E731
    return by_data_version(session, key, read, large=True).copy()


def _frequency_frame(
    session: Session,
    corpus: str,
    method: str,
    eval_set: str,
    models: list[str] | None,
    metric: str | None,
) -> pd.DataFrame:
    stmt = (
        select(
            Model.name.label("model"),
            Checkpoint.revision.label("revision"),
            Checkpoint.id.label("checkpoint_id"),
            Model.pretraining_data.label("pretraining_data"),
            ConceptScore.metric.label("metric"),
            ConceptScore.concept.label("concept"),
            ConceptFrequency.count.label("count"),
            ConceptScore.value.label("value"),
            ConceptScore.n.label("n"),
        )
        .select_from(ConceptScore)
        .join(
            ConceptFrequency,
            and_(
                ConceptFrequency.concept == ConceptScore.concept,
                ConceptFrequency.corpus_id == corpus_id(session, corpus),
                ConceptFrequency.method == method,
            ),
        )
        .join(Checkpoint, Checkpoint.id == ConceptScore.checkpoint_id)
        .join(Model, Model.id == Checkpoint.model_id)
        .where(ConceptScore.eval_set_id == eval_set_id(session, eval_set))
        .order_by(Model.name, Checkpoint.revision, ConceptScore.concept)
    )
    if models:
        stmt = stmt.where(Model.name.in_(models))
    if metric:
        stmt = stmt.where(ConceptScore.metric == metric)
    return read_frame(session, stmt)


def pair_frequency_frame(
    session: Session,
    *,
    corpus: str,
    method: str,
    concepts: list[str] | None = None,
) -> pd.DataFrame:
    """Concept pairs of one corpus: ``concept_a, concept_b, count_ab`` with each concept's own
    count (``count_a``, ``count_b``; missing when it was not counted) for PMI and
    compositional views."""
    cid = corpus_id(session, corpus)
    fa, fb = aliased(ConceptFrequency), aliased(ConceptFrequency)

    def single(alias, concept_column):
        return and_(alias.corpus_id == cid, alias.method == method, alias.concept == concept_column)

    stmt = (
        select(
            ConceptPairFrequency.concept_a.label("concept_a"),
            ConceptPairFrequency.concept_b.label("concept_b"),
            ConceptPairFrequency.count.label("count_ab"),
            fa.count.label("count_a"),
            fb.count.label("count_b"),
        )
        .select_from(ConceptPairFrequency)
        .outerjoin(fa, single(fa, ConceptPairFrequency.concept_a))
        .outerjoin(fb, single(fb, ConceptPairFrequency.concept_b))
        .where(ConceptPairFrequency.corpus_id == cid, ConceptPairFrequency.method == method)
        .order_by(ConceptPairFrequency.concept_a, ConceptPairFrequency.concept_b)
    )
    if concepts:
        stmt = stmt.where(
            ConceptPairFrequency.concept_a.in_(concepts)
            | ConceptPairFrequency.concept_b.in_(concepts)
        )
    return read_frame(session, stmt)


def eval_sets_with_concept_scores(session: Session) -> list[str]:
    """Names of the eval sets that have per-concept scores (for the frequency explorer)."""
    stmt = (
        select(EvalSet.name)
        .where(EvalSet.id.in_(select(ConceptScore.eval_set_id).distinct()))
        .order_by(EvalSet.name)
    )
    return list(session.scalars(stmt))
