"""Low (issue 13): requests that answered 500 answer 4xx with the standard error body: an
upload named ``..`` or with a 300-character name, deeply nested JSON bodies (API and Dash
callbacks), and a missing static file."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.upload_files import preview_upload
from tests.backend.access.conftest import make_instance
from tests.backend.access.test_callback_access import DATA_URL

NESTED: list = []
for _ in range(200):
    NESTED = [NESTED]
CSV = b"model,revision,eval_set,metric,value\nm,final,e,acc,0.5\n"


@pytest.fixture
def client(sqlite_url, secret_key):
    made = make_instance(sqlite_url, "public")
    with made.client:
        made.client.get("/")
        client = TestClient(made.client.app, raise_server_exceptions=False)
        client.headers.update(made.headers("editor"))
        yield client


def _standard(response, *codes: int) -> dict:
    assert response.status_code in codes, (response.status_code, response.text[:200])
    body = response.json()
    assert {"error", "detail", "problems"} <= set(body), body
    return body


@pytest.mark.parametrize("name", ["..", ".", "a/..", "x" * 300 + ".csv"])
def test_odd_upload_names_are_refused_with_422(client, name):
    response = client.post("/api/uploads", files={"file": (name, CSV, "text/csv")})
    _standard(response, 422)
    records = {"measurements": [], "filename": name}
    _standard(client.post("/api/uploads/records", json=records), 422)


@pytest.mark.parametrize("name", ["..", "x" * 300 + ".csv"])
def test_odd_upload_names_on_the_upload_page(name):
    outcome = preview_upload(engine=None, contents=DATA_URL, filename=name)
    assert not outcome.ok and outcome.problems


@pytest.mark.parametrize("depth", [2_000, 100_000])
@pytest.mark.parametrize(
    "path", ["/api/uploads/records", "/api/jobs", "/api/shares", "/_dash-update-component"]
)
def test_deeply_nested_json_is_a_4xx(client, path, depth):
    body = "[" * depth + "]" * depth
    response = client.post(path, content=body, headers={"Content-Type": "application/json"})
    _standard(response, 400, 422)


@pytest.mark.parametrize(
    "body",
    [
        {"output": "no-such.children", "inputs": [], "state": []},
        {"output": ["x"]},
        {"output": "x", "inputs": NESTED},
        [],
    ],
)
def test_malformed_callback_bodies_are_a_400(client, body):
    _standard(client.post("/_dash-update-component", json=body), 400)


@pytest.mark.parametrize(
    "path",
    [
        "/_dash-component-suites/dash/no-such-file.js",
        "/_dash-component-suites/no_such_package/x.js",
        "/assets/no-such.css",
    ],
)
def test_a_missing_static_file_is_a_404(client, path):
    _standard(client.get(path), 404)
