"""The demo (the bundled published data, ``backend/demo/data``) loaded once into a SQLite
file, and an API client on it; the tests read only the repository's files."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from backend import db
from backend.demo.loader import load_demo


@pytest.fixture(scope="session")
def demo_url(tmp_path_factory) -> str:
    """A SQLite database holding the demo."""
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    db.upgrade(url)
    load_demo(engine=db.get_engine(url))
    return url


@pytest.fixture(scope="session")
def demo_client(demo_url):
    """An API client of the app on the demo database."""
    with TestClient(create_app(demo_url, dashboard=False)) as client:
        yield client
