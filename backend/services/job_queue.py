"""The job queue as the use cases see it: something that runs committed jobs.

The row in ``eval_jobs`` is the source of truth; a queue only carries job ids. Which queue runs
them is the entry point's choice, not the use cases': the web app, the CLI and the workers
install one at start (``backend.worker.queues.install_job_queue``: Celery when a broker is
configured, else the local executor), and the functions that make work runnable take it from
here (or as an explicit ``queue`` argument). So ``backend.services`` never imports the worker.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from typing import Protocol

from sqlalchemy import update
from sqlalchemy.orm import Session

from backend.models import EvalJob
from backend.schemas.job_status import JobStatus

log = logging.getLogger(__name__)


class JobQueue(Protocol):
    """What runs jobs: hands a committed job over, and takes one back."""

    def dispatch(self, *, job_id: int, task_id: str) -> None:
        """Hand job ``job_id`` over as task ``task_id``; raises when the queue is unreachable."""
        ...

    def revoke(self, *, task_id: str, running: bool) -> None:
        """Take task ``task_id`` back (interrupting it when ``running``); never raises."""
        ...


_installed: JobQueue | None = None


def set_job_queue(queue: JobQueue | None) -> JobQueue | None:
    """Install the queue of this process (None uninstalls it); returns the one it replaces."""
    global _installed
    previous, _installed = _installed, queue
    return previous


def job_queue(queue: JobQueue | None = None) -> JobQueue:
    """``queue`` if given, else the installed one; a clear error when the entry point did not
    install any (a programming error: nothing is written then)."""
    if queue is not None:
        return queue
    if _installed is None:
        raise RuntimeError(
            "no job queue is installed in this process: its entry point must call "
            "backend.worker.queues.install_job_queue() (or pass queue=...)"
        )
    return _installed


def enqueue(*, session: Session, job_ids: Sequence[int], queue: JobQueue | None = None) -> None:
    """Hand committed, queued jobs to the queue. Each gets a fresh task id, committed before
    the hand-over (a worker may claim the job at once, and cancel needs the id to revoke it);
    a job whose hand-over failed gets its ``task_id`` cleared and is handed over again by
    ``job_lifecycle.recover_lost_jobs``."""
    if not job_ids:
        return
    runner = job_queue(queue)
    task_ids = {job_id: uuid.uuid4().hex for job_id in job_ids}
    for job_id, task_id in task_ids.items():
        session.execute(
            update(EvalJob)
            .where(EvalJob.id == job_id, EvalJob.status == JobStatus.QUEUED)
            .values(task_id=task_id)
        )
    session.commit()
    for job_id, task_id in task_ids.items():
        try:
            runner.dispatch(job_id=job_id, task_id=task_id)
        except Exception as exc:  # noqa: BLE001 - the broker may be down; the row stays queued
            log.warning("could not hand job %s to the queue: %s", job_id, exc)
            session.execute(
                update(EvalJob)
                .where(EvalJob.id == job_id, EvalJob.status == JobStatus.QUEUED)
                .values(task_id=None, message=f"waiting for the queue: {exc}"[:500])
            )
            session.commit()
