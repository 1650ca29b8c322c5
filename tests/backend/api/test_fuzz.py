"""Schema-based fuzzing of the whole REST API at a modest size (``bench/fuzz_api.py`` runs it
at full size against a live server): valid and invalid generated requests for every operation
of the OpenAPI spec get no 5xx, only documented status codes and content types, and bodies
that match the response schemas."""

from __future__ import annotations

import pytest

from app.main import create_app
from backend import db
from tests.backend.api.fuzzing import fuzz, load_asgi_schema
from tests.backend.queries.seed import seed

pytestmark = pytest.mark.slow

pytest.importorskip("schemathesis")


@pytest.fixture
def seeded_app(tmp_path):
    """The API alone on a SQLite file holding the toy data set (a fresh file: fuzzing writes)."""
    url = f"sqlite:///{tmp_path / 'fuzz.db'}"
    db.upgrade(url)
    session = db.new_session(db.get_engine(url))
    seed(session)
    session.commit()
    session.close()
    yield create_app(url, dashboard=False)
    db.get_engine(url).dispose()


def test_every_operation_documents_the_error_body(seeded_app):
    schema = load_asgi_schema(seeded_app).raw_schema
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for code in ("401", "404", "422", "503"):
                body = operation["responses"][code]["content"]["application/json"]["schema"]
                assert body == {"$ref": "#/components/schemas/ErrorPublic"}, (method, path)
    assert "HTTPValidationError" not in schema["components"]["schemas"]


def test_generated_requests_get_no_server_error_and_match_the_schema(seeded_app):
    schema = load_asgi_schema(seeded_app)
    report = fuzz(schema, max_examples=5)
    print(report.summary())
    assert not report.failures, "\n\n".join(report.failures[:5])
    operations = sum(1 for _ in schema.get_all_operations())
    assert len(report.per_operation) == operations  # every operation got requests
    assert report.requests >= 5 * operations
    assert report.statuses[422] > 0  # invalid requests were sent and refused
    assert sum(n for code, n in report.statuses.items() if code < 300) > 0


def test_inputs_the_fuzzer_found_are_refused_cleanly(seeded_app):
    """Each of these once escaped as a 500 or broke the documented error body."""
    from fastapi.testclient import TestClient

    with TestClient(seeded_app, raise_server_exceptions=False) as client:
        empty_record = client.post("/api/uploads/records", json={"measurements": [{}]})
        assert empty_record.status_code == 422
        assert "model" in empty_record.json()["detail"]
        huge = client.get("/api/uploads", params={"offset": 2**70})
        assert huge.status_code == 422 and huge.json()["error"] == "ValidationError"
        assert client.get(f"/api/jobs/{2**70}").status_code in (404, 422)
        garbage = client.post(
            "/api/uploads/records",
            content=b"\xff\x00{",
            headers={"Content-Type": "application/json"},
        )
        assert garbage.status_code in (400, 422) and set(garbage.json()) == {
            "error",
            "detail",
            "problems",
        }
        upload = client.get("/api/uploads").json()[0]
        assert upload["created_at"].endswith(("Z", "+00:00"))  # RFC 3339: with its offset


@pytest.mark.usefixtures("every_pair_runnable")
def test_one_request_queues_a_bounded_number_of_jobs(seeded_app, monkeypatch):
    """``POST /api/jobs/missing {}`` on a large grid once tried to queue every hole at once
    (470,000 jobs on the demo data) and never answered."""
    from fastapi.testclient import TestClient

    from backend.services import jobs

    with TestClient(seeded_app) as client:
        monkeypatch.setattr(jobs, "MAX_JOBS_PER_REQUEST", 0)
        refused = client.post("/api/jobs/missing", json={})
        assert refused.status_code == 422 and "more than 0 jobs" in refused.json()["detail"]
        monkeypatch.setattr(jobs, "MAX_JOBS_PER_REQUEST", 1)
        grid = client.post("/api/jobs", json={"checkpoint_ids": [1, 2], "eval_set_ids": [1]})
        assert grid.status_code == 422 and "queue 2 jobs" in grid.json()["detail"]
        assert client.get("/api/jobs").json()["items"] == []
        (one,) = client.post("/api/jobs/missing", json={}).json()  # the one hole: b-small/300
        assert one["created"] and one["job"]["status"] == "queued"


def test_a_nul_byte_in_a_filter_is_refused_not_a_server_error(client):
    """Postgres refuses NUL in text; the CSV export reads through the raw driver (found by
    ``bench/fuzz_api.py``). Runs on SQLite and on Postgres."""
    for path in ("/api/measurements.csv", "/api/measurements", "/api/frames/metric"):
        params = {"eval_set": "a\x00b", "metric": "x\x00:y"}
        response = client.get(path, params=params)
        assert response.status_code in (200, 404, 422), (path, response.text)
