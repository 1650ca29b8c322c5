"""The login cookie's flags, logout, CSRF refusal of cookie writes from elsewhere, and the
share-link API (create, list, revoke: who may do which)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from backend import db
from backend.config import get_settings
from backend.services import login_sessions
from tests.backend.access.conftest import PASSWORD, make_instance

SHARE = {"page": "/scaling", "state": {"x": "params"}}


def _login(client: TestClient, username: str):
    return client.post("/api/auth/login", json={"username": username, "password": PASSWORD})


def _cookie_header(response) -> str:
    headers = [v for k, v in response.headers.multi_items() if k == "set-cookie"]
    assert len(headers) == 1, headers
    return headers[0].lower()


@pytest.fixture
def public(sqlite_url, secret_key):
    made = make_instance(sqlite_url, "public")
    with made.client:
        yield made


def test_login_cookie_is_httponly_lax_and_not_secure_over_http(public):
    response = _login(public.client, "editor")
    assert response.status_code == 200 and response.json()["role"] == "editor"
    header = _cookie_header(response)
    assert login_sessions.COOKIE_NAME in header
    assert "httponly" in header and "samesite=lax" in header and "path=/" in header
    assert "secure" not in header


def test_login_cookie_is_secure_over_https(public):
    https = TestClient(public.client.app, base_url="https://scalescope.example")
    assert "secure" in _cookie_header(_login(https, "editor"))


def test_secure_cookie_can_be_forced(sqlite_url, secret_key, monkeypatch):
    made = make_instance(sqlite_url, "public")
    monkeypatch.setenv("SCALESCOPE_COOKIE_SECURE", "always")
    get_settings.cache_clear()
    with TestClient(create_app(sqlite_url, access="public", dashboard=False)) as client:
        assert "secure" in _cookie_header(_login(client, "editor"))
    assert made.tokens


def test_wrong_password_sets_no_cookie(public):
    response = public.client.post(
        "/api/auth/login", json={"username": "editor", "password": "wrong password!"}
    )
    assert response.status_code == 401
    assert "set-cookie" not in response.headers


def test_logout_clears_the_cookie(public):
    client = public.client
    _login(client, "editor")
    assert client.get("/api/auth/me").json()["username"] == "editor"
    response = client.post("/api/auth/logout")
    header = _cookie_header(response)
    assert login_sessions.COOKIE_NAME in header and "max-age=0" in header
    assert client.get("/api/auth/me").json()["username"] is None


def test_cookie_writes_need_the_same_origin(public):
    client = public.client
    _login(client, "editor")
    here = str(client.base_url)
    refused = client.post("/api/shares", json=SHARE, headers={"Origin": "https://evil.example"})
    assert refused.status_code == 403 and "another site" in refused.json()["detail"]
    bare = client.post("/api/shares", json=SHARE)
    assert bare.status_code == 403 and "X-Requested-With" in bare.json()["detail"]
    assert client.post("/api/shares", json=SHARE, headers={"Origin": here}).status_code == 201
    marked = client.post("/api/shares", json=SHARE, headers={"X-Requested-With": "fetch"})
    assert marked.status_code == 201


def test_token_writes_need_no_origin(public):
    client = TestClient(public.client.app)  # no cookie
    response = client.post("/api/shares", json=SHARE, headers=public.headers("editor"))
    assert response.status_code == 201
    assert response.json()["created_by"] == "editor"


def test_share_ids_are_unguessable(public):
    ids = {
        public.client.post("/api/shares", json=SHARE, headers=public.headers("editor")).json()["id"]
        for _ in range(5)
    }
    assert len(ids) == 5
    assert all(len(share_id) >= 22 for share_id in ids)  # >= 128 bits of url-safe base64


def test_share_list_and_revoke_rights(public):
    client, headers = public.client, public.headers
    made = client.post("/api/shares", json=SHARE, headers=headers("editor")).json()
    # Listing share ids (bearer secrets) needs an editor, even on a public instance.
    assert client.get("/api/shares").status_code == 401
    assert client.get("/api/shares", headers=headers("viewer")).status_code == 403
    assert [s["id"] for s in client.get("/api/shares", headers=headers("editor")).json()] == [
        made["id"]
    ]
    # Another editor's list does not hold it, and they cannot revoke it; an admin can.
    other = client.post("/api/shares", json=SHARE, headers=headers("admin")).json()
    editor_ids = {s["id"] for s in client.get("/api/shares", headers=headers("editor")).json()}
    assert other["id"] not in editor_ids
    revoke = f"/api/shares/{other['id']}/revoke"
    assert client.post(revoke, headers=headers("viewer")).status_code == 403
    assert client.post(revoke, headers=headers("editor")).status_code == 403
    assert client.post(revoke, headers=headers("admin")).json()["revoked_at"] is not None
    # The creator revokes their own; the link stops resolving.
    own = client.post(f"/api/shares/{made['id']}/revoke", headers=headers("editor"))
    assert own.status_code == 200
    opened = client.get(f"/s/{made['id']}", follow_redirects=False)
    assert opened.headers["location"] == f"/pinned/{made['id']}"


def test_a_cookie_signed_with_another_key_is_anonymous(public):
    from itsdangerous import URLSafeTimedSerializer

    from backend.services.auth import Principal

    with db.session_scope(db.get_engine(public.database_url)) as session:
        genuine = login_sessions.issue(
            session=session,
            secret_key="change-me",
            principal=Principal(username="admin", role="admin"),
        )
    old_style = URLSafeTimedSerializer("change-me", salt="scalescope-login").dumps({"u": "admin"})
    for forged in (genuine, old_style):
        client = TestClient(public.client.app, cookies={login_sessions.COOKIE_NAME: forged})
        assert client.get("/api/auth/me").json()["username"] is None
        assert client.get("/api/users").status_code == 401


def test_the_default_secret_key_is_refused_outside_local_mode(sqlite_url, monkeypatch):
    from backend.exceptions import ValidationError

    monkeypatch.delenv("SCALESCOPE_SECRET_KEY", raising=False)
    get_settings.cache_clear()
    for access in ("public", "private"):
        with pytest.raises(ValidationError, match="needs its own SCALESCOPE_SECRET_KEY"):
            create_app(sqlite_url, access=access, dashboard=False)
    create_app(sqlite_url, access="local", dashboard=False)
