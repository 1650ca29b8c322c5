"""The database restarting under a running web process: requests fail cleanly (503 with the
error body) while it is down and work again once it is back, without restarting the service."""

from __future__ import annotations

import time

import httpx
import pytest

from backend import db
from tests.backend.reliability.conftest import live_server

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

RECORD = {"model": "m", "revision": "r1", "eval_set": "val", "metric": "loss", "value": 1.5}


def test_requests_fail_cleanly_while_the_database_is_down_and_recover(private_postgres, tmp_path):
    db.upgrade(private_postgres.url)
    db.get_engine.cache_clear()
    with live_server(private_postgres.url, tmp_path / "server.log") as base:
        with httpx.Client(base_url=base, timeout=30) as client:
            assert client.get("/api/health").json()["status"] == "ok"
            written = client.post("/api/uploads/records", json={"measurements": [RECORD]})
            assert written.status_code == 201, written.text
            assert client.get("/api/models").status_code == 200

            private_postgres.stop()
            for method, path, kwargs in (
                ("GET", "/api/health", {}),
                ("GET", "/api/models", {}),
                ("GET", "/api/measurements", {}),
                ("POST", "/api/uploads/records", {"json": {"measurements": [RECORD]}}),
            ):
                down = client.request(method, path, **kwargs)
                assert down.status_code == 503, (path, down.status_code, down.text)
                body = down.json()
                assert body["error"] == "ServiceUnavailableError", body
                assert "database cannot be reached" in body["detail"]

            private_postgres.start()
            deadline = time.monotonic() + 20
            while client.get("/api/health").status_code != 200:
                assert time.monotonic() < deadline, "the service did not recover"
                time.sleep(0.2)
            models = client.get("/api/models")
            assert models.status_code == 200 and [m["name"] for m in models.json()] == ["m"]
            again = client.post(
                "/api/uploads/records", json={"measurements": [{**RECORD, "revision": "r2"}]}
            )
            assert again.status_code == 201, again.text
            page = client.get("/api/measurements").json()
            assert page["total"] == 2
