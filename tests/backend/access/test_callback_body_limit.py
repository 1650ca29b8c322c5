"""Medium (issue 13): a 419 MB anonymous callback POST grew the process by 1 GB. Dashboard
request bodies above ``max_callback_bytes`` are now refused with 413 before they are read."""

from __future__ import annotations

import pytest

from backend.config import get_settings
from tests.backend.access.conftest import make_instance
from tests.backend.access.test_share_grant_identity import _router_body

LIMIT = 64 * 1024


@pytest.fixture
def public(sqlite_url, secret_key, monkeypatch):
    monkeypatch.setenv("SCALESCOPE_MAX_CALLBACK_BYTES", str(LIMIT))
    get_settings.cache_clear()
    made = make_instance(sqlite_url, "public")
    with made.client:
        made.client.get("/")
        yield made
    get_settings.cache_clear()


def _huge(size: int) -> bytes:
    return b'{"output": "x", "inputs": [{"value": "' + b"a" * size + b'"}]}'


@pytest.mark.parametrize("path", ["/_dash-update-component", "/login", "/anything"])
def test_an_oversized_body_is_refused_with_413(public, path):
    response = public.client.post(
        path, content=_huge(2 * LIMIT), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["error"] == "PayloadTooLarge"


def test_an_oversized_chunked_body_is_refused_too(public):
    def chunks():
        for _ in range(8):
            yield b"a" * (LIMIT // 4)

    response = public.client.post(
        "/_dash-update-component", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413


def test_callbacks_below_the_limit_still_run(public):
    response = public.client.post("/_dash-update-component", json=_router_body(public, "/models"))
    assert response.status_code == 200 and "_pages_content" in response.text
