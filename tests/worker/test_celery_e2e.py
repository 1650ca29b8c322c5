"""End to end through Celery: the real local Redis, real worker processes (``scalescope
worker``) and Postgres. Jobs are submitted through the API, run the tiny open_clip evaluation
and land as measurements; a worker killed with SIGKILL mid-job loses nothing (the job is taken
up by a new worker, never left running); a cancel reaches a running job."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid

import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.main import create_app
from backend import db
from backend.config import get_settings
from backend.models import Measurement, Upload
from tests.worker.conftest import (
    N_CLASSES,
    editor_headers,
    job_row,
    seed_tiny,
    wait_for_status,
    worker_env,
)

pytestmark = [
    pytest.mark.worker,
    pytest.mark.slow,
    pytest.mark.postgres,
]

REDIS_URL = os.environ.get("SCALESCOPE_TEST_REDIS_URL", "redis://127.0.0.1:6379/11")
HEARTBEAT_TIMEOUT_S = "4"


def _redis_or_skip() -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"Redis at {REDIS_URL} is unreachable: {exc}")
        pytest.skip(f"Redis at {REDIS_URL} is unreachable: {exc}")


class Workers:
    """Starts ``scalescope worker`` processes (each in its own process group) and kills them."""

    def __init__(self, env: dict[str, str], logs):
        self.env, self.logs, self.procs = env, logs, []

    def start(self, name: str) -> subprocess.Popen:
        with open(self.logs / f"{name}.log", "w") as log:  # the child keeps its own descriptor
            proc = self._popen(name, log)
        self.procs.append(proc)
        return proc

    def _popen(self, name: str, log) -> subprocess.Popen:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "backend.cli",
                "worker",
                "--concurrency=1",
                f"--hostname={name}-{uuid.uuid4().hex[:6]}@%h",
                "--loglevel=INFO",
            ],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self, proc: subprocess.Popen) -> None:
        """SIGKILL the worker and its pool process (the whole group), like a lost machine."""
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)

    def stop_all(self) -> None:
        """Ask every worker still running to shut down (SIGTERM), then make sure."""
        alive = [p for p in self.procs if p.poll() is None]
        for proc in alive:
            os.killpg(proc.pid, signal.SIGTERM)
        for proc in alive:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


@pytest.fixture
def stack(postgres_url, tiny_assets, tmp_path, monkeypatch):
    """Settings of this test (its own queue), an API client, and a worker starter."""
    _redis_or_skip()
    settings = {
        "database_url": postgres_url,
        "broker_url": REDIS_URL,
        "job_queue": f"gpu-test-{uuid.uuid4().hex[:10]}",
        "job_heartbeat_timeout_s": HEARTBEAT_TIMEOUT_S,
        "worker_roots": json.dumps([str(tiny_assets.root)]),
    }
    for key, value in settings.items():
        monkeypatch.setenv(f"SCALESCOPE_{key.upper()}", value)
    get_settings.cache_clear()
    engine = db.get_engine(postgres_url)
    from tests.conftest import _empty_all_tables

    _empty_all_tables(engine)
    with db.session_scope(engine) as session:
        rows = seed_tiny(session, tiny_assets)
        headers = editor_headers(session)
    workers = Workers(worker_env(**settings), tmp_path)
    client = TestClient(create_app(postgres_url, dashboard=False), headers=headers)
    yield client, engine, rows, workers
    workers.stop_all()
    redis.Redis.from_url(REDIS_URL).delete(settings["job_queue"])
    get_settings.cache_clear()


def _launch(client, rows, eval_set_id, **options) -> int:
    body = {
        "checkpoint_ids": [rows.checkpoint_id],
        "eval_set_ids": [eval_set_id],
        "options": {"device": "cpu", "num_workers": 0, **options},
    }
    response = client.post("/api/jobs", json=body)
    assert response.status_code == 201, response.text
    (submitted,) = response.json()
    assert submitted["created"] and submitted["job"]["status"] == "queued"
    return submitted["job"]["id"]


def _count(engine, model, **where) -> int:
    with db.session_scope(engine) as session:
        query = select(func.count()).select_from(model)
        for key, value in where.items():
            query = query.where(getattr(model, key) == value)
        return session.scalar(query)


def test_killed_worker_loses_nothing_and_jobs_land_as_measurements(stack):
    client, engine, rows, workers = stack
    pool = {name: workers.start(name) for name in ("alpha", "beta")}
    job_id = _launch(client, rows, rows.folder_id, batch_size=2)
    running = wait_for_status(engine, job_id, "running", timeout=180)
    doomed = running.worker.split("-", 1)[0]
    (survivor,) = set(pool) - {doomed}
    workers.kill(pool[doomed])  # SIGKILL mid-job: no ack, no status change, no goodbye
    assert job_row(engine, job_id).status == "running"  # nobody has noticed yet

    done = wait_for_status(engine, job_id, ("succeeded", "failed"), timeout=120)
    assert done.status == "succeeded", done.error
    assert done.attempts == 2 and done.worker.startswith(survivor)
    assert f"worker {running.worker} sent no heartbeat" in done.log_tail
    shown = client.get(f"/api/jobs/{job_id}").json()
    assert shown["status"] == "succeeded" and shown["progress"] == 1.0
    assert shown["result"]["metrics"]["top1"] > 2 / N_CLASSES
    assert _count(engine, Measurement, job_id=job_id) == 3
    # Where the explorers read them: the measurements API.
    page = client.get("/api/measurements", params={"eval_set": "synthetic-colors"}).json()
    assert {m["metric"] for m in page["items"]} == {"top1", "top5", "mean_per_class_recall"}
    assert _count(engine, Upload, source="job") == 1  # written once

    loss_job = _launch(client, rows, rows.captions_id)
    assert wait_for_status(engine, loss_job, ("succeeded", "failed"), timeout=90).status == (
        "succeeded"
    )
    with db.session_scope(engine) as session:
        metric = session.scalar(select(Measurement.metric).where(Measurement.job_id == loss_job))
    assert metric == "contrastive_loss"

    slow = _launch(client, rows, rows.large_id, batch_size=1)
    wait_for_status(engine, slow, "running", timeout=90)
    assert client.post(f"/api/jobs/{slow}/cancel").status_code == 200
    cancelled = wait_for_status(engine, slow, ("cancelled", "succeeded", "failed"), timeout=60)
    assert cancelled.status == "cancelled", cancelled.message
    assert _count(engine, Measurement, job_id=slow) == 0
