"""An app per access mode on an empty SQLite database, with one user (and API token) per
role; the app is the real one (dashboard included), so its routes are the served routes."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from backend import db
from backend.config import get_settings
from backend.services import auth
from tests.conftest import _empty_all_tables

PASSWORD = "a long enough password"
TEST_SECRET_KEY = "tK3v9Qm2Xz7Lp4Rw8Ny1Bc6Hd5Fj0Gs-_aEoUiTqWeRtYuIoPaSdFgHjKlZx"
ROLES = ("viewer", "editor", "admin")


@dataclass(frozen=True)
class Instance:
    """A test client of the app, the API token of each role's user, and the database."""

    client: TestClient
    tokens: dict[str, str]
    database_url: str

    def headers(self, role: str | None) -> dict[str, str]:
        """Authorization headers of ``role`` (none for anonymous)."""
        return {"Authorization": f"Bearer {self.tokens[role]}"} if role else {}


@pytest.fixture
def secret_key(monkeypatch):
    """A non-default secret key (a private instance refuses to start without one)."""
    monkeypatch.setenv("SCALESCOPE_SECRET_KEY", TEST_SECRET_KEY)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def make_instance(database_url: str, access: str) -> Instance:
    """The app in ``access`` mode with users ``viewer``, ``editor`` and ``admin``."""
    engine = db.get_engine(database_url)
    _empty_all_tables(engine)
    tokens = {}
    with db.session_scope(engine) as session:
        for role in ROLES:
            auth.create_user(session=session, username=role, password=PASSWORD, role=role)
            tokens[role] = auth.create_token(session=session, username=role, name="test").secret
    client = TestClient(create_app(database_url, access=access))
    return Instance(client=client, tokens=tokens, database_url=database_url)


@pytest.fixture(params=["public", "private"])
def instance(request, sqlite_url, secret_key) -> Instance:
    """The app in public and in private mode."""
    made = make_instance(sqlite_url, request.param)
    with made.client:
        yield made


@pytest.fixture
def private(sqlite_url, secret_key) -> Instance:
    """The app in private mode."""
    made = make_instance(sqlite_url, "private")
    with made.client:
        yield made
