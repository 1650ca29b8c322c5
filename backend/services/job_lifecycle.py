"""The life cycle of a job row, from either side of the queue: cancel and retry (users), claim,
heartbeat and finish (the run), recovery of lost runs (the sweeps). Submitting is in
``backend.services.jobs`` (evaluations) and ``backend.corpus.jobs`` (corpus statistics)::

    queued ──claim──> running ──finish──> succeeded | failed | cancelled
      ^                  │                               │
      └── recover_lost ──┘   (no heartbeat for           └── retry (failed, cancelled)
                              ``job_heartbeat_timeout_s``: requeued while
                              attempts remain, else failed with the reason)

``attempts`` is a fencing token: :func:`claim` increments it, and :func:`heartbeat` and
:func:`finish` only touch the row while it still holds the caller's attempt, so a run that
was given up for lost cannot overwrite the run that replaced it, and results are written once.

Functions that make work runnable (:func:`retry`, :func:`recover_lost_jobs`,
:func:`redispatch_queued`) commit, then hand the job ids to the queue (enqueue after commit).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import Session

from backend.config import get_settings
from backend.exceptions import ConflictError, ValidationError
from backend.extras import job_extras, require_runnable
from backend.models import EvalJob
from backend.queries.jobs import get, pending_job
from backend.schemas.job_status import FINISHED, RETRYABLE, JobStatus
from backend.services.job_queue import JobQueue, enqueue, job_queue

LOG_TAIL_CHARS = 8000


def utcnow() -> dt.datetime:
    """Now, timezone-aware (UTC)."""
    return dt.datetime.now(dt.UTC)


def _aware(value: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes; they are UTC."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


def tail(text: str) -> str:
    """The end of a log that a job row keeps (``LOG_TAIL_CHARS``)."""
    return text[-LOG_TAIL_CHARS:]


def cancel(*, session: Session, job_id: int, queue: JobQueue | None = None) -> EvalJob:
    """Cancel a job: a queued one at once; a running one is asked to stop (it checks between
    batches) and its task is revoked. Commits."""
    runner = job_queue(queue)
    job = get(session=session, job_id=job_id)
    if job.status in FINISHED:
        raise ConflictError(f"job {job_id} is already {job.status}")
    task_id = job.task_id
    session.execute(
        update(EvalJob)
        .where(EvalJob.id == job_id, EvalJob.status == JobStatus.QUEUED)
        .values(
            status=JobStatus.CANCELLED,
            cancel_requested=True,
            finished_at=utcnow(),
            message="cancelled before it started",
        )
    )
    session.execute(
        update(EvalJob)
        .where(EvalJob.id == job_id, EvalJob.status == JobStatus.RUNNING)
        .values(cancel_requested=True, message="cancel requested")
    )
    session.commit()
    session.refresh(job)
    if task_id:
        runner.revoke(task_id=task_id, running=job.status == JobStatus.RUNNING)
    return job


def retry(*, session: Session, job_id: int, queue: JobQueue | None = None) -> EvalJob:
    """Queue a failed or cancelled job again (same id, fresh attempts). Commits, enqueues."""
    runner = job_queue(queue)
    job = get(session=session, job_id=job_id)
    if job.status not in RETRYABLE:
        raise ConflictError(
            f"only failed or cancelled jobs can be retried; job {job_id} is {job.status}"
        )
    twin = pending_job(session=session, dedupe_key=job.dedupe_key)
    if twin is not None:
        raise ConflictError(f"an identical job ({twin.id}) is already {twin.status}")
    require_runnable(job_extras(job.kind, job.spec or {}), what=f"job {job_id}")
    job.status = JobStatus.QUEUED
    job.progress = 0.0
    job.attempts = 0
    job.error = None
    job.result = None
    job.worker = None
    job.cancel_requested = False
    job.started_at = job.heartbeat_at = job.finished_at = None
    job.task_id = None
    job.message = "queued again"
    job.log_tail = tail(job.log_tail + "\n--- retried ---\n")
    session.commit()
    enqueue(session=session, job_ids=[job.id], queue=runner)
    return job


def claim(
    *, session: Session, job_id: int, worker: str, dead_holder: str | None = None
) -> int | None:
    """Make a queued job (or a running one whose worker went silent, or is ``dead_holder``,
    a process the caller knows has died) ``running`` for ``worker``; the attempt number it now
    holds, or None if the job is not for the taking. Commits."""
    settings = get_settings()
    now = utcnow()
    stale = now - dt.timedelta(seconds=settings.job_heartbeat_timeout_s)
    lost: ColumnElement[bool] = EvalJob.heartbeat_at < stale
    if dead_holder is not None:
        lost = or_(lost, EvalJob.worker == dead_holder)
    takeable = or_(
        and_(EvalJob.status == JobStatus.QUEUED, EvalJob.cancel_requested.is_(False)),
        and_(
            EvalJob.status == JobStatus.RUNNING,
            lost,
            EvalJob.cancel_requested.is_(False),
            EvalJob.attempts < settings.job_max_attempts,
        ),
    )
    result = session.execute(
        update(EvalJob)
        .where(EvalJob.id == job_id, takeable)
        .values(
            status=JobStatus.RUNNING,
            attempts=EvalJob.attempts + 1,
            worker=worker[:200],
            started_at=now,
            heartbeat_at=now,
            progress=0.0,
            message=f"started on {worker}"[:500],
        )
        .returning(EvalJob.attempts)
    )
    attempt: int | None = result.scalar_one_or_none()
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
        values["log_tail"] = tail(log_tail)
    result = session.execute(
        update(EvalJob)
        .where(_held(job_id, attempt))
        .values(**values)
        .returning(EvalJob.cancel_requested)
    )
    cancel_requested: bool | None = result.scalar_one_or_none()
    session.commit()
    return cancel_requested


def finish(
    *,
    session: Session,
    job_id: int,
    attempt: int,
    status: str,
    error: str | None = None,
    result: dict[str, Any] | None = None,
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
    if status == JobStatus.SUCCEEDED:
        values["progress"] = 1.0
    if log_tail is not None:
        values["log_tail"] = tail(log_tail)
    done = session.execute(update(EvalJob).where(_held(job_id, attempt)).values(**values))
    return bool(done.rowcount == 1)  # type: ignore[attr-defined]  # an UPDATE's CursorResult


def _held(job_id: int, attempt: int) -> ColumnElement[bool]:
    return and_(
        EvalJob.id == job_id, EvalJob.status == JobStatus.RUNNING, EvalJob.attempts == attempt
    )


def recover_lost_jobs(
    *, session: Session, now: dt.datetime | None = None, queue: JobQueue | None = None
) -> dict[int, str]:
    """Running jobs without a heartbeat for ``job_heartbeat_timeout_s``: queued again while
    attempts remain (and no cancel was asked), else failed or cancelled with the reason;
    queued jobs that never reached the queue are handed over again. Commits; returns
    ``{job_id: new status}``."""
    runner = job_queue(queue)
    settings = get_settings()
    now = now or utcnow()
    cutoff = now - dt.timedelta(seconds=settings.job_heartbeat_timeout_s)
    lost = session.scalars(
        select(EvalJob)
        .where(EvalJob.status == JobStatus.RUNNING, EvalJob.heartbeat_at < cutoff)
        .with_for_update(skip_locked=True)
    ).all()
    outcome: dict[int, str] = {}
    for job in lost:
        silent = (now - _aware(job.heartbeat_at or now)).total_seconds()
        reason = (
            f"worker {job.worker} sent no heartbeat for {silent:.0f} s (attempt {job.attempts})"
        )
        if job.cancel_requested:
            job.status, job.message = JobStatus.CANCELLED, f"cancelled; {reason}"[:500]
            job.finished_at = now
        elif job.attempts >= settings.job_max_attempts:
            job.status, job.finished_at = JobStatus.FAILED, now
            job.error = f"lost: {reason}; gave up after {job.attempts} attempts"
            job.message = "failed: worker lost"
        else:
            job.status, job.task_id = JobStatus.QUEUED, None
            job.message = f"queued again: {reason}"[:500]
        job.log_tail = tail(f"{job.log_tail}\n[{now:%H:%M:%S}] {reason}\n")
        outcome[job.id] = str(job.status)
    session.commit()
    undispatched = session.scalars(
        select(EvalJob.id).where(
            EvalJob.status == JobStatus.QUEUED,
            EvalJob.task_id.is_(None),
            EvalJob.created_at < now - dt.timedelta(seconds=5),
        )
    ).all()
    requeued = [i for i, s in outcome.items() if s == JobStatus.QUEUED]
    job_ids = list(dict.fromkeys([*requeued, *undispatched]))
    enqueue(session=session, job_ids=job_ids, queue=runner)
    return outcome


def redispatch_queued(*, session: Session, queue: JobQueue | None = None) -> list[int]:
    """Hand every queued job to the queue again (after the broker lost its messages, e.g. a
    Redis restart without persistence); a job that ends up delivered twice runs once."""
    runner = job_queue(queue)
    queued = list(
        session.scalars(
            select(EvalJob.id).where(EvalJob.status == JobStatus.QUEUED).order_by(EvalJob.id)
        )
    )
    enqueue(session=session, job_ids=queued, queue=runner)
    return queued
