"""Domain errors map to HTTP codes in one place; the app refuses a database behind head."""

from __future__ import annotations

import pytest
from alembic import command
from fastapi.testclient import TestClient

from app.main import create_app
from backend import db
from backend.api.errors import status_code_for
from backend.exceptions import (
    AuthenticationError,
    ConflictError,
    DatabaseNotReadyError,
    IngestError,
    IngestProblem,
    NotFoundError,
    ServiceUnavailableError,
)


def test_not_found(seeded_client):
    response = seeded_client.get("/api/models/nobody")
    assert response.status_code == 404
    assert response.json() == {
        "error": "NotFoundError",
        "detail": "no model named 'nobody'",
        "problems": [],
    }
    assert seeded_client.get("/api/checkpoints", params={"model": "x"}).status_code == 404
    assert seeded_client.get("/api/uploads/999999").status_code == 404
    assert seeded_client.get("/api/corpora/none/frequencies").status_code == 404
    missing = seeded_client.get("/api/frames/pair", params={"x": "val-a:loss", "y": "zz:acc"})
    assert missing.status_code == 404 and "zz" in missing.json()["detail"]


def test_bad_query_parameters_are_422_with_the_parameter_named(seeded_client):
    response = seeded_client.get("/api/measurements", params={"limit": "many"})
    assert response.status_code == 422
    problem = response.json()["problems"][0]
    assert problem["column"] == "limit"
    reversed_range = seeded_client.get("/api/measurements", params={"min_step": 5, "max_step": 1})
    assert reversed_range.status_code == 422
    assert "min_step (5) is larger than max_step (1)" in reversed_range.json()["detail"]
    axis = seeded_client.get("/api/frames/pair", params={"x": "loss", "y": "bench:acc"})
    assert axis.status_code == 422 and "EVAL_SET:METRIC" in axis.json()["detail"]


def test_status_codes_of_every_domain_error():
    assert status_code_for(NotFoundError("x")) == 404
    assert status_code_for(ConflictError("x")) == 409
    assert status_code_for(IngestError("x")) == 422
    assert status_code_for(AuthenticationError("x")) == 401
    assert status_code_for(DatabaseNotReadyError("x")) == 503
    assert status_code_for(ServiceUnavailableError("x")) == 503


def test_ingest_problems_carry_file_row_column(client):
    """An IngestError raised anywhere behind a route reaches the client with its locations."""
    app = client.app

    @app.get("/api/_test_ingest_error")
    def _raise():
        raise IngestError(
            [IngestProblem("expected a number, got 'abc'", file="r.csv", row=3, column="value")]
        )

    response = client.get("/api/_test_ingest_error")
    assert response.status_code == 422
    assert response.json()["problems"] == [
        {"message": "expected a number, got 'abc'", "file": "r.csv", "row": 3, "column": "value"}
    ]
    assert "r.csv, row 3, column 'value'" in response.json()["detail"]


def test_refuses_to_start_behind_head(tmp_path):
    url = f"sqlite:///{tmp_path / 'behind.db'}"
    with pytest.raises(DatabaseNotReadyError, match="scalescope db upgrade"):
        create_app(url, dashboard=False)
    db.upgrade(url)
    command.downgrade(db.alembic_config(url), "-1")
    with pytest.raises(DatabaseNotReadyError, match="scalescope db upgrade"):
        create_app(url, dashboard=False)
    db.upgrade(url)
    with TestClient(create_app(url, dashboard=False)) as client:
        assert client.get("/api/health").json()["status"] == "ok"
