"""Medium (issue 13): sessions are kept server-side and end on logout, a password or role
change and deactivation; an admin lists and revokes a user's sessions (API and CLI)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from backend import db
from backend.cli import main
from backend.config import get_settings
from backend.services import auth, login_sessions
from tests.backend.access.conftest import PASSWORD, make_instance


@pytest.fixture
def public(sqlite_url, secret_key):
    made = make_instance(sqlite_url, "public")
    with made.client:
        yield made


def _log_in(instance, username: str = "editor") -> str:
    client = TestClient(instance.client.app)
    response = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return response.cookies[login_sessions.COOKIE_NAME]


def _who(instance, cookie: str) -> str | None:
    client = TestClient(instance.client.app, cookies={login_sessions.COOKIE_NAME: cookie})
    return client.get("/api/auth/me").json()["username"]


def test_logout_ends_the_session_server_side(public):
    cookie = _log_in(public)
    assert _who(public, cookie) == "editor"
    client = TestClient(public.client.app, cookies={login_sessions.COOKIE_NAME: cookie})
    assert client.post("/api/auth/logout", headers={"X-Requested-With": "t"}).status_code == 200
    assert _who(public, cookie) is None  # a copy of the cookie no longer works


def test_the_login_pages_logout_ends_the_session(public):
    cookie = _log_in(public)
    client = TestClient(public.client.app, cookies={login_sessions.COOKIE_NAME: cookie})
    client.post("/logout", follow_redirects=False)
    assert _who(public, cookie) is None


@pytest.mark.parametrize(
    "change",
    [
        lambda s: auth.set_password(session=s, username="editor", password="another long one"),
        lambda s: auth.set_role(session=s, username="editor", role="viewer"),
        lambda s: auth.deactivate_user(session=s, username="editor"),
    ],
    ids=["password", "role", "deactivation"],
)
def test_account_changes_end_existing_sessions(public, change):
    cookie = _log_in(public)
    with db.session_scope(db.get_engine(public.database_url)) as session:
        change(session)
    assert _who(public, cookie) is None


def test_an_admin_lists_and_revokes_sessions_over_the_api(public):
    first, second = _log_in(public), _log_in(public)
    admin, client = public.headers("admin"), public.client
    assert client.get("/api/users/editor/sessions", headers=public.headers("editor")).is_error
    listed = client.get("/api/users/editor/sessions", headers=admin).json()
    assert len(listed) == 2 and {row["username"] for row in listed} == {"editor"}
    assert "token_hash" not in listed[0]
    newest = listed[0]["id"]
    assert client.post(f"/api/sessions/{newest}/revoke", headers=admin).status_code == 200
    assert (_who(public, first), _who(public, second)) == ("editor", None)
    revoked = client.post("/api/users/editor/sessions/revoke", headers=admin).json()
    assert revoked == {"revoked": 1} and _who(public, first) is None
    assert client.get("/api/users/nobody/sessions", headers=admin).status_code == 404


def test_an_admin_lists_and_ends_sessions_from_the_cli(public, monkeypatch, capsys):
    cookie = _log_in(public)
    monkeypatch.setenv("SCALESCOPE_DATABASE_URL", public.database_url)
    get_settings.cache_clear()
    assert main(["user", "sessions", "editor"]) == 0
    assert "\teditor\t" in capsys.readouterr().out
    assert main(["user", "logout", "editor"]) == 0
    assert "1 session(s)" in capsys.readouterr().out
    assert _who(public, cookie) is None
    get_settings.cache_clear()
