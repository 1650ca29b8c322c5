"""The embedded default on SQLite: no broker; the web app's own local executor takes jobs
submitted through the API and runs them in spawned processes through the same
``run_job``. A cancel stops a running job; a pool process killed mid-job is replaced and the
job is taken up again after its heartbeat goes silent."""

from __future__ import annotations

import json
import os
import signal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.main import create_app
from backend import db
from backend.config import get_settings
from backend.models import Measurement
from tests.conftest import _empty_all_tables
from tests.worker.conftest import (
    N_CLASSES,
    editor_headers,
    job_row,
    seed_tiny,
    wait_for,
    wait_for_status,
)

pytestmark = [pytest.mark.worker, pytest.mark.slow]


@pytest.fixture
def local_stack(sqlite_url, tiny_assets, monkeypatch):
    settings = {
        "database_url": sqlite_url,
        "broker_url": "",
        "job_heartbeat_timeout_s": "5",  # a loaded machine can delay a heartbeat by 2 s
        "worker_roots": json.dumps([str(tiny_assets.root)]),
    }
    for key, value in settings.items():
        monkeypatch.setenv(f"SCALESCOPE_{key.upper()}", value)
    monkeypatch.setenv("SCALESCOPE_LOCAL_EXECUTOR_WORKERS", "1")
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    get_settings.cache_clear()
    engine = db.get_engine(sqlite_url)
    _empty_all_tables(engine)
    with db.session_scope(engine) as session:
        rows = seed_tiny(session, tiny_assets)
        headers = editor_headers(session)
    # As in the web process: the app's lifespan starts the executor (no broker configured).
    with TestClient(create_app(sqlite_url, dashboard=False), headers=headers) as client:
        yield client, engine, rows
    get_settings.cache_clear()


def _launch(client, rows, eval_set_id, **options) -> int:
    body = {
        "checkpoint_ids": [rows.checkpoint_id],
        "eval_set_ids": [eval_set_id],
        "options": {"device": "cpu", "num_workers": 0, **options},
    }
    response = client.post("/api/jobs", json=body)
    assert response.status_code == 201, response.text
    return response.json()[0]["job"]["id"]


def _measurements(engine, job_id) -> int:
    with db.session_scope(engine) as session:
        return session.scalar(
            select(func.count()).select_from(Measurement).where(Measurement.job_id == job_id)
        )


def test_local_executor_runs_cancels_and_recovers_jobs(local_stack):
    client, engine, rows = local_stack
    job_id = _launch(client, rows, rows.folder_id)
    done = wait_for_status(engine, job_id, ("succeeded", "failed"), timeout=180)
    assert done.status == "succeeded", done.error
    assert int(done.worker.rsplit(":", 1)[1]) != os.getpid()  # ran in a pool process
    assert done.result["metrics"]["top1"] > 2 / N_CLASSES and _measurements(engine, job_id) == 3

    slow = _launch(client, rows, rows.large_id, batch_size=1)
    wait_for(lambda: job_row(engine, slow).progress > 0, timeout=60, what="progress")
    assert client.post(f"/api/jobs/{slow}/cancel").status_code == 200
    assert wait_for_status(engine, slow, ("cancelled", "succeeded"), timeout=60).status == (
        "cancelled"
    )

    victim = _launch(client, rows, rows.large_id, batch_size=2)
    running = wait_for_status(engine, victim, "running", timeout=60)
    os.kill(int(running.worker.rsplit(":", 1)[1]), signal.SIGKILL)
    recovered = wait_for_status(engine, victim, ("succeeded", "failed"), timeout=300)
    assert recovered.status == "succeeded", recovered.error
    assert recovered.attempts == 2 and "sent no heartbeat" in recovered.log_tail
    assert _measurements(engine, victim) == 3
