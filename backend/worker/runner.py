"""The one function that runs a job, whoever calls it (the Celery task or the local executor):
job id in -> claim the row -> evaluate -> write results and the final status together -> out.

Running the same job id twice is safe: only a run that holds the job's current attempt (see
``services.job_lifecycle``) may write; a second delivery of a job that is running, or already
finished, does nothing.
"""

from __future__ import annotations

import logging
import os
import socket
import traceback

from sqlalchemy import Engine

from backend import db
from backend.config import get_settings
from backend.exceptions import NotFoundError, ValidationError
from backend.models import EvalJob
from backend.services import job_lifecycle
from backend.worker.reporter import finish_job

log = logging.getLogger(__name__)

# Job kinds run by backend.corpus.jobs (the same names as backend.corpus.tasks.KINDS; not
# imported here so that an evaluation-only worker never imports the corpus engines).
CORPUS_KINDS = ("corpus_concept_counts", "corpus_train_test_similarity")

SKIPPED, SUCCEEDED, FAILED, CANCELLED, LOST = (
    "skipped",
    "succeeded",
    "failed",
    "cancelled",
    "lost",
)


class _LostJob(Exception):
    """The run no longer holds the job; its writes are rolled back."""


def default_worker_name() -> str:
    """``host:pid`` of this process."""
    return f"{socket.gethostname()}:{os.getpid()}"


def dead_local_holder(session, job_id: int, worker_name: str) -> str | None:
    """The worker name holding running job ``job_id`` if it is a process of this same worker
    node (``node:pid``) that no longer exists; else None."""
    job = session.get(EvalJob, job_id)
    if job is None or job.status != "running" or not job.worker or ":" not in job.worker:
        return None
    node, _, pid = job.worker.rpartition(":")
    if node != worker_name.rpartition(":")[0] or not pid.isdigit() or int(pid) == os.getpid():
        return None
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return job.worker
    except PermissionError:  # exists, owned by someone else
        return None
    return None


def heartbeat_interval() -> float:
    """How often a running job writes its heartbeat (a quarter of the timeout, at most 5 s)."""
    return max(0.2, min(5.0, get_settings().job_heartbeat_timeout_s / 4))


def run_job(job_id: int, *, worker_name: str | None = None, engine: Engine | None = None) -> str:
    """Run job ``job_id`` if it is for the taking; returns what happened (``skipped``,
    ``succeeded``, ``failed``, ``cancelled`` or ``lost``)."""
    engine = engine or db.get_engine()
    worker_name = worker_name or default_worker_name()
    with db.session_scope(engine) as session:
        attempt = job_lifecycle.claim(session=session, job_id=job_id, worker=worker_name)
        if attempt is None and (dead := dead_local_holder(session, job_id, worker_name)):
            # Delivered again after this worker's pool process died running it (Celery's
            # reject_on_worker_lost): take it over now rather than after the heartbeat timeout.
            log.warning("job %s: its process %s died; taking it over", job_id, dead)
            attempt = job_lifecycle.claim(
                session=session, job_id=job_id, worker=worker_name, dead_holder=dead
            )
        if attempt is None:
            log.info("job %s is not for the taking; skipped", job_id)
            return SKIPPED
        claimed = session.get_one(EvalJob, job_id)
        previous_log, kind = claimed.log_tail or "", claimed.kind
    from backend.worker.reporter import JobReporter, LogToReporter

    reporter = JobReporter(
        engine=engine,
        job_id=job_id,
        attempt=attempt,
        interval=heartbeat_interval(),
        previous_log=previous_log,
    )
    handler = LogToReporter(reporter)
    watched = [
        logging.getLogger(name)
        for name in ("backend.evaluation", "backend.worker", "backend.corpus")
    ]
    for logger in watched:
        logger.addHandler(handler)
        if logger.level == logging.NOTSET or logger.level > logging.INFO:
            logger.setLevel(logging.INFO)
    try:
        with reporter:
            reporter.log(f"attempt {attempt} on {worker_name}")
            if kind in CORPUS_KINDS:  # corpus statistics (backend.corpus.jobs)
                from backend.worker.corpus_runner import run_claimed

                return run_claimed(engine=engine, job_id=job_id, attempt=attempt, reporter=reporter)
            return _run_claimed(engine, job_id, attempt, reporter)
    finally:
        for logger in watched:
            logger.removeHandler(handler)


def _run_claimed(engine: Engine, job_id: int, attempt: int, reporter) -> str:
    from celery.exceptions import SoftTimeLimitExceeded

    from backend.evaluation import EvaluationCancelled, check_inputs, run_evaluation
    from backend.services.eval_targets import load_target
    from backend.worker.results import write_results

    try:
        with db.session_scope(engine) as session:
            target = load_target(session=session, job=session.get_one(EvalJob, job_id))
        check_inputs(target.spec)
        reporter.progress(
            0.0, f"evaluating {target.model_name}@{target.revision} on {target.eval_set_name}"
        )
        result = run_evaluation(
            target.spec, progress=reporter.progress, should_cancel=reporter.should_cancel
        )
        if reporter.should_cancel():
            return _stop(engine, job_id, attempt, reporter)
        reporter.log(f"{result.n_samples} samples in {result.seconds:.1f} s on {result.device}")
        with db.session_scope(engine) as session:
            written = write_results(session=session, target=target, result=result)
            reporter.log(f"wrote upload {written['upload_id']}: {_written(written['tables'])}")
            done = job_lifecycle.finish(
                session=session,
                job_id=job_id,
                attempt=attempt,
                status=SUCCEEDED,
                result={
                    "metrics": result.values,
                    "n_samples": result.n_samples,
                    "seconds": result.seconds,
                    "device": result.device,
                    **written,
                },
                log_tail=reporter.log_text(previous=reporter.previous_log),
                message=f"done: {_summary(result.values)}",
            )
            if not done:
                raise _LostJob
        return SUCCEEDED
    except _LostJob:
        log.warning("job %s was taken from this run; its results were discarded", job_id)
        return LOST
    except EvaluationCancelled:
        return _stop(engine, job_id, attempt, reporter)
    except SoftTimeLimitExceeded:
        reporter.flush()
        if reporter.should_cancel():
            return _stop(engine, job_id, attempt, reporter)
        limit = get_settings().job_time_limit_s
        return _fail(engine, job_id, attempt, reporter, f"time limit exceeded ({limit:.0f} s)")
    except (ValidationError, NotFoundError) as exc:
        return _fail(engine, job_id, attempt, reporter, str(exc))
    except Exception as exc:  # noqa: BLE001 - any failure of the evaluation fails the job
        if reporter.should_cancel():
            return _stop(engine, job_id, attempt, reporter)
        reporter.log(traceback.format_exc())
        return _fail(engine, job_id, attempt, reporter, f"{type(exc).__name__}: {exc}")


def _stop(engine: Engine, job_id: int, attempt: int, reporter) -> str:
    if reporter.lost.is_set():
        return LOST
    reporter.log("cancelled")
    return finish_job(engine, job_id, attempt, reporter, CANCELLED, None, "cancelled")


def _fail(engine: Engine, job_id: int, attempt: int, reporter, error: str) -> str:
    log.error("job %s failed: %s", job_id, error)
    return finish_job(engine, job_id, attempt, reporter, FAILED, error, f"failed: {error}")


def _summary(metrics: dict[str, float]) -> str:
    return ", ".join(f"{k}={v:.4g}" for k, v in list(metrics.items())[:3]) or "no metrics"


def _written(tables: dict[str, dict]) -> str:
    shown = {t: c for t, c in tables.items() if t in ("measurements", "concept_scores")}
    return ", ".join(
        f"{table} {c.get('new', 0)} new, {c.get('updated', 0)} updated, "
        f"{c.get('unchanged', 0)} unchanged"
        for table, c in shown.items()
    )
