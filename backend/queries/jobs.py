"""Reads of jobs, for the Jobs page, the jobs API, the CLI and the job use cases: one job,
jobs filtered and counted by status, the pending twin of a request, the coverage grid's holes,
jobs with the names of what they evaluate, and the choices a launch form offers."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import exists, func, select, true
from sqlalchemy.orm import Session

from backend.exceptions import NotFoundError, ValidationError
from backend.models import Checkpoint, EvalJob, EvalSet, Measurement, Model
from backend.schemas.job_status import PENDING, JobStatus
from backend.schemas.jobs import JobPublic


def get(*, session: Session, job_id: int) -> EvalJob:
    """One job, or NotFoundError."""
    job = session.get(EvalJob, job_id)
    if job is None:
        raise NotFoundError(f"no job with id {job_id}")
    return job


def list_jobs(
    *,
    session: Session,
    statuses: Sequence[str] | None = None,
    checkpoint_id: int | None = None,
    eval_set_id: int | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[EvalJob]:
    """Jobs, newest first, optionally narrowed by status, checkpoint and eval set."""
    query = select(EvalJob).order_by(EvalJob.id.desc()).limit(limit).offset(offset)
    if statuses:
        unknown = set(statuses) - set(JobStatus)
        if unknown:
            raise ValidationError(f"unknown job status {', '.join(sorted(unknown))}")
        query = query.where(EvalJob.status.in_(statuses))
    if checkpoint_id is not None:
        query = query.where(EvalJob.checkpoint_id == checkpoint_id)
    if eval_set_id is not None:
        query = query.where(EvalJob.eval_set_id == eval_set_id)
    return list(session.scalars(query))


def count_by_status(*, session: Session) -> dict[str, int]:
    """How many jobs are in each status (every status named, zeros included)."""
    rows = session.execute(select(EvalJob.status, func.count()).group_by(EvalJob.status))
    return {status.value: 0 for status in JobStatus} | {s: int(n) for s, n in rows}


def pending_job(*, session: Session, dedupe_key: str) -> EvalJob | None:
    """The queued or running job with ``dedupe_key``, if any (at most one: a unique index)."""
    return session.scalars(
        select(EvalJob).where(EvalJob.dedupe_key == dedupe_key, EvalJob.status.in_(PENDING))
    ).first()


def missing_pairs(
    *,
    session: Session,
    checkpoint_ids: Sequence[int] | None = None,
    eval_set_ids: Sequence[int] | None = None,
    limit: int | None = None,
) -> list[tuple[int, int]]:
    """The coverage grid's holes: checkpoint × benchmark pairs with no measurement and no
    pending job (all checkpoints / all benchmark eval sets when not narrowed); the first
    ``limit`` of them when given."""
    checkpoints = select(Checkpoint.id)
    if checkpoint_ids is not None:
        checkpoints = checkpoints.where(Checkpoint.id.in_(checkpoint_ids))
    eval_sets = select(EvalSet.id).where(EvalSet.kind == "benchmark")
    if eval_set_ids is not None:
        eval_sets = select(EvalSet.id).where(EvalSet.id.in_(eval_set_ids))
    c, e = checkpoints.subquery(), eval_sets.subquery()
    measured = exists().where(
        Measurement.checkpoint_id == c.c.id, Measurement.eval_set_id == e.c.id
    )
    pending = exists().where(
        EvalJob.checkpoint_id == c.c.id,
        EvalJob.eval_set_id == e.c.id,
        EvalJob.status.in_(PENDING),
    )
    rows = session.execute(
        select(c.c.id, e.c.id)
        .select_from(c.join(e, true()))
        .where(~measured, ~pending)
        .order_by(c.c.id, e.c.id)
        .limit(limit)
    )
    return [(int(ci), int(ei)) for ci, ei in rows]


def describe(*, session: Session, jobs: Sequence[EvalJob]) -> list[JobPublic]:
    """Jobs as shown, with model name, revision and eval set name filled in."""
    checkpoint_ids = {j.checkpoint_id for j in jobs if j.checkpoint_id is not None}
    eval_set_ids = {j.eval_set_id for j in jobs if j.eval_set_id is not None}
    checkpoints: dict[int | None, tuple[str | None, str | None]] = {
        cid: (name, revision)
        for cid, name, revision in session.execute(
            select(Checkpoint.id, Model.name, Checkpoint.revision)
            .join(Model, Model.id == Checkpoint.model_id)
            .where(Checkpoint.id.in_(checkpoint_ids))
        )
    }
    eval_sets: dict[int | None, str] = {
        eid: name
        for eid, name in session.execute(
            select(EvalSet.id, EvalSet.name).where(EvalSet.id.in_(eval_set_ids))
        )
    }
    shown = []
    for job in jobs:
        model_name, revision = checkpoints.get(job.checkpoint_id, (None, None))
        public = JobPublic.model_validate(job)
        shown.append(
            public.model_copy(
                update={
                    "model_name": model_name,
                    "revision": revision,
                    "eval_set_name": eval_sets.get(job.eval_set_id),
                }
            )
        )
    return shown


def job_list(
    *,
    session: Session,
    statuses: Sequence[str] | None = None,
    checkpoint_id: int | None = None,
    eval_set_id: int | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[JobPublic]:
    """Jobs newest first, with names (see :func:`list_jobs` for the filters)."""
    rows = list_jobs(
        session=session,
        statuses=statuses,
        checkpoint_id=checkpoint_id,
        eval_set_id=eval_set_id,
        limit=limit,
        offset=offset,
    )
    return describe(session=session, jobs=rows)


def job_detail(*, session: Session, job_id: int) -> JobPublic:
    """One job with names; NotFoundError if there is none."""
    return describe(session=session, jobs=[get(session=session, job_id=job_id)])[0]


def checkpoint_options(
    *,
    session: Session,
    search: str | None = None,
    limit: int | None = None,
    keep: Sequence[int] = (),
) -> list[dict]:
    """``{"label": "model @ revision", "value": id}`` for the checkpoints whose label holds
    ``search`` (any case; all when None), the first ``limit`` of them by model, step and
    revision, then the checkpoints of ``keep`` that are not among them."""
    labelled = select(Checkpoint.id, Model.name, Checkpoint.revision).join(
        Model, Model.id == Checkpoint.model_id
    )
    statement = labelled.order_by(Model.name, Checkpoint.step, Checkpoint.revision, Checkpoint.id)
    if search:
        label = Model.name + " @ " + Checkpoint.revision
        statement = statement.where(func.lower(label).contains(search.lower(), autoescape=True))
    rows = list(session.execute(statement.limit(limit)))
    shown = {cid for cid, _, _ in rows}
    missing = [cid for cid in keep if cid not in shown]
    if missing:
        rows += session.execute(labelled.where(Checkpoint.id.in_(missing))).all()
    return [{"label": f"{name} @ {revision}", "value": cid} for cid, name, revision in rows]


def eval_set_options(*, session: Session) -> list[dict]:
    """``{"label": name, "value": id}`` for every eval set that names its data path."""
    rows = session.execute(
        select(EvalSet.id, EvalSet.name, EvalSet.attributes).order_by(EvalSet.name)
    )
    return [
        {"label": name, "value": eid}
        for eid, name, attributes in rows
        if (attributes or {}).get("path")
    ]
