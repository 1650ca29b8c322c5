"""Evaluation jobs: submit (deduplicated), cancel, retry, list, and the worker-side life cycle.

The ``eval_jobs`` row is the source of truth; a queue only carries job ids. Life cycle::

    queued ──claim──> running ──finish──> succeeded | failed | cancelled
      ^                  │
      └── recover_lost ──┘   (no heartbeat for ``job_heartbeat_timeout_s``: requeued while
                              attempts remain, else failed with the reason)

``attempts`` is a fencing token: :func:`claim` increments it, and :func:`heartbeat` and
:func:`finish` only touch the row while it still holds the caller's attempt, so a run that
was given up for lost cannot overwrite the run that replaced it, and results are written once.

Functions that make work runnable (:func:`submit`, :func:`submit_missing`, :func:`retry`,
:func:`recover_lost_jobs`) commit, then hand the job ids to the queue (enqueue after commit).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, exists, func, or_, select, true, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from backend.config import get_settings
from backend.exceptions import ConflictError, NotFoundError, ValidationError
from backend.extras import job_extras, require_runnable
from backend.models import Checkpoint, EvalJob, EvalSet, Measurement

log = logging.getLogger(__name__)

PENDING = ("queued", "running")
FINISHED = ("succeeded", "failed", "cancelled")
STATUSES = PENDING + FINISHED
# The evaluation tasks (the same names as ``backend.evaluation.specs``).
ZERO_SHOT = "zero_shot_classification"
CONTRASTIVE = "contrastive_loss"
KINDS = (ZERO_SHOT, CONTRASTIVE)
LOG_TAIL_CHARS = 8000
# Jobs one request may queue; a larger grid must be narrowed (by checkpoints or eval sets).
MAX_JOBS_PER_REQUEST = 10_000


@dataclass(frozen=True)
class Submitted:
    """One requested checkpoint × eval set: its job, and whether this request created it."""

    job: EvalJob
    created: bool


def utcnow() -> dt.datetime:
    """Now, timezone-aware (UTC)."""
    return dt.datetime.now(dt.UTC)


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands back naive datetimes; they are UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def evaluation_kind(eval_set: EvalSet) -> str:
    """Which evaluation an eval set calls for: its ``attributes["evaluation"]`` if given, else
    contrastive loss for validation sets and captioned sets, else zero-shot classification."""
    stated = (eval_set.attributes or {}).get("evaluation")
    if stated:
        if stated not in KINDS:
            raise ValidationError(
                f"eval set {eval_set.name!r} names an unknown evaluation {stated!r}; "
                f"known: {', '.join(KINDS)}"
            )
        return stated
    if eval_set.kind == "validation" or (eval_set.task or "") in {CONTRASTIVE, "captions"}:
        return CONTRASTIVE
    return ZERO_SHOT


def dedupe_key(*, kind: str, checkpoint_id: int, eval_set_id: int, options: dict) -> str:
    """The hash that identical job requests share (sha256 of the canonical spec)."""
    canonical = json.dumps(
        {"kind": kind, "checkpoint_id": checkpoint_id, "eval_set_id": eval_set_id, **options},
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def checked_options(options: dict | None) -> dict:
    """Run options as given, refused now (not on the worker) when the evaluation would not
    accept them (``backend.evaluation.specs.RunOptions``: batch_size, device, ...)."""
    import pydantic

    from backend.evaluation.specs import RunOptions

    options = dict(options or {})
    try:
        RunOptions(**options)
    except pydantic.ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'options'}: {e['msg']}" for e in exc.errors()
        )
        raise ValidationError(f"bad run options: {problems}") from None
    return options


def _insert_ignoring_duplicates(session: Session, values: dict[str, Any]) -> int | None:
    """Insert a job row unless an identical job is pending; the new id, or None."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(EvalJob).values(**values).on_conflict_do_nothing().returning(EvalJob.id)
    return session.execute(statement).scalar_one_or_none()


def _pending_job(session: Session, key: str) -> EvalJob | None:
    return session.scalars(
        select(EvalJob).where(EvalJob.dedupe_key == key, EvalJob.status.in_(PENDING))
    ).first()


def _submit_one(
    session: Session,
    *,
    checkpoint: Checkpoint,
    eval_set: EvalSet,
    options: dict,
    created_by: str | None,
) -> Submitted:
    from backend.worker.targets import check_paths

    check_paths(checkpoint=checkpoint, eval_set=eval_set)  # 422 now; the worker checks again
    kind = evaluation_kind(eval_set)
    spec = {"checkpoint_id": checkpoint.id, "eval_set_id": eval_set.id, "options": options}
    key = dedupe_key(
        kind=kind, checkpoint_id=checkpoint.id, eval_set_id=eval_set.id, options=options
    )
    for _ in range(3):  # the pending twin may finish between the insert and the lookup
        new_id = _insert_ignoring_duplicates(
            session,
            {
                "kind": kind,
                "spec": spec,
                "dedupe_key": key,
                "checkpoint_id": checkpoint.id,
                "eval_set_id": eval_set.id,
                "created_by": created_by,
                "message": "queued",
            },
        )
        if new_id is not None:
            return Submitted(job=session.get(EvalJob, new_id), created=True)
        twin = _pending_job(session, key)
        if twin is not None:
            return Submitted(job=twin, created=False)
    raise ConflictError("could not queue the job: identical jobs keep changing state")


def _load(session: Session, model, ids: Iterable[int], what: str) -> list:
    ids = list(dict.fromkeys(ids))
    rows = {row.id: row for row in session.scalars(select(model).where(model.id.in_(ids)))}
    missing = [i for i in ids if i not in rows]
    if missing:
        raise NotFoundError(f"no {what} with id {', '.join(map(str, missing))}")
    return [rows[i] for i in ids]


def submit(
    *,
    session: Session,
    checkpoint_ids: Sequence[int],
    eval_set_ids: Sequence[int],
    options: dict | None = None,
    created_by: str | None = None,
) -> list[Submitted]:
    """Queue one job per checkpoint × eval set; an identical pending job is reused, not
    queued twice. Commits, then enqueues the new jobs."""
    if not checkpoint_ids or not eval_set_ids:
        raise ValidationError("pick at least one checkpoint and one eval set")
    require_runnable(["worker"], what="an evaluation job")
    _check_job_count(len(set(checkpoint_ids)) * len(set(eval_set_ids)))
    options = checked_options(options)
    checkpoints = _load(session, Checkpoint, checkpoint_ids, "checkpoint")
    eval_sets = _load(session, EvalSet, eval_set_ids, "eval set")
    submitted = [
        _submit_one(session, checkpoint=c, eval_set=e, options=options, created_by=created_by)
        for c in checkpoints
        for e in eval_sets
    ]
    session.commit()
    enqueue(session=session, job_ids=[s.job.id for s in submitted if s.created])
    return submitted


def _check_job_count(count: int, *, missing: bool = False) -> None:
    """Refuse a request that would queue more than ``MAX_JOBS_PER_REQUEST`` jobs."""
    if count > MAX_JOBS_PER_REQUEST:
        how_many = f"more than {MAX_JOBS_PER_REQUEST}" if missing else str(count)
        raise ValidationError(
            f"this would queue {how_many} jobs, at most {MAX_JOBS_PER_REQUEST} go at once: "
            "pick fewer checkpoints or eval sets"
        )


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


def submit_missing(
    *,
    session: Session,
    checkpoint_ids: Sequence[int] | None = None,
    eval_set_ids: Sequence[int] | None = None,
    options: dict | None = None,
    created_by: str | None = None,
) -> list[Submitted]:
    """Queue jobs for every hole of the coverage grid (see :func:`missing_pairs`)."""
    require_runnable(["worker"], what="an evaluation job")
    pairs = missing_pairs(
        session=session,
        checkpoint_ids=checkpoint_ids,
        eval_set_ids=eval_set_ids,
        limit=MAX_JOBS_PER_REQUEST + 1,
    )
    _check_job_count(len(pairs), missing=True)
    submitted: list[Submitted] = []
    for checkpoint_id, eval_set_id in pairs:
        submitted += submit(
            session=session,
            checkpoint_ids=[checkpoint_id],
            eval_set_ids=[eval_set_id],
            options=options,
            created_by=created_by,
        )
    return submitted


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
        unknown = set(statuses) - set(STATUSES)
        if unknown:
            raise ValidationError(f"unknown job status {', '.join(sorted(unknown))}")
        query = query.where(EvalJob.status.in_(statuses))
    if checkpoint_id is not None:
        query = query.where(EvalJob.checkpoint_id == checkpoint_id)
    if eval_set_id is not None:
        query = query.where(EvalJob.eval_set_id == eval_set_id)
    return list(session.scalars(query))


def count_by_status(*, session: Session) -> dict[str, int]:
    """How many jobs are in each status."""
    rows = session.execute(select(EvalJob.status, func.count()).group_by(EvalJob.status))
    return {status: 0 for status in STATUSES} | {s: int(n) for s, n in rows}


def cancel(*, session: Session, job_id: int) -> EvalJob:
    """Cancel a job: a queued one at once; a running one is asked to stop (it checks between
    batches) and its Celery task is revoked. Commits."""
    job = get(session=session, job_id=job_id)
    if job.status in FINISHED:
        raise ConflictError(f"job {job_id} is already {job.status}")
    task_id = job.task_id
    if job.status == "queued":
        session.execute(
            update(EvalJob)
            .where(EvalJob.id == job_id, EvalJob.status == "queued")
            .values(
                status="cancelled",
                cancel_requested=True,
                finished_at=utcnow(),
                message="cancelled before it started",
            )
        )
    session.execute(
        update(EvalJob)
        .where(EvalJob.id == job_id, EvalJob.status == "running")
        .values(cancel_requested=True, message="cancel requested")
    )
    session.commit()
    session.refresh(job)
    if task_id:
        from backend.worker.dispatch import revoke

        revoke(task_id=task_id, running=job.status == "running")
    return job


def retry(*, session: Session, job_id: int) -> EvalJob:
    """Queue a failed or cancelled job again (same id, fresh attempts). Commits, enqueues."""
    job = get(session=session, job_id=job_id)
    if job.status not in ("failed", "cancelled"):
        raise ConflictError(
            f"only failed or cancelled jobs can be retried; job {job_id} is {job.status}"
        )
    twin = _pending_job(session, job.dedupe_key)
    if twin is not None:
        raise ConflictError(f"an identical job ({twin.id}) is already {twin.status}")
    require_runnable(job_extras(job.kind, job.spec or {}), what=f"job {job_id}")
    job.status = "queued"
    job.progress = 0.0
    job.attempts = 0
    job.error = None
    job.result = None
    job.worker = None
    job.cancel_requested = False
    job.started_at = job.heartbeat_at = job.finished_at = None
    job.task_id = None
    job.message = "queued again"
    job.log_tail = _tail(job.log_tail + "\n--- retried ---\n")
    session.commit()
    enqueue(session=session, job_ids=[job.id])
    return job


def enqueue(*, session: Session, job_ids: Sequence[int]) -> None:
    """Hand committed, queued jobs to the queue. Each gets a fresh task id, committed before
    the hand-over (a worker may claim the job at once, and cancel needs the id to revoke it);
    a job whose hand-over failed gets its ``task_id`` cleared and is handed over again by
    :func:`recover_lost_jobs`."""
    if not job_ids:
        return
    from backend.worker.dispatch import dispatch

    task_ids = {job_id: uuid.uuid4().hex for job_id in job_ids}
    for job_id, task_id in task_ids.items():
        session.execute(
            update(EvalJob)
            .where(EvalJob.id == job_id, EvalJob.status == "queued")
            .values(task_id=task_id)
        )
    session.commit()
    for job_id, task_id in task_ids.items():
        try:
            dispatch(job_id=job_id, task_id=task_id)
        except Exception as exc:  # noqa: BLE001 - the broker may be down; the row stays queued
            log.warning("could not hand job %s to the queue: %s", job_id, exc)
            session.execute(
                update(EvalJob)
                .where(EvalJob.id == job_id, EvalJob.status == "queued")
                .values(task_id=None, message=f"waiting for the queue: {exc}"[:500])
            )
            session.commit()


# ---- worker side -------------------------------------------------------------------------


def claim(
    *, session: Session, job_id: int, worker: str, dead_holder: str | None = None
) -> int | None:
    """Make a queued job (or a running one whose worker went silent, or is ``dead_holder``,
    a process the caller knows has died) ``running`` for ``worker``; the attempt number it now
    holds, or None if the job is not for the taking. Commits."""
    settings = get_settings()
    now = utcnow()
    stale = now - dt.timedelta(seconds=settings.job_heartbeat_timeout_s)
    lost = EvalJob.heartbeat_at < stale
    if dead_holder is not None:
        lost = or_(lost, EvalJob.worker == dead_holder)
    takeable = or_(
        and_(EvalJob.status == "queued", EvalJob.cancel_requested.is_(False)),
        and_(
            EvalJob.status == "running",
            lost,
            EvalJob.cancel_requested.is_(False),
            EvalJob.attempts < settings.job_max_attempts,
        ),
    )
    result = session.execute(
        update(EvalJob)
        .where(EvalJob.id == job_id, takeable)
        .values(
            status="running",
            attempts=EvalJob.attempts + 1,
            worker=worker[:200],
            started_at=now,
            heartbeat_at=now,
            progress=0.0,
            message=f"started on {worker}"[:500],
        )
        .returning(EvalJob.attempts)
    )
    attempt = result.scalar_one_or_none()
    session.commit()
    return attempt


def heartbeat(
    *,
    session: Session,
    job_id: int,
    attempt: int,
    progress: float | None = None,
    message: str | None = None,
    log_tail: str | None = None,
) -> bool | None:
    """Record that the run holding ``attempt`` is alive (with its progress and log tail).
    Returns whether a cancel was requested, or None if the run no longer holds the job.
    Commits."""
    values: dict[str, Any] = {"heartbeat_at": utcnow()}
    if progress is not None:
        values["progress"] = min(max(float(progress), 0.0), 1.0)
    if message is not None:
        values["message"] = message[:500]
    if log_tail is not None:
        values["log_tail"] = _tail(log_tail)
    result = session.execute(
        update(EvalJob)
        .where(_held(job_id, attempt))
        .values(**values)
        .returning(EvalJob.cancel_requested)
    )
    cancel_requested = result.scalar_one_or_none()
    session.commit()
    return cancel_requested


def finish(
    *,
    session: Session,
    job_id: int,
    attempt: int,
    status: str,
    error: str | None = None,
    result: dict | None = None,
    log_tail: str | None = None,
    message: str | None = None,
) -> bool:
    """Move the run holding ``attempt`` to a final status, in the caller's transaction (the
    caller commits, together with the results it wrote). False if the run no longer holds
    the job: then the caller must roll back."""
    if status not in FINISHED:
        raise ValidationError(f"{status!r} is not a final job status")
    values: dict[str, Any] = {
        "status": status,
        "finished_at": utcnow(),
        "heartbeat_at": utcnow(),
        "error": error,
        "result": result,
        "message": (message or status)[:500],
    }
    if status == "succeeded":
        values["progress"] = 1.0
    if log_tail is not None:
        values["log_tail"] = _tail(log_tail)
    done = session.execute(update(EvalJob).where(_held(job_id, attempt)).values(**values))
    return done.rowcount == 1


def _held(job_id: int, attempt: int):
    return and_(EvalJob.id == job_id, EvalJob.status == "running", EvalJob.attempts == attempt)


def recover_lost_jobs(*, session: Session, now: dt.datetime | None = None) -> dict[int, str]:
    """Running jobs without a heartbeat for ``job_heartbeat_timeout_s``: queued again while
    attempts remain (and no cancel was asked), else failed or cancelled with the reason;
    queued jobs that never reached the queue are handed over again. Commits; returns
    ``{job_id: new status}``."""
    settings = get_settings()
    now = now or utcnow()
    cutoff = now - dt.timedelta(seconds=settings.job_heartbeat_timeout_s)
    lost = session.scalars(
        select(EvalJob)
        .where(EvalJob.status == "running", EvalJob.heartbeat_at < cutoff)
        .with_for_update(skip_locked=True)
    ).all()
    outcome: dict[int, str] = {}
    for job in lost:
        silent = (now - _aware(job.heartbeat_at)).total_seconds()
        reason = (
            f"worker {job.worker} sent no heartbeat for {silent:.0f} s (attempt {job.attempts})"
        )
        if job.cancel_requested:
            job.status, job.message = "cancelled", f"cancelled; {reason}"[:500]
            job.finished_at = now
        elif job.attempts >= settings.job_max_attempts:
            job.status, job.finished_at = "failed", now
            job.error = f"lost: {reason}; gave up after {job.attempts} attempts"
            job.message = "failed: worker lost"
        else:
            job.status, job.task_id = "queued", None
            job.message = f"queued again: {reason}"[:500]
        job.log_tail = _tail(f"{job.log_tail}\n[{now:%H:%M:%S}] {reason}\n")
        outcome[job.id] = job.status
    session.commit()
    undispatched = session.scalars(
        select(EvalJob.id).where(
            EvalJob.status == "queued",
            EvalJob.task_id.is_(None),
            EvalJob.created_at < now - dt.timedelta(seconds=5),
        )
    ).all()
    requeued = [i for i, s in outcome.items() if s == "queued"]
    enqueue(session=session, job_ids=list(dict.fromkeys([*requeued, *undispatched])))
    return outcome


def redispatch_queued(*, session: Session) -> list[int]:
    """Hand every queued job to the queue again (after the broker lost its messages, e.g. a
    Redis restart without persistence); a job that ends up delivered twice runs once."""
    queued = list(
        session.scalars(select(EvalJob.id).where(EvalJob.status == "queued").order_by(EvalJob.id))
    )
    enqueue(session=session, job_ids=queued)
    return queued


def _tail(text: str) -> str:
    return text[-LOG_TAIL_CHARS:]
