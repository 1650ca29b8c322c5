"""The jobs API on SQLite and Postgres: launch (deduplicated), the coverage grid's holes, list
with counts, one job with names, cancel and retry, and the error codes."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from backend.config import get_settings
from backend.models import Checkpoint, EvalSet, Measurement, Model
from backend.services import job_lifecycle, jobs
from tests.worker.conftest import editor_headers

DATA = str(Path(tempfile.gettempdir()) / "benchmark")  # under the tests' worker roots


@pytest.fixture
def client(db_url, session, monkeypatch) -> TestClient:
    """The API alone as an editor; no broker, no local executor: jobs stay queued."""
    monkeypatch.setenv("SCALESCOPE_BROKER_URL", "")
    monkeypatch.setenv("SCALESCOPE_LOCAL_EXECUTOR_WORKERS", "0")
    get_settings.cache_clear()
    yield TestClient(create_app(db_url, dashboard=False), headers=editor_headers(session))
    get_settings.cache_clear()


@pytest.fixture
def ids(session):
    model = Model(name="tiny-clip", architecture="tiny")
    session.add(model)
    session.flush()
    checkpoints = [Checkpoint(model_id=model.id, revision=r) for r in ("step1", "step2")]
    benchmarks = [EvalSet(name=n, kind="benchmark", attributes={"path": DATA}) for n in "ab"]
    session.add_all([*checkpoints, *benchmarks])
    session.flush()
    session.add(
        Measurement(
            checkpoint_id=checkpoints[0].id, eval_set_id=benchmarks[0].id, metric="top1", value=1
        )
    )
    session.commit()
    return [c.id for c in checkpoints], [e.id for e in benchmarks]


def test_launch_list_show_cancel_retry(client, ids, session):
    checkpoint_ids, eval_set_ids = ids
    body = {"checkpoint_ids": checkpoint_ids, "eval_set_ids": eval_set_ids[:1]}
    response = client.post("/api/jobs", json=body)
    assert response.status_code == 201, response.text
    launched = response.json()
    assert [s["created"] for s in launched] == [True, True]
    assert {s["job"]["revision"] for s in launched} == {"step1", "step2"}
    assert all(s["job"]["eval_set_name"] == "a" for s in launched)
    again = client.post("/api/jobs", json=body).json()
    assert [s["created"] for s in again] == [False, False]
    assert [s["job"]["id"] for s in again] == [s["job"]["id"] for s in launched]

    listing = client.get("/api/jobs", params={"status": "queued"}).json()
    assert len(listing["items"]) == 2 and listing["counts"]["queued"] == 2
    job_id = launched[0]["job"]["id"]
    shown = client.get(f"/api/jobs/{job_id}").json()
    assert (shown["model_name"], shown["status"], shown["progress"]) == ("tiny-clip", "queued", 0)

    cancelled = client.post(f"/api/jobs/{job_id}/cancel").json()
    assert cancelled["status"] == "cancelled"
    assert client.post(f"/api/jobs/{job_id}/cancel").status_code == 409
    retried = client.post(f"/api/jobs/{job_id}/retry").json()
    assert (retried["status"], retried["attempts"]) == ("queued", 0)
    assert client.post(f"/api/jobs/{job_id}/retry").status_code == 409


@pytest.mark.usefixtures("every_pair_runnable")
def test_missing_launches_only_the_holes(client, ids):
    checkpoint_ids, eval_set_ids = ids
    response = client.post("/api/jobs/missing", json={})
    assert response.status_code == 201, response.text
    pairs = {(s["job"]["checkpoint_id"], s["job"]["eval_set_id"]) for s in response.json()}
    measured = (checkpoint_ids[0], eval_set_ids[0])
    assert measured not in pairs and len(pairs) == 3
    assert client.post("/api/jobs/missing", json={}).json() == []


def test_errors(client, ids, session):
    checkpoint_ids, eval_set_ids = ids
    assert client.get("/api/jobs/12345").status_code == 404
    missing = client.post("/api/jobs", json={"checkpoint_ids": [999], "eval_set_ids": [1]})
    assert missing.status_code == 404 and "999" in missing.json()["detail"]
    empty = client.post("/api/jobs", json={"checkpoint_ids": [], "eval_set_ids": eval_set_ids})
    assert empty.status_code == 422
    assert client.get("/api/jobs", params={"status": "bogus"}).status_code == 422
    (submitted,) = jobs.submit(
        session=session, checkpoint_ids=checkpoint_ids[:1], eval_set_ids=eval_set_ids[:1]
    )
    job_lifecycle.claim(session=session, job_id=submitted.job.id, worker="w")
    running = client.post(f"/api/jobs/{submitted.job.id}/cancel").json()
    assert running["status"] == "running" and running["cancel_requested"] is True
