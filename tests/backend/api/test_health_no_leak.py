"""Low (issue 13): ``/api/health``'s 503 showed the database host. The answer now says only
that the database cannot be reached (the details go to the server log)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.main import create_app
from backend import db


def test_a_database_outage_does_not_name_the_host(sqlite_url):
    app = create_app(sqlite_url, dashboard=False)
    app.state.engine = db.make_engine(
        "postgresql://scalescope:hunter2@127.0.0.1:1/private_db?connect_timeout=2"
    )
    client = TestClient(app, raise_server_exceptions=False)
    for path in ("/api/health", "/api/models", "/api/uploads"):
        response = client.get(path)
        assert response.status_code == 503, (path, response.text)
        body = response.json()
        assert body["error"] == "ServiceUnavailableError"
        assert "cannot be reached" in body["detail"]
        for secret in ("127.0.0.1", "hunter2", "private_db", "port 1"):
            assert secret not in response.text, (path, response.text)
