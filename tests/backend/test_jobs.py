"""The jobs service on SQLite and Postgres: dedupe (also enforced by the database), the coverage
grid, cancel, retry, the claim/heartbeat/finish fencing, lost-heartbeat recovery, and results
written once when two runs of one job race."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from backend.config import get_settings
from backend.evaluation.results import ClassScore, EvaluationResult, MetricValue
from backend.exceptions import ConflictError, NotFoundError, ValidationError
from backend.models import Checkpoint, ConceptScore, EvalJob, EvalSet, Measurement, Model
from backend.queries import jobs as job_queries
from backend.services import job_lifecycle, jobs
from backend.services.eval_targets import EvalTarget
from backend.worker.queues import job_queue_from_settings
from backend.worker.results import write_results


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch, local_job_queue):
    """Jobs go nowhere (no broker, no local executor in this process): the row is the test."""
    monkeypatch.setenv("SCALESCOPE_BROKER_URL", "")
    monkeypatch.setenv("SCALESCOPE_JOB_HEARTBEAT_TIMEOUT_S", "60")
    monkeypatch.setenv("SCALESCOPE_JOB_MAX_ATTEMPTS", "2")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def grid(session):
    """Two checkpoints of one model, two benchmarks and a validation set."""
    model = Model(name="tiny-clip", architecture="tiny")
    session.add(model)
    session.flush()
    checkpoints = [Checkpoint(model_id=model.id, revision=f"step{i}", step=i) for i in (1, 2)]
    benchmarks = [
        EvalSet(name=f"bench-{c}", kind="benchmark", task="zero_shot_classification") for c in "ab"
    ]
    validation = EvalSet(name="captions", kind="validation")
    session.add_all([*checkpoints, *benchmarks, validation])
    session.commit()
    return checkpoints, benchmarks, validation


def _ids(rows):
    return [r.id for r in rows]


def test_submit_makes_one_job_per_pair_and_reuses_pending_twins(session, grid):
    checkpoints, benchmarks, validation = grid
    first = jobs.submit(
        session=session, checkpoint_ids=_ids(checkpoints), eval_set_ids=_ids(benchmarks)
    )
    assert len(first) == 4 and all(s.created for s in first)
    assert {(s.job.checkpoint_id, s.job.eval_set_id) for s in first} == {
        (c.id, b.id) for c in checkpoints for b in benchmarks
    }
    assert all(s.job.status == "queued" and s.job.kind == jobs.ZERO_SHOT for s in first)

    again = jobs.submit(
        session=session, checkpoint_ids=[checkpoints[0].id], eval_set_ids=_ids(benchmarks)
    )
    assert [s.created for s in again] == [False, False]
    assert {s.job.id for s in again} <= {s.job.id for s in first}
    assert session.scalar(select(func.count()).select_from(EvalJob)) == 4

    other = jobs.submit(
        session=session,
        checkpoint_ids=[checkpoints[0].id],
        eval_set_ids=[benchmarks[0].id],
        options={"batch_size": 8},
    )
    assert other[0].created
    loss = jobs.submit(
        session=session, checkpoint_ids=[checkpoints[0].id], eval_set_ids=[validation.id]
    )
    assert loss[0].job.kind == jobs.CONTRASTIVE


def test_database_refuses_a_second_pending_job_with_the_same_key(session, grid):
    checkpoints, benchmarks, _ = grid
    (done,) = jobs.submit(
        session=session, checkpoint_ids=[checkpoints[0].id], eval_set_ids=[benchmarks[0].id]
    )
    row = {"kind": done.job.kind, "spec": done.job.spec, "dedupe_key": done.job.dedupe_key}
    with pytest.raises(IntegrityError):
        session.execute(insert(EvalJob).values(**row))
        session.flush()
    session.rollback()
    # Once the first is finished, an identical job may be queued again.
    session.execute(update(EvalJob).values(status="succeeded"))
    session.commit()
    (fresh,) = jobs.submit(
        session=session, checkpoint_ids=[checkpoints[0].id], eval_set_ids=[benchmarks[0].id]
    )
    assert fresh.created and fresh.job.id != done.job.id


def test_submit_refuses_unknown_ids_and_empty_picks(session, grid):
    checkpoints, benchmarks, _ = grid
    with pytest.raises(NotFoundError, match="checkpoint with id 999"):
        jobs.submit(session=session, checkpoint_ids=[999], eval_set_ids=[benchmarks[0].id])
    with pytest.raises(ValidationError):
        jobs.submit(session=session, checkpoint_ids=[checkpoints[0].id], eval_set_ids=[])
    with pytest.raises(ValidationError, match="batchsize"):
        jobs.submit(
            session=session,
            checkpoint_ids=[checkpoints[0].id],
            eval_set_ids=[benchmarks[0].id],
            options={"batchsize": 8},
        )
    assert session.scalar(select(func.count()).select_from(EvalJob)) == 0


@pytest.mark.usefixtures("every_pair_runnable")
def test_submit_missing_launches_only_the_holes_of_the_coverage_grid(session, grid):
    checkpoints, benchmarks, _ = grid
    session.add(
        Measurement(
            checkpoint_id=checkpoints[0].id, eval_set_id=benchmarks[0].id, metric="top1", value=0.5
        )
    )
    session.commit()
    jobs.submit(
        session=session, checkpoint_ids=[checkpoints[1].id], eval_set_ids=[benchmarks[0].id]
    )
    holes = job_queries.missing_pairs(session=session)
    assert holes == [(checkpoints[0].id, benchmarks[1].id), (checkpoints[1].id, benchmarks[1].id)]
    launched = jobs.submit_missing(session=session)
    assert [(s.job.checkpoint_id, s.job.eval_set_id) for s in launched] == holes
    assert job_queries.missing_pairs(session=session) == []
    assert jobs.submit_missing(session=session) == []


def test_cancel_queued_running_and_finished(session, grid):
    checkpoints, benchmarks, _ = grid
    a, b = (
        s.job
        for s in jobs.submit(
            session=session, checkpoint_ids=[checkpoints[0].id], eval_set_ids=_ids(benchmarks)
        )
    )
    assert job_lifecycle.cancel(session=session, job_id=a.id).status == "cancelled"
    assert job_lifecycle.claim(session=session, job_id=a.id, worker="w") is None  # never runs

    attempt = job_lifecycle.claim(session=session, job_id=b.id, worker="w")
    assert attempt == 1
    running = job_lifecycle.cancel(session=session, job_id=b.id)
    assert running.status == "running" and running.cancel_requested
    assert job_lifecycle.heartbeat(session=session, job_id=b.id, attempt=attempt) is True
    assert job_lifecycle.finish(session=session, job_id=b.id, attempt=attempt, status="cancelled")
    session.commit()
    with pytest.raises(ConflictError, match="already cancelled"):
        job_lifecycle.cancel(session=session, job_id=b.id)


def test_retry_requeues_a_failed_job_with_fresh_attempts(session, grid):
    checkpoints, benchmarks, _ = grid
    (s,) = jobs.submit(
        session=session, checkpoint_ids=[checkpoints[0].id], eval_set_ids=[benchmarks[0].id]
    )
    with pytest.raises(ConflictError, match="only failed or cancelled"):
        job_lifecycle.retry(session=session, job_id=s.job.id)
    attempt = job_lifecycle.claim(session=session, job_id=s.job.id, worker="w")
    job_lifecycle.finish(
        session=session, job_id=s.job.id, attempt=attempt, status="failed", error="boom"
    )
    session.commit()
    job = job_lifecycle.retry(session=session, job_id=s.job.id)
    assert (job.status, job.attempts, job.error, job.progress) == ("queued", 0, None, 0.0)
    assert "retried" in job.log_tail
    assert job_lifecycle.claim(session=session, job_id=job.id, worker="w2") == 1


def test_fencing_a_stale_run_cannot_touch_the_job_after_a_takeover(session, grid):
    checkpoints, benchmarks, _ = grid
    (s,) = jobs.submit(
        session=session, checkpoint_ids=[checkpoints[0].id], eval_set_ids=[benchmarks[0].id]
    )
    job_id = s.job.id
    first = job_lifecycle.claim(session=session, job_id=job_id, worker="a")
    assert (
        job_lifecycle.claim(session=session, job_id=job_id, worker="b") is None
    )  # alive: not taken
    _age_heartbeat(session, job_id, seconds=120)
    second = job_lifecycle.claim(session=session, job_id=job_id, worker="b")
    assert (first, second) == (1, 2)
    assert (
        job_lifecycle.heartbeat(session=session, job_id=job_id, attempt=first, progress=0.5) is None
    )
    assert not job_lifecycle.finish(
        session=session, job_id=job_id, attempt=first, status="succeeded"
    )
    assert (
        job_lifecycle.heartbeat(session=session, job_id=job_id, attempt=second, progress=0.25)
        is False
    )
    session.commit()
    job = session.get(EvalJob, job_id)
    session.refresh(job)
    assert (job.worker, job.progress) == ("b", 0.25)


def test_lost_heartbeat_requeues_then_fails_with_a_reason(session, grid):
    checkpoints, benchmarks, _ = grid
    (s,) = jobs.submit(
        session=session, checkpoint_ids=[checkpoints[0].id], eval_set_ids=[benchmarks[0].id]
    )
    job_id = s.job.id
    job_lifecycle.claim(session=session, job_id=job_id, worker="dead-1")
    assert job_lifecycle.recover_lost_jobs(session=session) == {}  # heartbeat is fresh
    _age_heartbeat(session, job_id, seconds=61)
    assert job_lifecycle.recover_lost_jobs(session=session) == {job_id: "queued"}
    job = session.get(EvalJob, job_id)
    session.refresh(job)
    assert "dead-1 sent no heartbeat" in job.message and job.attempts == 1

    job_lifecycle.claim(session=session, job_id=job_id, worker="dead-2")
    _age_heartbeat(session, job_id, seconds=90)
    assert job_lifecycle.recover_lost_jobs(session=session) == {job_id: "failed"}
    session.refresh(job)
    assert job.status == "failed" and job.finished_at is not None
    assert "dead-2 sent no heartbeat" in job.error and "2 attempts" in job.error


def test_results_are_written_once_when_two_runs_race(session, grid):
    checkpoints, benchmarks, _ = grid
    (s,) = jobs.submit(
        session=session, checkpoint_ids=[checkpoints[0].id], eval_set_ids=[benchmarks[0].id]
    )
    job_id = s.job.id
    stale = job_lifecycle.claim(session=session, job_id=job_id, worker="a")
    _age_heartbeat(session, job_id, seconds=120)
    current = job_lifecycle.claim(session=session, job_id=job_id, worker="b")
    target = EvalTarget(
        job_id=job_id, model_name="tiny-clip", revision="step1", eval_set_name="bench-a", spec={}
    )
    result = EvaluationResult(
        task=jobs.ZERO_SHOT,
        dataset="bench-a",
        metrics=(MetricValue("top1", 0.75, 8), MetricValue("top5", 1.0, 8)),
        per_class=(ClassScore("cat", 1.0, 4), ClassScore("dog", 0.5, 4)),
        n_samples=8,
    )
    for attempt in (current, stale, current):
        write_results(session=session, target=target, result=result)
        if job_lifecycle.finish(
            session=session, job_id=job_id, attempt=attempt, status="succeeded", result={"a": 1}
        ):
            session.commit()
        else:
            session.rollback()
    rows = session.execute(select(Measurement.metric, Measurement.value, Measurement.job_id))
    assert sorted(rows) == [("top1", 0.75, job_id), ("top5", 1.0, job_id)]
    scores = session.scalars(select(ConceptScore.concept).order_by(ConceptScore.concept)).all()
    assert scores == ["cat", "dog"]
    job = session.get(EvalJob, job_id)
    session.refresh(job)
    assert (job.status, job.attempts, job.progress) == ("succeeded", 2, 1.0)


def test_list_and_count(session, grid):
    checkpoints, benchmarks, _ = grid
    submitted = jobs.submit(
        session=session, checkpoint_ids=_ids(checkpoints), eval_set_ids=[benchmarks[0].id]
    )
    job_lifecycle.cancel(session=session, job_id=submitted[0].job.id)
    assert [j.id for j in job_queries.list_jobs(session=session)] == [
        submitted[1].job.id,
        submitted[0].job.id,
    ]
    assert [j.id for j in job_queries.list_jobs(session=session, statuses=["cancelled"])] == [
        submitted[0].job.id
    ]
    counts = job_queries.count_by_status(session=session)
    assert (counts["queued"], counts["cancelled"], counts["failed"]) == (1, 1, 0)
    with pytest.raises(ValidationError):
        job_queries.list_jobs(session=session, statuses=["bogus"])


def _age_heartbeat(session, job_id: int, *, seconds: float) -> None:
    old = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=seconds)
    session.execute(update(EvalJob).where(EvalJob.id == job_id).values(heartbeat_at=old))
    session.commit()


def test_a_job_the_broker_cannot_take_waits_queued_for_the_recovery(session, grid, monkeypatch):
    checkpoints, benchmarks, _ = grid
    monkeypatch.setenv("SCALESCOPE_BROKER_URL", "redis://127.0.0.1:1/0")  # nothing listens
    get_settings.cache_clear()
    (s,) = jobs.submit(
        session=session,
        checkpoint_ids=[checkpoints[0].id],
        eval_set_ids=[benchmarks[0].id],
        queue=job_queue_from_settings(),
    )
    job = session.get(EvalJob, s.job.id)
    session.refresh(job)
    assert job.status == "queued" and job.task_id is None
    assert job.message.startswith("waiting for the queue")
