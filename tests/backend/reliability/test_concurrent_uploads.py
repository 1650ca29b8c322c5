"""Several clients uploading overlapping files at the same time to a live server on Postgres
(each request in its own thread and transaction):
every upload succeeds, and the tables hold each measurement, model and checkpoint once."""

from __future__ import annotations

import csv
import io
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import func, select

from backend import db
from backend.models import Checkpoint, Measurement, Model
from tests.backend.reliability.conftest import live_server

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

CLIENTS = 6
MODELS = [f"model-{i}" for i in range(8)]
STEPS = range(0, 2000, 100)
METRICS = ("loss", "acc")


def value(model: str, step: int, metric: str) -> float:
    """The one value every file states for a point (overlaps agree)."""
    return round(1.0 + MODELS.index(model) * 0.1 + step * 1e-4 + METRICS.index(metric), 6)


def client_file(k: int) -> bytes:
    """Client k's long CSV: half of the models, shifted by k, so files overlap pairwise."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["model", "revision", "step", "eval_set", "metric", "value"])
    for model in MODELS[k % 4 : k % 4 + 4]:
        for step in STEPS:
            for metric in METRICS:
                writer.writerow(
                    [model, f"step{step}", step, "val", metric, value(model, step, metric)]
                )
    return out.getvalue().encode()


def test_overlapping_concurrent_uploads_lose_and_duplicate_nothing(postgres_url, tmp_path):
    from tests.conftest import _empty_all_tables

    engine = db.get_engine(postgres_url)
    _empty_all_tables(engine)
    files = [client_file(k) for k in range(CLIENTS)]
    with live_server(postgres_url, tmp_path / "server.log") as base:

        def upload(k: int) -> httpx.Response:
            with httpx.Client(base_url=base, timeout=120) as client:
                return client.post(
                    "/api/uploads", files={"file": (f"client{k}.csv", files[k], "text/csv")}
                )

        with ThreadPoolExecutor(CLIENTS) as pool:
            responses = list(pool.map(upload, range(CLIENTS)))
    # 201, or 200 for a file whose every row another client stored first (it changes nothing).
    assert {r.status_code for r in responses} <= {200, 201}, [r.text for r in responses]
    assert 201 in {r.status_code for r in responses}

    expected = {
        (model, f"step{step}", metric): value(model, step, metric)
        for k in range(CLIENTS)
        for model in MODELS[k % 4 : k % 4 + 4]
        for step in STEPS
        for metric in METRICS
    }
    with db.session_scope(engine) as session:
        stored = session.execute(
            select(Model.name, Checkpoint.revision, Measurement.metric, Measurement.value)
            .join(Checkpoint, Measurement.checkpoint_id == Checkpoint.id)
            .join(Model, Checkpoint.model_id == Model.id)
        ).all()
        n_models = session.scalar(select(func.count()).select_from(Model))
        n_checkpoints = session.scalar(select(func.count()).select_from(Checkpoint))
    keys = [(m, r, metric) for m, r, metric, _ in stored]
    assert len(keys) == len(set(keys)) == len(expected)  # none lost, none twice
    assert {(m, r, metric): v for m, r, metric, v in stored} == pytest.approx(expected)
    models = {model for model, _, _ in expected}
    assert n_models == len(models) and n_checkpoints == len(models) * len(STEPS)
    created = sum(r.json()["counts"]["measurements"]["new"] for r in responses)
    assert created == len(expected)  # each row counted as new by exactly one upload
