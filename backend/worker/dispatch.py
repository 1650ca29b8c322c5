"""Hand a committed job to whatever runs jobs: the Celery queue when a broker is configured,
else the embedded local executor (which also finds queued jobs on its own)."""

from __future__ import annotations

import logging

from backend.config import get_settings

log = logging.getLogger(__name__)


def dispatch(*, job_id: int, task_id: str) -> None:
    """Send job ``job_id`` to the queue as task ``task_id``; raises if the broker is down."""
    settings = get_settings()
    if not settings.broker_url:
        from backend.worker.local_executor import wake_local_executors

        wake_local_executors()
        return
    from backend.worker.celery_app import TASK_NAME, celery_app_for

    app = celery_app_for(settings.broker_url, settings.job_queue)
    app.send_task(TASK_NAME, args=[job_id], task_id=task_id, queue=settings.job_queue, retry=False)


def revoke(*, task_id: str, running: bool) -> None:
    """Revoke a Celery task; a running one is interrupted (SIGUSR1 raises the soft time limit
    inside the task, which then finishes the job as cancelled). No-op without a broker."""
    settings = get_settings()
    if not settings.broker_url:
        return
    from backend.worker.celery_app import celery_app_for

    app = celery_app_for(settings.broker_url, settings.job_queue)
    try:
        if running:
            app.control.revoke(task_id, terminate=True, signal="SIGUSR1")
        else:
            app.control.revoke(task_id)
    except Exception as exc:  # noqa: BLE001 - the cancel flag on the row still stops the job
        log.warning("could not revoke task %s: %s", task_id, exc)
