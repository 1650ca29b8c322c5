"""``scalescope serve`` refuses to listen beyond loopback when the instance has no login."""

from __future__ import annotations

import pytest
import uvicorn

from backend import db
from backend.cli import main
from backend.config import get_settings
from tests.backend.access.conftest import TEST_SECRET_KEY


@pytest.fixture
def started(monkeypatch, tmp_path) -> list[dict]:
    """Run ``serve`` in-process against a migrated SQLite file; record uvicorn calls."""
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    db.upgrade(url)
    calls: list[dict] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: calls.append(kwargs))
    monkeypatch.setenv("SCALESCOPE_DATABASE_URL", url)
    monkeypatch.setenv("SCALESCOPE_SECRET_KEY", TEST_SECRET_KEY)
    get_settings.cache_clear()
    yield calls
    get_settings.cache_clear()


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::"])
def test_local_mode_refuses_a_public_host(started, monkeypatch, capsys, host):
    monkeypatch.setenv("SCALESCOPE_ACCESS", "local")
    get_settings.cache_clear()
    assert main(["serve", "--host", host]) == 1
    assert "only listens on 127.0.0.1" in capsys.readouterr().err
    assert started == []


@pytest.mark.parametrize(("access", "host"), [("local", "127.0.0.1"), ("public", "0.0.0.0")])
def test_loopback_or_a_login_mode_starts(started, monkeypatch, access, host):
    monkeypatch.setenv("SCALESCOPE_ACCESS", access)
    get_settings.cache_clear()
    assert main(["serve", "--host", host]) == 0
    assert [call["host"] for call in started] == [host]


@pytest.mark.parametrize("access", ["public", "private"])
def test_a_login_mode_needs_its_own_secret_key(started, monkeypatch, capsys, access):
    monkeypatch.setenv("SCALESCOPE_ACCESS", access)
    monkeypatch.delenv("SCALESCOPE_SECRET_KEY")
    get_settings.cache_clear()
    assert main(["serve", "--host", "0.0.0.0"]) == 1
    assert "needs its own SCALESCOPE_SECRET_KEY" in capsys.readouterr().err
    assert started == []


def test_serve_trusts_forwarded_headers_only_from_the_configured_proxies(started, monkeypatch):
    """Low (issue 13): behind a TLS proxy, ``cookie_secure=auto`` and per-client throttling
    need the proxy's X-Forwarded-Proto/-For, trusted only from the configured addresses."""
    monkeypatch.setenv("SCALESCOPE_ACCESS", "public")
    monkeypatch.setenv("SCALESCOPE_FORWARDED_ALLOW_IPS", "10.0.0.2")
    get_settings.cache_clear()
    assert main(["serve", "--host", "0.0.0.0"]) == 0
    assert started[0]["proxy_headers"] is True
    assert started[0]["forwarded_allow_ips"] == "10.0.0.2"


def test_a_login_through_a_trusted_tls_proxy_sets_a_secure_cookie(tmp_path, monkeypatch):
    from fastapi.testclient import TestClient
    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

    from app.main import create_app
    from backend.services import auth
    from tests.backend.access.conftest import PASSWORD

    url = f"sqlite:///{tmp_path / 'proxy.db'}"
    db.upgrade(url)
    with db.session_scope(db.get_engine(url)) as session:
        auth.create_user(session=session, username="ada", password=PASSWORD, role="viewer")
    monkeypatch.setenv("SCALESCOPE_SECRET_KEY", TEST_SECRET_KEY)
    get_settings.cache_clear()
    app = create_app(url, access="public", dashboard=False)
    for trusted, secure in (("testclient", True), ("10.0.0.2", False)):
        client = TestClient(ProxyHeadersMiddleware(app, trusted_hosts=trusted))
        response = client.post(
            "/api/auth/login",
            json={"username": "ada", "password": PASSWORD},
            headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"},
        )
        assert response.status_code == 200
        assert ("secure" in response.headers["set-cookie"].lower()) is secure
    get_settings.cache_clear()
