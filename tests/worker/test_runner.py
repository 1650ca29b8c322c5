"""``run_job`` in this process on SQLite and Postgres with the real tiny open_clip evaluation:
results land once (a second run of the same job does nothing), contrastive loss, fail-fast on
missing or forbidden paths, and a cancel that stops a running evaluation."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import pytest
from sqlalchemy import func, select

from backend.config import get_settings
from backend.exceptions import ValidationError
from backend.models import ConceptScore, EvalSet, Measurement, Upload
from backend.services import job_lifecycle, jobs
from backend.worker.runner import run_job
from tests.worker.conftest import N_CLASSES, job_row, seed_tiny, wait_for

pytestmark = [pytest.mark.worker]


@pytest.fixture
def rows(session, tiny_assets, monkeypatch, local_job_queue):
    monkeypatch.setenv("SCALESCOPE_BROKER_URL", "")
    monkeypatch.setenv("SCALESCOPE_JOB_HEARTBEAT_TIMEOUT_S", "1")
    monkeypatch.setenv("SCALESCOPE_WORKER_ROOTS", json.dumps([str(tiny_assets.root)]))
    get_settings.cache_clear()
    yield seed_tiny(session, tiny_assets)
    get_settings.cache_clear()


def _submit(session, checkpoint_id, eval_set_id, **options) -> int:
    (submitted,) = jobs.submit(
        session=session,
        checkpoint_ids=[checkpoint_id],
        eval_set_ids=[eval_set_id],
        options={"device": "cpu", "num_workers": 0, **options},
    )
    return submitted.job.id


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_zero_shot_job_writes_its_results_once(session, engine, rows):
    job_id = _submit(session, rows.checkpoint_id, rows.folder_id)
    assert run_job(job_id, engine=engine) == "succeeded"
    job = job_row(engine, job_id)
    assert (job.status, job.progress, job.attempts, job.error) == ("succeeded", 1.0, 1, None)
    assert "attempt 1" in job.log_tail and "wrote upload" in job.log_tail
    values = dict(
        session.execute(
            select(Measurement.metric, Measurement.value).where(Measurement.job_id == job_id)
        ).all()
    )
    assert set(values) == {"top1", "top5", "mean_per_class_recall"}
    assert values["top1"] > 2 / N_CLASSES  # trained: well above chance (1/8)
    assert job.result["metrics"]["top1"] == pytest.approx(values["top1"])
    assert _count(session, ConceptScore) == N_CLASSES

    assert run_job(job_id, engine=engine) == "skipped"  # delivered twice: nothing happens
    assert _count(session, Measurement) == 3 and _count(session, Upload) == 1
    assert job_row(engine, job_id).attempts == 1


def test_contrastive_loss_job(session, engine, rows):
    job_id = _submit(session, rows.checkpoint_id, rows.captions_id)
    assert job_row(engine, job_id).kind == jobs.CONTRASTIVE
    assert run_job(job_id, engine=engine) == "succeeded"
    (loss,) = session.scalars(select(Measurement).where(Measurement.job_id == job_id)).all()
    assert loss.metric == "contrastive_loss" and loss.value > 0 and loss.n == 48


def test_missing_data_fails_fast_with_a_clear_error(session, engine, rows):
    job_id = _submit(session, rows.checkpoint_id, rows.missing_id)
    assert run_job(job_id, engine=engine) == "failed"
    job = job_row(engine, job_id)
    assert job.status == "failed" and "nowhere" in job.error
    assert _count(session, Measurement) == 0


def test_paths_outside_the_worker_roots_are_refused(session, engine, rows, monkeypatch, tmp_path):
    """Refused at submit, and by the worker for a job queued before the roots changed."""
    job_id = _submit(session, rows.checkpoint_id, rows.folder_id)
    monkeypatch.setenv("SCALESCOPE_WORKER_ROOTS", json.dumps([str(tmp_path)]))
    get_settings.cache_clear()
    with pytest.raises(ValidationError, match="outside the worker roots"):
        _submit(session, rows.checkpoint_id, rows.folder_id, batch_size=3)
    assert run_job(job_id, engine=engine) == "failed"
    assert "outside the worker roots" in job_row(engine, job_id).error


def test_csv_rows_naming_images_outside_the_worker_roots_are_refused(
    session, engine, rows, tiny_assets, tmp_path
):
    """The CSV lies under the root; one of its rows names an image elsewhere."""
    outside = tmp_path / "outside.png"
    inside = tiny_assets.small.folder / tiny_assets.small.classnames[0] / "000.png"
    outside.write_bytes(inside.read_bytes())
    listing = tiny_assets.root / f"escape-{tmp_path.name}.csv"
    listing.write_text(f"image,label\n{inside},red\n{outside},red\n")
    eval_set = EvalSet(name="escape", attributes={"path": str(listing), "format": "csv"})
    session.add(eval_set)
    session.commit()
    job_id = _submit(session, rows.checkpoint_id, eval_set.id)
    assert run_job(job_id, engine=engine) == "failed"
    error = job_row(engine, job_id).error
    assert "1 files lie outside the worker roots" in error and "outside.png" in error
    assert _count(session, Measurement) == 0


def test_cancel_stops_a_running_evaluation(session, engine, rows):
    job_id = _submit(session, rows.checkpoint_id, rows.large_id, batch_size=1)
    outcome = {}
    runner = threading.Thread(target=lambda: outcome.update(r=run_job(job_id, engine=engine)))
    runner.start()
    wait_for(lambda: job_row(engine, job_id).progress > 0, timeout=60, what="progress")
    job_lifecycle.cancel(session=session, job_id=job_id)
    runner.join(timeout=60)
    assert outcome == {"r": "cancelled"}
    job = job_row(engine, job_id)
    assert job.status == "cancelled" and job.progress < 1
    assert _count(session, Measurement) == 0


def test_a_job_whose_pool_process_died_is_taken_over_by_its_node_at_once(session, engine, rows):
    job_id = _submit(session, rows.checkpoint_id, rows.folder_id)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    job_lifecycle.claim(session=session, job_id=job_id, worker=f"gpu1@host:{dead.pid}")
    # Another node cannot know that process is gone: it waits for the heartbeat timeout.
    assert run_job(job_id, engine=engine, worker_name=f"gpu2@host:{os.getpid()}") == "skipped"
    assert run_job(job_id, engine=engine, worker_name=f"gpu1@host:{os.getpid()}") == "succeeded"
    job = job_row(engine, job_id)
    assert job.attempts == 2 and job.worker == f"gpu1@host:{os.getpid()}"
