"""The corpus API on SQLite and Postgres: queue a counting job, read stored similarities."""

from __future__ import annotations

import tempfile

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from backend.config import get_settings
from backend.corpus.similarity import SimilarityResult
from backend.corpus.store import store_similarity
from tests.worker.conftest import editor_headers


@pytest.fixture
def client(db_url, session, monkeypatch) -> TestClient:
    """The API alone as an editor; no broker, no local executor: jobs stay queued."""
    monkeypatch.setenv("SCALESCOPE_BROKER_URL", "")
    monkeypatch.setenv("SCALESCOPE_LOCAL_EXECUTOR_WORKERS", "0")
    get_settings.cache_clear()
    yield TestClient(create_app(db_url, dashboard=False), headers=editor_headers(session))
    get_settings.cache_clear()


def test_submit_a_counting_job_once(client):
    body = {
        "kind": "corpus_concept_counts",
        "spec": {
            "corpus": "laion-mini",
            "sources": [f"{tempfile.gettempdir()}/*.parquet"],
            "min_count": 10,
        },
    }
    first = client.post("/api/corpus/jobs", json=body)
    assert first.status_code == 201, first.text
    job = first.json()["job"]
    assert (job["kind"], job["status"], first.json()["created"]) == (
        "corpus_concept_counts",
        "queued",
        True,
    )
    again = client.post("/api/corpus/jobs", json=body).json()
    assert again["job"]["id"] == job["id"] and again["created"] is False
    bad = client.post("/api/corpus/jobs", json={**body, "spec": {"corpus": "x", "sources": ["a"]}})
    assert bad.status_code == 422 and "exactly one vocabulary" in bad.text


def test_read_similarities(client, session):
    result = SimilarityResult(
        similarity=np.array([0.8, 0.6], dtype=np.float32),
        nearest_ids=np.array([[5], [7]]),
        nearest_similarity=np.array([[0.8], [0.6]]),
        n_corpus=10,
        method="exact",
    )
    store_similarity(
        session=session,
        corpus="c",
        eval_set="e",
        method="m",
        samples=["a", "b"],
        labels=None,
        correct=[True, False],
        result=result,
    )
    session.commit()
    rows = client.get("/api/corpus/similarities", params={"corpus": "c", "eval_set": "e"}).json()
    assert [(r["sample"], r["nearest_ids"], r["correct"]) for r in rows] == [
        ("a", [5], True),
        ("b", [7], False),
    ]
    assert rows[0]["similarity"] == pytest.approx(0.8)
    missing = client.get("/api/corpus/similarities", params={"corpus": "c", "eval_set": "x"})
    assert missing.status_code == 404
