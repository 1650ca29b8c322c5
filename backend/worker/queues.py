"""The two job queues (``backend.services.job_queue.JobQueue``), and the choice between them
that every entry point makes at start: the Celery queue when a broker is configured, else the
embedded local executor (which also finds queued jobs on its own)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from backend.config import Settings, get_settings
from backend.services.job_queue import JobQueue, set_job_queue
from backend.worker.local_executor import LocalJobQueue

__all__ = ["CeleryJobQueue", "LocalJobQueue", "install_job_queue", "job_queue_from_settings"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CeleryJobQueue:
    """Jobs go to the Celery workers listening on ``queue`` of ``broker_url``."""

    broker_url: str
    queue: str

    @classmethod
    def from_settings(cls, settings: Settings) -> CeleryJobQueue:
        """The queue of the configured broker."""
        return cls(broker_url=settings.broker_url, queue=settings.job_queue)

    def dispatch(self, *, job_id: int, task_id: str) -> None:
        """Send job ``job_id`` as task ``task_id``; raises if the broker is down."""
        from backend.worker.celery_app import TASK_NAME, celery_app_for

        app = celery_app_for(self.broker_url, self.queue)
        app.send_task(TASK_NAME, args=[job_id], task_id=task_id, queue=self.queue, retry=False)

    def revoke(self, *, task_id: str, running: bool) -> None:
        """Revoke a task; a running one is interrupted (SIGUSR1 raises the soft time limit
        inside the task, which then finishes the job as cancelled)."""
        from backend.worker.celery_app import celery_app_for

        app = celery_app_for(self.broker_url, self.queue)
        try:
            if running:
                app.control.revoke(task_id, terminate=True, signal="SIGUSR1")
            else:
                app.control.revoke(task_id)
        except Exception as exc:  # noqa: BLE001 - the cancel flag on the row still stops the job
            log.warning("could not revoke task %s: %s", task_id, exc)


def job_queue_from_settings(settings: Settings | None = None) -> JobQueue:
    """Celery when ``broker_url`` is set, else the local executor."""
    settings = settings or get_settings()
    if settings.broker_url:
        return CeleryJobQueue.from_settings(settings)
    return LocalJobQueue()


def install_job_queue(settings: Settings | None = None) -> JobQueue:
    """Install the configured queue for the use cases of this process (entry points call it
    at start: the web app, the CLI, the workers); returns it."""
    queue = job_queue_from_settings(settings)
    set_job_queue(queue)
    return queue
