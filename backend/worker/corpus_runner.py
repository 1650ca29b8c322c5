"""Running a claimed corpus job (``backend.corpus.jobs``), what ``backend.worker.runner``
calls for the corpus kinds: it checks the files again, reports progress, stops between shards
when a cancel is requested (a later retry resumes from the per-shard checkpoints), and writes
the results in the same transaction that marks the job succeeded."""

from __future__ import annotations

import logging
import traceback

from sqlalchemy import Engine

from backend import db
from backend.corpus.counting import CountingCancelled
from backend.corpus.jobs import check_paths, confine
from backend.corpus.store import store_similarity, write_counts
from backend.corpus.tasks import COUNT_KIND, run_count, run_similarity
from backend.exceptions import ScaleScopeError
from backend.models import EvalJob
from backend.services import job_lifecycle
from backend.worker.reporter import finish_job

log = logging.getLogger(__name__)


def run_claimed(*, engine: Engine, job_id: int, attempt: int, reporter) -> str:
    """Run a claimed corpus job to its final status; returns it (``succeeded``, ``failed``,
    ``cancelled``, or ``lost`` when another run took the job)."""
    with db.session_scope(engine) as session:
        job = session.get_one(EvalJob, job_id)
        kind, spec = job.kind, dict(job.spec or {})
    progress = reporter.progress
    try:
        check_paths(kind, spec)
        spec = confine(kind, spec)
        if kind == COUNT_KIND:
            outcome = run_count(
                spec,
                engine=engine,
                progress=progress,
                should_cancel=reporter.should_cancel,
                store=False,
            )
        else:
            outcome = run_similarity(
                spec,
                engine=engine,
                progress=progress,
                should_cancel=reporter.should_cancel,
                store=False,
            )
        if reporter.should_cancel():
            raise CountingCancelled("cancelled")
        return _succeed(engine, job_id, attempt, reporter, kind, spec, outcome)
    except CountingCancelled as exc:
        reporter.log(str(exc))
        return finish_job(engine, job_id, attempt, reporter, "cancelled", None, str(exc))
    except ScaleScopeError as exc:
        if reporter.should_cancel():  # e.g. the embedding pass stopped on the cancel request
            return finish_job(engine, job_id, attempt, reporter, "cancelled", None, "cancelled")
        return finish_job(engine, job_id, attempt, reporter, "failed", str(exc), f"failed: {exc}")
    except Exception as exc:  # noqa: BLE001 - any failure of the task fails the job
        reporter.log(traceback.format_exc())
        error = f"{type(exc).__name__}: {exc}"
        return finish_job(engine, job_id, attempt, reporter, "failed", error, f"failed: {error}")


def _succeed(engine, job_id, attempt, reporter, kind, spec, outcome) -> str:
    created_by = f"job {job_id}"
    with db.session_scope(engine) as session:
        if kind == COUNT_KIND:
            counts = outcome.pop("counts")
            written = write_counts(
                session=session,
                counts=counts,
                corpus=spec["corpus"],
                job_id=job_id,
                created_by=created_by,
                details={"engine": outcome["engine"], "column": spec.get("column")},
            )
            message = (
                f"done: {outcome['n_documents']:,} documents, {outcome['concepts_found']} of "
                f"{outcome['n_concepts']} concepts found, {outcome['n_pairs']:,} pairs"
            )
        else:
            result = outcome.pop("result")
            written = store_similarity(
                session=session,
                corpus=spec["corpus"],
                eval_set=spec["eval_set"],
                method=outcome["method"],
                samples=outcome.pop("samples"),
                labels=outcome.pop("labels"),
                correct=outcome.pop("correct"),
                result=result,
                job_id=job_id,
                created_by=created_by,
            )
            message = (
                f"done: {outcome['n_test']:,} test images, mean {outcome['mean_similarity']:.3f}"
            )
        reporter.log(f"wrote upload {written['upload_id']}")
        done = job_lifecycle.finish(
            session=session,
            job_id=job_id,
            attempt=attempt,
            status="succeeded",
            result={**outcome, **written},
            log_tail=reporter.log_text(previous=reporter.previous_log),
            message=message,
        )
        if not done:
            session.rollback()
            log.warning("corpus job %s was taken from this run; results discarded", job_id)
            return "lost"
    return "succeeded"
