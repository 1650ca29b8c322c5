"""Merging a group's own duplicate names (API and CLI), and undoing the merge."""

from __future__ import annotations

from backend.cli import main as cli_main
from backend.config import get_settings

ROWS = [
    {"model": "a", "revision": "final", "eval_set": "MyBench", "metric": "acc", "value": 0.5,
     "pretraining_data": "web-text"},
    {"model": "b", "revision": "final", "eval_set": "my-bench", "metric": "acc", "value": 0.6,
     "pretraining_data": "WebText"},
]  # fmt: skip


def names(client) -> list[str]:
    catalog = client.get("/api/catalog").json()
    return sorted(e["name"] if isinstance(e, dict) else e for e in catalog["eval_sets"])


def test_merge_eval_sets_and_undo(client):
    assert client.post("/api/uploads/records", json={"measurements": ROWS}).status_code == 201
    assert names(client) == ["MyBench", "my-bench"]
    merged = client.post(
        "/api/merges", json={"kind": "eval_set", "source": "my-bench", "target": "MyBench"}
    )
    assert merged.status_code == 201, merged.text
    body = merged.json()
    assert body["moved"]["measurements"] == 1 and body["status"] == "committed"
    assert names(client) == ["MyBench"]
    rows = client.get("/api/measurements", params={"eval_set": "MyBench"}).json()
    rows = rows["items"] if isinstance(rows, dict) else rows
    assert sorted(r["model"] for r in rows) == ["a", "b"]
    undone = client.post(f"/api/merges/{body['id']}/undo")
    assert undone.status_code == 200 and undone.json()["status"] == "undone"
    assert names(client) == ["MyBench", "my-bench"]
    assert client.post(f"/api/merges/{body['id']}/undo").status_code == 409
    assert client.get("/api/merges").json()[0]["status"] == "undone"


def test_merge_refuses_a_clash_and_unknown_names(client):
    clash = [dict(ROWS[0]), dict(ROWS[0], eval_set="my-bench", value=0.7)]
    client.post("/api/uploads/records", json={"measurements": clash})
    refused = client.post(
        "/api/merges", json={"kind": "eval_set", "source": "my-bench", "target": "MyBench"}
    )
    assert refused.status_code == 409
    missing = client.post(
        "/api/merges", json={"kind": "eval_set", "source": "nothing", "target": "MyBench"}
    )
    assert missing.status_code == 404


def test_cli_merges_pretraining_data_and_undoes(client, db_url, monkeypatch, capsys):
    client.post("/api/uploads/records", json={"measurements": ROWS})
    monkeypatch.setattr(get_settings(), "database_url", db_url)
    assert cli_main(["names", "merge", "pretraining_data", "WebText", "web-text"]) == 0
    values = client.get("/api/attributes").json()["pretraining_data"]
    assert values == ["web-text"]
    merge_id = client.get("/api/merges").json()[0]["id"]
    assert cli_main(["names", "undo", str(merge_id)]) == 0
    assert sorted(client.get("/api/attributes").json()["pretraining_data"]) == [
        "WebText",
        "web-text",
    ]
    assert cli_main(["names", "unknown"]) == 0
    assert "MyBench" in capsys.readouterr().out
