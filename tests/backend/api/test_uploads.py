"""Uploads over HTTP: multipart files, JSON records, dry-run preview, bad input, list, undo."""

from __future__ import annotations

import json

import pytest

LONG_CSV = (
    "model,revision,step,tokens_seen,pretraining_data,n_params,eval_set,metric,value,unit\n"
    "tiny,step10,10,1000,fineweb,1000000,pile,loss,3.5,\n"
    "tiny,step20,20,2000,fineweb,1000000,pile,loss,3.0,\n"
    "tiny,step20,20,2000,fineweb,1000000,arc,acc,41.5,percent\n"
)


def _post(client, text: str, name: str = "results.csv", **form):
    return client.post("/api/uploads", files={"file": (name, text.encode(), "text/csv")}, data=form)


def _total(client) -> int:
    return client.get("/api/measurements").json()["total"]


def test_upload_file_then_reupload_changes_nothing(client):
    response = _post(client, LONG_CSV)
    assert response.status_code == 201, response.text
    report = response.json()
    assert report["format"] == "long_csv" and report["filename"] == "results.csv"
    assert report["counts"]["measurements"]["new"] == 3
    assert _total(client) == 3
    frame = client.get("/api/frames/pair", params={"x": "pile:loss", "y": "arc:acc"}).json()
    assert [(r["step"], r["x"], r["y"]) for r in frame["rows"]] == [(20, 3.0, 0.415)]

    response = _post(client, LONG_CSV)
    again = response.json()
    assert again["counts"]["measurements"] == {"new": 0, "updated": 0, "unchanged": 3}
    assert _total(client) == 3
    # The same file again changes nothing, and records no second upload (issue 13).
    assert response.status_code == 200 and again["unchanged"] and again["upload_id"] is None
    assert [u["id"] for u in client.get("/api/uploads").json()] == [report["upload_id"]]


def test_dry_run_previews_and_writes_nothing(client):
    response = _post(client, LONG_CSV, dry_run="true")
    assert response.status_code == 200
    preview = response.json()
    assert preview["dry_run"] is True and preview["upload_id"] is None
    assert preview["counts"]["measurements"]["new"] == 3
    assert _total(client) == 0
    assert client.get("/api/uploads").json() == []


def test_bad_file_is_refused_whole_with_row_and_column(client):
    bad = LONG_CSV + "tiny,step30,30,3000,fineweb,1000000,pile,loss,not-a-number,\n"
    response = _post(client, bad, name="bad.csv")
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "IngestError"
    problem = body["problems"][0]
    # Rows are counted as lines of the file: the header is line 1, the bad row line 5.
    assert (problem["file"], problem["row"], problem["column"]) == ("bad.csv", 5, "value")
    assert "bad.csv" in body["detail"]
    assert _total(client) == 0
    assert client.get("/api/uploads").json() == []


def test_unknown_format_and_bad_options(client):
    unknown = _post(client, LONG_CSV, format="no-such-format")
    assert unknown.status_code == 422
    assert "no-such-format" in unknown.json()["detail"]
    options = _post(client, LONG_CSV, options="{not json")
    assert options.status_code == 422 and "options" in options.json()["detail"]


def test_json_records(client):
    rows = [
        {"model": "m", "revision": "final", "eval_set": "imagenet", "metric": "acc", "value": 0.7},
        {"model": "m", "revision": "final", "eval_set": "objectnet", "metric": "acc", "value": 0.4},
    ]
    preview = client.post(
        "/api/uploads/records", params={"dry_run": True}, json={"measurements": rows}
    )
    assert preview.status_code == 200 and _total(client) == 0
    response = client.post(
        "/api/uploads/records", json={"measurements": rows, "filename": "a.json"}
    )
    assert response.status_code == 201, response.text
    assert response.json()["counts"]["measurements"]["new"] == 2
    upload = client.get(f"/api/uploads/{response.json()['upload_id']}").json()
    assert upload["filename"] == "a.json" and upload["format"] == "long_json"

    bad = [*rows, {"model": "m", "eval_set": "x", "metric": "acc", "value": "high"}]
    refused = client.post("/api/uploads/records", json={"measurements": bad})
    assert refused.status_code == 422
    assert (refused.json()["problems"][0]["row"], refused.json()["problems"][0]["column"]) == (
        3,
        "value",
    )
    empty = client.post("/api/uploads/records", json={"measurements": []})
    assert empty.status_code == 422 and empty.json()["problems"][0]["column"] == "measurements"


def test_undo_then_conflict_then_not_found(client):
    first = _post(client, LONG_CSV).json()["upload_id"]
    response = client.post(f"/api/uploads/{first}/undo")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["upload"]["status"] == "undone"
    assert body["counts"]["measurements"]["deleted"] == 3
    assert _total(client) == 0
    assert client.get("/api/uploads", params={"include_undone": False}).json() == []

    again = client.post(f"/api/uploads/{first}/undo")
    assert again.status_code == 409 and "already been undone" in again.json()["detail"]
    assert client.post("/api/uploads/987654/undo").status_code == 404


@pytest.mark.parametrize("limit", [10])
def test_upload_over_the_size_limit_is_refused(client, monkeypatch, limit):
    from backend.config import get_settings

    monkeypatch.setattr(get_settings(), "max_upload_bytes", limit)
    response = _post(client, LONG_CSV)
    assert response.status_code == 422 and "limit of 10 bytes" in response.json()["detail"]
    assert _total(client) == 0


def test_published_files_through_the_api(client, demo_data_dir, test_data_dir):
    """Real files, format guessed from content: the Chinchilla points (245 runs) and one Pythia
    lm-evaluation-harness result (its arc_easy accuracy as published)."""
    chinchilla = demo_data_dir / "chinchilla_epoch" / "svg_extracted_data.csv"
    response = client.post(
        "/api/uploads", files={"file": (chinchilla.name, chinchilla.read_bytes(), "text/csv")}
    )
    assert response.status_code == 201, response.text
    assert response.json()["format"] == "chinchilla"
    runs = client.get("/api/metrics", params={"eval_set": "massivetext"}).json()
    assert runs[0]["n_measurements"] == 245 and runs[0]["n_models"] == 245

    pythia = test_data_dir / "pythia_evals/pythia-160m/zero-shot/160m_step143000.json"
    response = client.post(
        "/api/uploads", files={"file": (pythia.name, pythia.read_bytes(), "application/json")}
    )
    assert response.status_code == 201, response.text
    assert response.json()["format"] == "lm_eval_harness"
    published = json.loads(pythia.read_text())["results"]["arc_easy"]
    rows = client.get("/api/measurements", params={"eval_set": "arc_easy", "metric": "acc"}).json()[
        "items"
    ]
    assert len(rows) == 1
    assert rows[0]["value"] == pytest.approx(published["acc"])
    assert rows[0]["stderr"] == pytest.approx(published["acc_stderr"])
    assert rows[0]["step"] == 143000
