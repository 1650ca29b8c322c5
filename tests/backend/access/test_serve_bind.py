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
