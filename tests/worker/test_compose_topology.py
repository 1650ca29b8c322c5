"""The compose topology from plain processes, through the same entry points the containers
run: a fresh Postgres database brought to head by ``scalescope db upgrade`` (the migrate
service), ``scalescope serve`` (web, a private instance) and ``scalescope worker`` (the GPU
worker, here on CPU) as subprocesses, Redis as the broker. A job submitted over HTTP with an
editor's token runs the tiny model and its measurements come back through the API."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest
import redis
from sqlalchemy import text

from backend import db
from tests.backend.reliability.conftest import free_port, wait_until_answers
from tests.conftest import PG_ADMIN_URL
from tests.worker.conftest import N_CLASSES, editor_headers, seed_tiny, wait_for, worker_env
from tests.worker.test_celery_e2e import REDIS_URL, _redis_or_skip

pytestmark = [pytest.mark.worker, pytest.mark.slow, pytest.mark.postgres]

SCALESCOPE = shutil.which("scalescope") or str(Path(sys.executable).parent / "scalescope")


@pytest.fixture
def fresh_database():
    """An empty Postgres database (no tables): ``db upgrade`` must create them."""
    name = f"scalescope_compose_{uuid.uuid4().hex[:8]}"
    admin = db.make_engine(PG_ADMIN_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    db.get_engine.cache_clear()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("w") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [SCALESCOPE, *args],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()


def test_compose_topology_from_plain_processes(fresh_database, tiny_assets, tmp_path):
    _redis_or_skip()
    port = free_port()
    queue = f"gpu-compose-{uuid.uuid4().hex[:8]}"
    env = worker_env(
        database_url=fresh_database,
        broker_url=REDIS_URL,
        job_queue=queue,
        worker_roots=json.dumps([str(tiny_assets.root)]),
        access="private",
        secret_key=secrets.token_urlsafe(32),
        data_dir=str(tmp_path / "data"),
    )
    migrate = subprocess.run(
        [SCALESCOPE, "db", "upgrade"], env=env, capture_output=True, text=True, timeout=120
    )
    assert migrate.returncode == 0, migrate.stderr
    engine = db.get_engine(fresh_database)
    assert db.current_revision(engine) == db.head_revision()
    with db.session_scope(engine) as session:
        rows = seed_tiny(session, tiny_assets)
        headers = editor_headers(session)

    web = _start(["serve", "--host", "127.0.0.1", "--port", str(port)], env, tmp_path / "web.log")
    worker = _start(["worker", "--concurrency", "1"], env, tmp_path / "worker.log")
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_answers(f"{base}/api/health")
        with httpx.Client(base_url=base, timeout=30) as client:
            assert client.get("/api/health").json()["status"] == "ok"
            assert client.get("/api/models").status_code == 401  # private: reading needs a login
            client.headers.update(headers)
            body = {
                "checkpoint_ids": [rows.checkpoint_id],
                "eval_set_ids": [rows.folder_id],
                "options": {"device": "cpu", "num_workers": 0},
            }
            submitted = client.post("/api/jobs", json=body)
            assert submitted.status_code == 201, submitted.text
            job_id = submitted.json()[0]["job"]["id"]

            def finished():
                job = client.get(f"/api/jobs/{job_id}").json()
                return job if job["status"] in ("succeeded", "failed", "cancelled") else None

            job = wait_for(finished, timeout=240, what=f"job {job_id} to finish", step=0.5)
            assert job["status"] == "succeeded", (job["error"], job["log_tail"][-2000:])
            assert job["result"]["metrics"]["top1"] > 2 / N_CLASSES
            page = client.get("/api/measurements", params={"eval_set": "synthetic-colors"}).json()
            assert {m["metric"] for m in page["items"]} == {"top1", "top5", "mean_per_class_recall"}
            assert {m["model"] for m in page["items"]} == {"tiny-clip"}
    finally:
        _stop(worker)
        _stop(web)
        redis.Redis.from_url(REDIS_URL).delete(queue)
