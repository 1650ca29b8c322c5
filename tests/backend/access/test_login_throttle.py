"""Medium (issue 13): 40 log-in tries in 12 s went through. Failed log-ins are now counted per
user name and per client address in the database, shared by every web process, and answered
with 429 and ``Retry-After`` beyond the limit."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from backend import db
from backend.config import get_settings
from backend.services import auth
from tests.backend.access.conftest import PASSWORD, make_instance


@pytest.fixture
def public(sqlite_url, secret_key):
    made = make_instance(sqlite_url, "public")
    with made.client:
        yield made


def _try(client, username: str, password: str = "wrong password!"):
    return client.post("/api/auth/login", json={"username": username, "password": password})


def test_guessing_one_password_is_throttled(public):
    limit = get_settings().login_max_failures
    answers = [_try(public.client, "editor").status_code for _ in range(40)]
    assert answers[:limit] == [401] * limit
    assert set(answers[limit:]) == {429}
    refused = _try(public.client, "editor", PASSWORD)  # even the right password, for now
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert refused.json()["error"] == "TooManyRequestsError"


def test_one_client_guessing_many_names_is_throttled(public):
    limit = get_settings().login_max_failures_per_client
    answers = [_try(public.client, f"user{i}").status_code for i in range(limit + 3)]
    assert answers[:limit] == [401] * limit and set(answers[limit:]) == {429}


def test_the_count_is_shared_by_web_processes(public):
    """Another app on the same database (another web worker) sees the same failures."""
    other = TestClient(create_app(public.database_url, access="public", dashboard=False))
    limit = get_settings().login_max_failures
    for i in range(limit):
        client = public.client if i % 2 else other
        assert _try(client, "viewer").status_code == 401
    assert _try(other, "viewer").status_code == 429
    assert _try(public.client, "viewer").status_code == 429


def test_a_good_log_in_clears_the_names_count_and_the_window_ends(public, monkeypatch):
    for _ in range(get_settings().login_max_failures - 1):
        _try(public.client, "admin")
    assert _try(public.client, "admin", PASSWORD).status_code == 200
    assert _try(public.client, "admin").status_code == 401  # counting starts again
    monkeypatch.setenv("SCALESCOPE_LOGIN_WINDOW_S", "0")
    get_settings.cache_clear()
    for _ in range(10):
        assert _try(public.client, "admin").status_code == 401
    with db.session_scope(db.get_engine(public.database_url)) as session:
        assert auth.get_user(session=session, username="admin").is_active
    get_settings.cache_clear()
