"""Evaluation jobs: submit checkpoints × eval sets (deduplicated), or the coverage grid's holes.

A request is checked before anything is written (the extra it needs, the size of the grid, the
run options, the files it would read), then each pair gets a row (an identical pending job is
reused: ``backend.services.job_dedupe``), the rows are committed, and the new ones are handed
to the job queue (``backend.services.job_queue``). What happens to a job afterwards is in
``backend.services.job_lifecycle``; the reads are in ``backend.queries.jobs``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.exceptions import NotFoundError, ValidationError
from backend.extras import require_runnable
from backend.models import Checkpoint, EvalSet
from backend.queries.jobs import count_by_status, get, list_jobs, missing_pairs
from backend.services.eval_targets import check_paths
from backend.services.job_dedupe import Submitted, dedupe_key, insert_unless_pending
from backend.services.job_lifecycle import cancel, retry
from backend.services.job_queue import JobQueue, enqueue, job_queue
from backend.services.runnable_pairs import Runnability, runnability, runnable_missing_pairs

# The evaluation tasks (the same names as ``backend.evaluation.specs``).
ZERO_SHOT = "zero_shot_classification"
CONTRASTIVE = "contrastive_loss"
KINDS = (ZERO_SHOT, CONTRASTIVE)
# Jobs one request may queue; a larger grid must be narrowed (by checkpoints or eval sets).
MAX_JOBS_PER_REQUEST = 10_000

# Callers that predate the split (app/views/jobs.py) reach these through this module; they are
# defined in backend.queries.jobs (reads) and backend.services.job_lifecycle.
__all__ = [
    "CONTRASTIVE",
    "KINDS",
    "MAX_JOBS_PER_REQUEST",
    "ZERO_SHOT",
    "Submitted",
    "cancel",
    "checked_options",
    "count_by_status",
    "evaluation_kind",
    "get",
    "list_jobs",
    "missing_pairs",
    "retry",
    "submit",
    "submit_missing",
]


def evaluation_kind(eval_set: EvalSet) -> str:
    """Which evaluation an eval set calls for: its ``attributes["evaluation"]`` if given, else
    contrastive loss for validation sets and captioned sets, else zero-shot classification."""
    stated = (eval_set.attributes or {}).get("evaluation")
    if stated:
        if stated not in KINDS:
            raise ValidationError(
                f"eval set {eval_set.name!r} names an unknown evaluation {stated!r}; "
                f"known: {', '.join(KINDS)}"
            )
        return str(stated)
    if eval_set.kind == "validation" or (eval_set.task or "") in {CONTRASTIVE, "captions"}:
        return CONTRASTIVE
    return ZERO_SHOT


def checked_options(options: dict[str, Any] | None) -> dict[str, Any]:
    """Run options as given, refused now (not on the worker) when the evaluation would not
    accept them (``backend.evaluation.specs.RunOptions``: batch_size, device, ...)."""
    import pydantic

    from backend.evaluation.specs import RunOptions

    options = dict(options or {})
    try:
        RunOptions(**options)
    except pydantic.ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'options'}: {e['msg']}" for e in exc.errors()
        )
        raise ValidationError(f"bad run options: {problems}") from None
    return options


def _submit_one(
    session: Session,
    *,
    checkpoint: Checkpoint,
    eval_set: EvalSet,
    options: dict[str, Any],
    created_by: str | None,
) -> Submitted:
    check_paths(checkpoint=checkpoint, eval_set=eval_set)  # 422 now; the worker checks again
    kind = evaluation_kind(eval_set)
    ids = {"checkpoint_id": checkpoint.id, "eval_set_id": eval_set.id}
    return insert_unless_pending(
        session,
        {
            "kind": kind,
            "spec": {**ids, "options": options},
            "dedupe_key": dedupe_key(kind, {**ids, **options}),
            **ids,
            "created_by": created_by,
            "message": "queued",
        },
    )


def _load(session: Session, model: Any, ids: Iterable[int], what: str) -> list[Any]:
    """The rows of ``model`` (Checkpoint, EvalSet) with ``ids``, in that order; NotFoundError
    naming the missing ids."""
    wanted = list(dict.fromkeys(ids))
    rows: dict[int, Any] = {
        row.id: row for row in session.scalars(select(model).where(model.id.in_(wanted)))
    }
    missing = [i for i in wanted if i not in rows]
    if missing:
        raise NotFoundError(f"no {what} with id {', '.join(map(str, missing))}")
    return [rows[i] for i in wanted]


def _check_job_count(count: int, *, missing: bool = False) -> None:
    """Refuse a request that would queue more than ``MAX_JOBS_PER_REQUEST`` jobs."""
    if count > MAX_JOBS_PER_REQUEST:
        how_many = f"more than {MAX_JOBS_PER_REQUEST}" if missing else str(count)
        raise ValidationError(
            f"this would queue {how_many} jobs, at most {MAX_JOBS_PER_REQUEST} go at once: "
            "pick fewer checkpoints or eval sets"
        )


def submit(
    *,
    session: Session,
    checkpoint_ids: Sequence[int],
    eval_set_ids: Sequence[int],
    options: dict[str, Any] | None = None,
    created_by: str | None = None,
    queue: JobQueue | None = None,
) -> list[Submitted]:
    """Queue one job per checkpoint × eval set; an identical pending job is reused, not
    queued twice. Commits, then enqueues the new jobs."""
    runner = job_queue(queue)
    if not checkpoint_ids or not eval_set_ids:
        raise ValidationError("pick at least one checkpoint and one eval set")
    require_runnable(["worker"], what="an evaluation job")
    _check_job_count(len(set(checkpoint_ids)) * len(set(eval_set_ids)))
    options = checked_options(options)
    checkpoints = _load(session, Checkpoint, checkpoint_ids, "checkpoint")
    eval_sets = _load(session, EvalSet, eval_set_ids, "eval set")
    submitted = [
        _submit_one(session, checkpoint=c, eval_set=e, options=options, created_by=created_by)
        for c in checkpoints
        for e in eval_sets
    ]
    session.commit()
    enqueue(session=session, job_ids=[s.job.id for s in submitted if s.created], queue=runner)
    return submitted


def submit_missing(
    *,
    session: Session,
    checkpoint_ids: Sequence[int] | None = None,
    eval_set_ids: Sequence[int] | None = None,
    options: dict[str, Any] | None = None,
    created_by: str | None = None,
    queue: JobQueue | None = None,
    found: Runnability | None = None,
) -> list[Submitted]:
    """Queue jobs for the coverage grid's holes that can run (``runnable_pairs``): never one
    whose weights, dataset or extra is missing. ``found`` reuses a runnability already read."""
    runner = job_queue(queue)
    require_runnable(["worker"], what="an evaluation job")
    found = found or runnability(
        session=session, checkpoint_ids=checkpoint_ids, eval_set_ids=eval_set_ids
    )
    pairs = runnable_missing_pairs(session=session, found=found, limit=MAX_JOBS_PER_REQUEST + 1)
    _check_job_count(len(pairs), missing=True)
    submitted: list[Submitted] = []
    for checkpoint_id, eval_set_id in pairs:
        submitted += submit(
            session=session,
            checkpoint_ids=[checkpoint_id],
            eval_set_ids=[eval_set_id],
            options=options,
            created_by=created_by,
            queue=runner,
        )
    return submitted
