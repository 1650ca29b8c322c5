"""Reads for the Jobs page and the jobs API: jobs with the names of what they evaluate, and
the checkpoints and eval sets a launch form offers."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.models import Checkpoint, EvalJob, EvalSet, Model
from backend.schemas.jobs import JobPublic
from backend.services import jobs as job_service


def describe(*, session: Session, jobs: Sequence[EvalJob]) -> list[JobPublic]:
    """Jobs as shown, with model name, revision and eval set name filled in."""
    checkpoint_ids = {j.checkpoint_id for j in jobs if j.checkpoint_id is not None}
    eval_set_ids = {j.eval_set_id for j in jobs if j.eval_set_id is not None}
    checkpoints = {
        cid: (name, revision)
        for cid, name, revision in session.execute(
            select(Checkpoint.id, Model.name, Checkpoint.revision)
            .join(Model, Model.id == Checkpoint.model_id)
            .where(Checkpoint.id.in_(checkpoint_ids))
        )
    }
    eval_sets = {
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
    """Jobs newest first, with names (see ``services.jobs.list_jobs`` for the filters)."""
    rows = job_service.list_jobs(
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
    return describe(session=session, jobs=[job_service.get(session=session, job_id=job_id)])[0]


def checkpoint_options(*, session: Session) -> list[dict]:
    """``{"label": "model @ revision", "value": id}`` for every checkpoint."""
    rows = session.execute(
        select(Checkpoint.id, Model.name, Checkpoint.revision)
        .join(Model, Model.id == Checkpoint.model_id)
        .order_by(Model.name, Checkpoint.step, Checkpoint.revision)
    )
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
