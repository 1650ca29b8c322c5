"""Corpus statistics as jobs of the job queue (``eval_jobs`` rows, run by the same workers).

Two kinds, :data:`~backend.corpus.tasks.COUNT_KIND` and
:data:`~backend.corpus.tasks.SIMILARITY_KIND`; the row's ``spec`` is the task spec (plain JSON).
:func:`submit` queues one (an identical pending job is reused, as for evaluations), after
checking the files it names (:func:`check_submitted_paths`); the worker runs it through
``backend.worker.corpus_runner``, which checks them again (:func:`check_paths`).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from backend.corpus.tasks import (
    COUNT_KIND,
    KINDS,
    SIMILARITY_KIND,
    CountSpec,
    SimilaritySpec,
    parse,
)
from backend.exceptions import ValidationError
from backend.extras import job_extras, require_runnable
from backend.services import file_roots
from backend.services.job_dedupe import Submitted, dedupe_key, insert_unless_pending
from backend.services.job_queue import JobQueue, enqueue, job_queue

SPECS: dict[str, type[BaseModel]] = {COUNT_KIND: CountSpec, SIMILARITY_KIND: SimilaritySpec}
__all__ = ["KINDS", "submit", "submit_embedded_similarity"]


def submit(
    *,
    session: Session,
    kind: str,
    spec: dict[str, Any],
    created_by: str | None = None,
    queue: JobQueue | None = None,
) -> Submitted:
    """Queue a corpus job (validated spec); an identical pending job is returned instead.
    Commits, then hands the new job to the queue."""
    runner = job_queue(queue)
    if kind not in SPECS:
        raise ValidationError(f"unknown corpus job kind {kind!r}; one of {', '.join(KINDS)}")
    spec = parse(spec, SPECS[kind]).model_dump(mode="json")
    require_runnable(job_extras(kind, spec), what=f"a {kind} job")
    check_submitted_paths(kind, spec)
    submitted = insert_unless_pending(
        session,
        {
            "kind": kind,
            "spec": spec,
            "dedupe_key": dedupe_key(kind, spec),
            "created_by": created_by,
            "message": "queued",
        },
    )
    session.commit()  # also ends the write transaction a refused insert opened
    if submitted.created:
        enqueue(session=session, job_ids=[submitted.job.id], queue=runner)
    return submitted


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
    queue: JobQueue | None = None,
) -> Submitted:
    """Queue a similarity job whose test side is a benchmark (eval set row) embedded on the
    worker by a checkpoint (row), as an evaluation job would run them."""
    from backend.evaluation.specs import ZERO_SHOT
    from backend.services.eval_targets import build_target

    target = build_target(
        session=session, checkpoint_id=checkpoint_id, eval_set_id=eval_set_id, task=ZERO_SHOT
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
    return submit(
        session=session, kind=SIMILARITY_KIND, spec=spec, created_by=created_by, queue=queue
    )


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
