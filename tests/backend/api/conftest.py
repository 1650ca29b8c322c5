"""An HTTP client on the real app over each database (SQLite and Postgres)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from tests.backend.queries.seed import seed


@pytest.fixture
def client(db_url) -> TestClient:
    """A client of the app on an empty, migrated database."""
    with TestClient(create_app(db_url, dashboard=False)) as test_client:
        yield test_client


@pytest.fixture
def seeded_client(client, session) -> TestClient:
    """A client of the app on the toy data set of ``tests.backend.queries.seed``."""
    seed(session)
    return client
