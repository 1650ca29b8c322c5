"""The Celery task (a job id in, :func:`backend.worker.runner.run_job` does the rest) and the
worker's hooks: one GPU per pool process, and a background sweep that finds lost jobs."""

from __future__ import annotations

import logging
import os
import threading

from celery import signals
from sqlalchemy.exc import OperationalError

from backend import db
from backend.config import get_settings
from backend.exceptions import ServiceUnavailableError
from backend.worker.celery_app import TASK_NAME, app
from backend.worker.queues import CeleryJobQueue
from backend.worker.runner import run_job

log = logging.getLogger(__name__)


@app.task(
    name=TASK_NAME,
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    # The database unreachable (e.g. while claiming): try again later rather than drop the job.
    autoretry_for=(ServiceUnavailableError, OperationalError),
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=20,
)
def run_eval_job(self, job_id: int) -> str:
    """Run evaluation job ``job_id`` (safe to deliver twice; see ``runner``)."""
    return run_job(int(job_id), worker_name=f"{self.request.hostname}:{os.getpid()}")


@signals.worker_init.connect
def _preload_evaluation(**_kwargs) -> None:
    """Import torch and open_clip (through ``backend.evaluation``) once in the worker's main
    process, before the pool forks: pool processes start warm instead of importing them at
    their first job."""
    try:
        import backend.evaluation.runner  # noqa: F401
    except ImportError as exc:  # the worker extra is missing: jobs will fail with the reason
        log.error("cannot load the evaluation code: %s", exc)


@signals.worker_process_init.connect
def _fresh_process(**_kwargs) -> None:
    """A pool process starts: no database connections inherited from the parent, and, with
    several GPUs and no explicit choice, one GPU per process."""
    db.get_engine.cache_clear()
    settings = get_settings()
    gpus = settings.worker_gpus
    if gpus and settings.cuda_visible_devices is None:
        from billiard.process import current_process

        index = getattr(current_process(), "index", 0) or 0
        devices = gpus.split(",")
        os.environ["CUDA_VISIBLE_DEVICES"] = devices[index % len(devices)]


@signals.worker_ready.connect
def _start_recovery(**_kwargs) -> None:
    """The worker is up: sweep for lost jobs now and every half heartbeat timeout."""
    start_recovery_thread(interval=max(1.0, get_settings().job_heartbeat_timeout_s / 2))


def start_recovery_thread(*, interval: float) -> threading.Thread:
    """A daemon thread that calls :func:`sweep_lost_jobs` every ``interval`` seconds."""
    stop = threading.Event()

    def loop() -> None:
        while True:
            sweep_lost_jobs()
            if stop.wait(interval):
                return

    thread = threading.Thread(target=loop, name="scalescope-recovery", daemon=True)
    thread.start()
    return thread


def sweep_lost_jobs() -> dict[int, str]:
    """One pass of ``job_lifecycle.recover_lost_jobs`` on a short-lived engine (so that no
    connection is inherited by pool processes forked later); requeued jobs go to this
    worker's broker."""
    from backend.services.job_lifecycle import recover_lost_jobs

    settings = get_settings()
    engine = db.make_engine(settings.database_url)
    try:
        with db.session_scope(engine) as session:
            outcome = recover_lost_jobs(
                session=session, queue=CeleryJobQueue.from_settings(settings)
            )
        if outcome:
            log.warning("recovered lost jobs: %s", outcome)
        return outcome
    except Exception as exc:  # noqa: BLE001 - the next sweep tries again
        log.warning("sweep for lost jobs failed: %s", exc)
        return {}
    finally:
        engine.dispose()
