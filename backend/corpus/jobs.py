"""Corpus statistics as jobs of the job queue (``eval_jobs`` rows, run by the same workers).

Two kinds, :data:`~backend.corpus.tasks.COUNT_KIND` and
:data:`~backend.corpus.tasks.SIMILARITY_KIND`; the row's ``spec`` is the task spec (plain JSON).
:func:`submit` queues one (an identical pending job is reused, as for evaluations);
:func:`run_claimed` is what ``backend.worker.runner.run_job`` calls for these kinds once the
job is claimed: it reports progress, stops between shards when a cancel is requested (a later
retry resumes from the per-shard checkpoints), and writes the results in the same transaction
that marks the job succeeded.
"""

from __future__ import annotations

import hashlib
import json
import logging
import traceback
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from backend import db
from backend.corpus.counting import CountingCancelled
from backend.corpus.store import store_similarity, write_counts
from backend.corpus.tasks import (
    COUNT_KIND,
    KINDS,
    SIMILARITY_KIND,
    CountSpec,
    SimilaritySpec,
    parse,
    run_count,
    run_similarity,
)
from backend.exceptions import ConflictError, ScaleScopeError, ValidationError
from backend.extras import job_extras, require_runnable
from backend.models import EvalJob
from backend.services import file_roots, jobs

log = logging.getLogger(__name__)

SPECS = {COUNT_KIND: CountSpec, SIMILARITY_KIND: SimilaritySpec}
__all__ = ["KINDS", "submit", "run_claimed"]


def _dedupe_key(kind: str, spec: dict[str, Any]) -> str:
    canonical = json.dumps({"kind": kind, **spec}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def submit(
    *, session: Session, kind: str, spec: dict[str, Any], created_by: str | None = None
) -> jobs.Submitted:
    """Queue a corpus job (validated spec); an identical pending job is returned instead.
    Commits, then hands the new job to the queue."""
    if kind not in SPECS:
        raise ValidationError(f"unknown corpus job kind {kind!r}; one of {', '.join(KINDS)}")
    spec = parse(spec, SPECS[kind]).model_dump(mode="json")
    require_runnable(job_extras(kind, spec), what=f"a {kind} job")
    check_submitted_paths(kind, spec)
    key = _dedupe_key(kind, spec)
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    for _ in range(3):
        new_id = session.execute(
            insert(EvalJob)
            .values(
                kind=kind,
                spec=spec,
                dedupe_key=key,
                created_by=created_by,
                message="queued",
            )
            .on_conflict_do_nothing()
            .returning(EvalJob.id)
        ).scalar_one_or_none()
        if new_id is not None:
            session.commit()
            jobs.enqueue(session=session, job_ids=[new_id])
            return jobs.Submitted(job=session.get(EvalJob, new_id), created=True)
        twin = session.scalars(
            select(EvalJob).where(EvalJob.dedupe_key == key, EvalJob.status.in_(jobs.PENDING))
        ).first()
        if twin is not None:
            session.commit()  # end the write transaction the refused insert opened
            return jobs.Submitted(job=twin, created=False)
    raise ConflictError("could not queue the job: identical jobs keep changing state")


def _evaluation_files(evaluation: dict[str, Any] | None) -> list[str]:
    """The files an embedded similarity test side names (model weights and config, data)."""
    if not evaluation:
        return []
    model, dataset = evaluation.get("model") or {}, evaluation.get("dataset") or {}
    named = [model.get("checkpoint"), model.get("config_file")]
    named += [dataset.get(k) for k in ("path", "classnames_file", "templates_file")]
    if str(model.get("architecture", "")).startswith("local-dir:"):
        named.append(model["architecture"].split(":", 1)[1])
    return [str(p).removeprefix("file://") for p in named if p]


def confine(kind: str, spec: dict[str, Any]) -> dict[str, Any]:
    """``spec`` with the allowed roots passed on to an embedded evaluation's dataset, so its
    CSV image paths, folder images and shards are checked too (see ``check_paths``)."""
    evaluation = spec.get("evaluation")
    if kind != SIMILARITY_KIND or not evaluation:
        return spec
    roots = [str(root) for root in file_roots.allowed_roots()]
    dataset = {**(evaluation.get("dataset") or {}), "allowed_roots": roots}
    return {**spec, "evaluation": {**evaluation, "dataset": dataset}}


def submit_embedded_similarity(
    *,
    session: Session,
    corpus: str,
    corpus_embeddings: list[str],
    checkpoint_id: int,
    eval_set_id: int,
    k: int = 5,
    created_by: str | None = None,
) -> jobs.Submitted:
    """Queue a similarity job whose test side is a benchmark (eval set row) embedded on the
    worker by a checkpoint (row), as an evaluation job would run them."""
    from backend.worker.targets import build_target

    target = build_target(
        session=session, checkpoint_id=checkpoint_id, eval_set_id=eval_set_id, task=jobs.ZERO_SHOT
    )
    evaluation = dict(target.spec)
    evaluation["dataset"] = {
        key: v for key, v in evaluation["dataset"].items() if key != "allowed_roots"
    }  # the worker sets its own
    spec = {
        "corpus": corpus,
        "eval_set": target.eval_set_name,
        "corpus_embeddings": corpus_embeddings,
        "evaluation": evaluation,
        "embedding_model": f"{target.model_name}@{target.revision}",
        "k": k,
    }
    return submit(session=session, kind=SIMILARITY_KIND, spec=spec, created_by=created_by)


def named_files(kind: str, parsed) -> list[str]:
    """The paths a parsed corpus spec names, as given (globs and folders unexpanded)."""
    if kind == COUNT_KIND:
        return [*parsed.sources, *([parsed.concepts_file] if parsed.concepts_file else [])]
    named = [*parsed.corpus_embeddings, parsed.test_embeddings, parsed.samples_file]
    return [p for p in named if p] + _evaluation_files(parsed.evaluation)


def check_submitted_paths(kind: str, spec: dict[str, Any]) -> None:
    """At submit: every path the spec names lies under the allowed roots (the worker checks
    again, after glob and folder expansion, before it opens anything)."""
    for raw in named_files(kind, parse(spec, SPECS[kind])):
        file_roots.check_readable(raw, what="path")


def check_paths(kind: str, spec: dict[str, Any]) -> None:
    """Every file a corpus job reads (the named paths, then after glob and folder expansion)
    must lie under the allowed roots (``backend.services.file_roots``), as for evaluations."""
    from pathlib import Path

    from backend.corpus.readers import resolve_shards
    from backend.corpus.similarity import embedding_shards

    check_submitted_paths(kind, spec)
    parsed = parse(spec, SPECS[kind])
    if kind == COUNT_KIND:
        files = [Path(s.path) for s in resolve_shards(parsed.sources)]
    else:
        files = embedding_shards(parsed.corpus_embeddings)
    for file in files:
        file_roots.check_readable(file, what="file")


def run_claimed(*, engine: Engine, job_id: int, attempt: int, reporter) -> str:
    """Run a claimed corpus job to its final status; returns it (``succeeded``, ``failed``,
    ``cancelled``, or ``lost`` when another run took the job)."""
    with db.session_scope(engine) as session:
        job = session.get(EvalJob, job_id)
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
        return _final(engine, job_id, attempt, reporter, "cancelled", None, str(exc))
    except ScaleScopeError as exc:
        if reporter.should_cancel():  # e.g. the embedding pass stopped on the cancel request
            return _final(engine, job_id, attempt, reporter, "cancelled", None, "cancelled")
        return _final(engine, job_id, attempt, reporter, "failed", str(exc), f"failed: {exc}")
    except Exception as exc:  # noqa: BLE001 - any failure of the task fails the job
        reporter.log(traceback.format_exc())
        error = f"{type(exc).__name__}: {exc}"
        return _final(engine, job_id, attempt, reporter, "failed", error, f"failed: {error}")


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
        done = jobs.finish(
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


def _final(engine, job_id, attempt, reporter, status, error, message) -> str:
    with db.session_scope(engine) as session:
        done = jobs.finish(
            session=session,
            job_id=job_id,
            attempt=attempt,
            status=status,
            error=error,
            log_tail=reporter.log_text(previous=reporter.previous_log),
            message=message[:500],
        )
    return status if done else "lost"
