"""Synthetic results with known truth, written through the ORM into a test database."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from backend.models import (
    Checkpoint,
    ConceptFrequency,
    ConceptPairFrequency,
    ConceptScore,
    Corpus,
    EvalSet,
    Measurement,
    Model,
)


def add_run(
    session: Session,
    *,
    name: str,
    values: dict[tuple[str, str], float],
    revision: str = "final",
    step: int | None = None,
    n_params: float | None = None,
    tokens_seen: float | None = None,
    flops: float | None = None,
    pretraining_data: str | None = None,
    family: str | None = None,
    eval_kinds: dict[str, str] | None = None,
) -> Checkpoint:
    """One model (created if new) with one checkpoint and its measurements
    (``values[(eval_set, metric)] = value``)."""
    model = session.query(Model).filter_by(name=name).one_or_none()
    if model is None:
        model = Model(
            name=name, n_params=n_params, pretraining_data=pretraining_data, family=family
        )
        session.add(model)
        session.flush()
    checkpoint = Checkpoint(
        model_id=model.id,
        revision=revision,
        step=step,
        tokens_seen=tokens_seen,
        flops=flops,
    )
    session.add(checkpoint)
    session.flush()
    for (eval_set, metric), value in values.items():
        found = session.query(EvalSet).filter_by(name=eval_set).one_or_none()
        if found is None:
            kind = (eval_kinds or {}).get(eval_set, "validation")
            found = EvalSet(name=eval_set, kind=kind)
            session.add(found)
            session.flush()
        session.add(
            Measurement(
                checkpoint_id=checkpoint.id, eval_set_id=found.id, metric=metric, value=value
            )
        )
    session.flush()
    return checkpoint


def add_runs(session: Session, runs: Iterable[dict]) -> None:
    """:func:`add_run` for each keyword dict, then commit."""
    for run in runs:
        add_run(session, **run)
    session.commit()


def add_concept_counts(session: Session, *, corpus: str, method: str, counts: dict) -> None:
    """Concept counts of one corpus under one counting method."""
    found = session.query(Corpus).filter_by(name=corpus).one_or_none()
    if found is None:
        found = Corpus(name=corpus)
        session.add(found)
        session.flush()
    for concept, count in counts.items():
        session.add(
            ConceptFrequency(corpus_id=found.id, method=method, concept=concept, count=count)
        )
    session.flush()


def add_concept_scores(
    session: Session,
    *,
    model: str,
    eval_set: str,
    scores: dict,
    pretraining_data: str | None = None,
    metric: str = "accuracy",
) -> None:
    """Per-concept scores of a model's final checkpoint on one eval set."""
    checkpoint = add_run(
        session,
        name=model,
        values={(eval_set, "top1"): float(sum(scores.values()) / len(scores))},
        pretraining_data=pretraining_data,
        eval_kinds={eval_set: "benchmark"},
    )
    eval_set_id = session.query(EvalSet.id).filter_by(name=eval_set).scalar()
    for concept, value in scores.items():
        session.add(
            ConceptScore(
                checkpoint_id=checkpoint.id,
                eval_set_id=eval_set_id,
                metric=metric,
                concept=concept,
                value=value,
            )
        )
    session.flush()


def add_pair_counts(session: Session, *, corpus: str, method: str, counts: dict) -> None:
    """Joint counts of concept pairs (``counts[(a, b)]``, stored with a < b)."""
    corpus_id = session.query(Corpus.id).filter_by(name=corpus).scalar()
    for (first, second), count in counts.items():
        a, b = sorted((first, second))
        session.add(
            ConceptPairFrequency(
                corpus_id=corpus_id, method=method, concept_a=a, concept_b=b, count=count
            )
        )
    session.flush()
