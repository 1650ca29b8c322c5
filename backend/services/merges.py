"""Merging two names of the same thing (a group's own duplicates, beyond the shipped alias
table): the eval set ``source`` joins ``target`` (its measurements, per-concept scores and
similarities move over) or the pretraining data ``source`` of every model becomes
``target``. Each merge is recorded with what it moved, so it can be undone."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, exists, select, update
from sqlalchemy.orm import Session, aliased

from backend.exceptions import ConflictError, NotFoundError, ValidationError
from backend.ingest import coverage
from backend.models import (
    ConceptScore,
    EntityMerge,
    EvalSet,
    Measurement,
    Model,
    TrainTestSimilarity,
)

KINDS = ("eval_set", "pretraining_data")
#: The rows an eval-set merge moves, and the columns two rows must not share on the target.
EVAL_SET_FACTS: tuple[tuple[Any, tuple[str, ...]], ...] = (
    (Measurement, ("checkpoint_id", "metric")),
    (ConceptScore, ("checkpoint_id", "metric", "concept")),
    (TrainTestSimilarity, ("corpus_id", "method", "sample")),
)
EVAL_SET_COLUMNS = ("name", "kind", "task", "n_classes", "chance_accuracy", "attributes")


def _eval_set(session: Session, name: str) -> EvalSet:
    found = session.scalar(select(EvalSet).where(EvalSet.name == name))
    if found is None:
        raise NotFoundError(f"no eval set named {name!r}")
    return found


def _merge_eval_sets(session: Session, source: str, target: str) -> dict[str, Any]:
    src, tgt = _eval_set(session, source), _eval_set(session, target)
    moved: dict[str, Any] = {"eval_set": {c: getattr(src, c) for c in EVAL_SET_COLUMNS}}
    for table, key in EVAL_SET_FACTS:
        other = aliased(table)
        clash = exists().where(
            and_(
                other.eval_set_id == tgt.id, *(getattr(other, c) == getattr(table, c) for c in key)
            )
        )
        clashes = session.scalar(
            select(table.id).where(table.eval_set_id == src.id, clash).limit(1)
        )
        if clashes is not None:
            raise ConflictError(
                f"{source!r} and {target!r} both have {table.__tablename__} rows for the same "
                f"{', '.join(key)}; merge refused"
            )
        ids = list(session.scalars(select(table.id).where(table.eval_set_id == src.id)))
        session.execute(update(table).where(table.id.in_(ids)).values(eval_set_id=tgt.id))
        moved[table.__tablename__] = ids
    session.flush()
    coverage.refresh(session.connection(), eval_set_ids=[src.id, tgt.id])
    session.delete(src)
    return moved


def _merge_pretraining_data(session: Session, source: str, target: str) -> dict[str, Any]:
    ids = list(session.scalars(select(Model.id).where(Model.pretraining_data == source)))
    if not ids:
        raise NotFoundError(f"no model has pretraining data {source!r}")
    session.execute(update(Model).where(Model.id.in_(ids)).values(pretraining_data=target))
    return {"models": ids}


def merge(
    *, session: Session, kind: str, source: str, target: str, created_by: str | None = None
) -> EntityMerge:
    """Merge ``source`` into ``target`` (both names of ``kind``); returns the recorded merge."""
    if kind not in KINDS:
        raise ValidationError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if source == target:
        raise ValidationError("source and target are the same name")
    run = _merge_eval_sets if kind == "eval_set" else _merge_pretraining_data
    moved = run(session, source, target)
    record = EntityMerge(
        kind=kind, source=source, target=target, moved=moved, created_by=created_by
    )
    session.add(record)
    session.flush()
    return record


def undo(*, session: Session, merge_id: int) -> EntityMerge:
    """Undo merge ``merge_id``: the source comes back with the rows it had."""
    record = session.get(EntityMerge, merge_id)
    if record is None:
        raise NotFoundError(f"no merge with id {merge_id}")
    if record.status == "undone":
        raise ConflictError(f"merge {merge_id} is already undone")
    moved = record.moved
    if record.kind == "eval_set":
        if session.scalar(select(EvalSet.id).where(EvalSet.name == record.source)):
            raise ConflictError(f"an eval set named {record.source!r} exists again")
        restored = EvalSet(**moved["eval_set"])
        session.add(restored)
        session.flush()
        for table, _ in EVAL_SET_FACTS:
            ids = moved.get(table.__tablename__, [])
            session.execute(update(table).where(table.id.in_(ids)).values(eval_set_id=restored.id))
        target = session.scalar(select(EvalSet.id).where(EvalSet.name == record.target))
        coverage.refresh(session.connection(), eval_set_ids=[restored.id, target or restored.id])
    else:
        session.execute(
            update(Model)
            .where(Model.id.in_(moved["models"]))
            .values(pretraining_data=record.source)
        )
    record.status = "undone"
    record.undone_at = dt.datetime.now(dt.UTC)
    session.flush()
    return record


def list_merges(*, session: Session) -> list[EntityMerge]:
    """Every merge, newest first."""
    return list(session.scalars(select(EntityMerge).order_by(EntityMerge.id.desc())))


def describe(record: EntityMerge) -> dict[str, Any]:
    """A merge as the API and the CLI show it."""
    counts = {k: len(v) for k, v in record.moved.items() if isinstance(v, list)}
    return {
        "id": record.id,
        "kind": record.kind,
        "source": record.source,
        "target": record.target,
        "moved": counts,
        "status": record.status,
        "created_by": record.created_by,
        "created_at": record.created_at.isoformat() if record.created_at else None,
        "undone_at": record.undone_at.isoformat() if record.undone_at else None,
    }
