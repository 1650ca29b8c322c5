"""The Celery application: Redis broker from the settings, one queue (``settings.job_queue``),
one task at a time per worker process, late acknowledgement so a killed worker's job is
delivered again, time limits from the settings.

``celery -A backend.worker.celery_app worker`` (or ``scalescope worker``) starts a worker.
"""

from __future__ import annotations

from functools import lru_cache

from celery import Celery

from backend.config import Settings, get_settings

TASK_NAME = "scalescope.run_eval_job"


def make_celery_app(settings: Settings) -> Celery:
    """A Celery app configured from ``settings`` (the broker must be set to send or work)."""
    app = Celery(
        "scalescope", broker=settings.broker_url or "memory://", include=["backend.worker.tasks"]
    )
    limit = settings.job_time_limit_s
    app.conf.update(
        task_default_queue=settings.job_queue,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_acks_on_failure_or_timeout=True,
        worker_prefetch_multiplier=1,
        task_time_limit=limit,
        task_soft_time_limit=max(limit - 60.0, limit * 0.9),
        # An unacknowledged message comes back after this long; the job row's heartbeat, not
        # this timeout, is what finds a lost worker (see services.job_lifecycle.recover_lost_jobs).
        broker_transport_options={
            "visibility_timeout": int(limit + 2 * settings.job_heartbeat_timeout_s) + 60
        },
        task_ignore_result=True,
        result_backend=None,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        task_serializer="json",
        accept_content=["json"],
    )
    return app


@lru_cache(maxsize=4)
def celery_app_for(broker_url: str, queue: str) -> Celery:
    """The app for one broker and queue (the web process uses it to send and revoke)."""
    return make_celery_app(
        get_settings().model_copy(update={"broker_url": broker_url, "job_queue": queue})
    )


app = make_celery_app(get_settings())
