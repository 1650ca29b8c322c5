"""Every read endpoint over HTTP, on SQLite and Postgres, against the seeded toy data."""

from __future__ import annotations

import csv
import io

import pytest

from tests.backend.queries.seed import (
    CONCEPT_COUNTS,
    CONCEPT_SCORES,
    MODELS,
    N_MEASUREMENTS,
    loss,
)


def test_health(client):
    body = client.get("/api/health").json()
    assert body["status"] == "ok"
    assert body["revision"] is not None
    assert body["database"] in {"sqlite", "postgresql"}


def test_openapi_docs(client):
    assert client.get("/docs").status_code == 200
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {"/api/health", "/api/measurements", "/api/measurements.csv", "/api/uploads"} <= set(
        paths
    )


def test_models_and_checkpoints(seeded_client):
    models = seeded_client.get("/api/models").json()
    assert [m["name"] for m in models] == sorted(MODELS)
    assert all(m["n_checkpoints"] == 3 for m in models)
    fineweb = seeded_client.get("/api/models", params={"pretraining_data": "fineweb"}).json()
    assert {m["name"] for m in fineweb} == {"a-small", "org/a-big"}
    one = seeded_client.get("/api/models/org/a-big").json()
    assert one["n_params"] == 1e7 and one["attributes"] == {"depth": 4}
    ckpts = seeded_client.get("/api/checkpoints", params={"model": "b-small"}).json()
    assert [c["step"] for c in ckpts] == [100, 200, 300]
    assert [c["n_measurements"] for c in ckpts] == [2, 2, 1]


def test_models_and_checkpoints_page_on_the_server(seeded_client):
    page = seeded_client.get("/api/models", params={"sort": "-n_params", "limit": 2})
    assert page.headers["X-Total-Count"] == "3"
    assert [m["name"] for m in page.json()] == ["org/a-big", "a-small"]  # ties by name
    rest = seeded_client.get("/api/models", params={"sort": "-n_params", "offset": 2}).json()
    assert [m["name"] for m in rest] == ["b-small"]
    small = seeded_client.get("/api/models", params={"search": "small", "limit": 1})
    assert small.headers["X-Total-Count"] == "2" and len(small.json()) == 1
    assert seeded_client.get("/api/models", params={"sort": "attributes"}).status_code == 422


def test_catalog_eval_sets_metrics(seeded_client):
    catalog = seeded_client.get("/api/catalog").json()
    assert {e["name"] for e in catalog["eval_sets"]} == {"val-a", "bench"}
    pairs = {(m["eval_set"], m["metric"]): m["n_measurements"] for m in catalog["metrics"]}
    assert pairs == {("val-a", "loss"): 9, ("bench", "acc"): 8}
    assert catalog["attribute_values"]["pretraining_data"] == ["fineweb", "starcoder"]
    assert catalog["attribute_values"]["depth"] == [2, 4]
    assert catalog["corpora"][0]["methods"] == {"lemmatized": 2}
    assert seeded_client.get("/api/attributes").json() == catalog["attribute_values"]
    corpora = seeded_client.get("/api/corpora").json()
    assert [(c["name"], c["methods"]) for c in corpora] == [("laion", {"lemmatized": 2})]
    validation = seeded_client.get("/api/eval-sets", params={"kind": "validation"}).json()
    assert [e["name"] for e in validation] == ["val-a"]
    assert (
        seeded_client.get("/api/metrics", params={"eval_set": "bench"}).json()[0]["n_models"] == 3
    )


def test_measurements_json_pages_and_filters(seeded_client):
    page = seeded_client.get("/api/measurements", params={"limit": 5}).json()
    assert page["total"] == N_MEASUREMENTS and len(page["items"]) == 5
    assert page["total_exact"] is True
    exact = seeded_client.get("/api/measurements", params={"limit": 5, "exact_total": True})
    assert exact.json() == page
    rest = seeded_client.get("/api/measurements", params={"limit": 100, "offset": 5}).json()
    ids = [m["id"] for m in page["items"] + rest["items"]]
    assert len(set(ids)) == N_MEASUREMENTS
    filtered = seeded_client.get(
        "/api/measurements",
        params=[("model", "a-small"), ("model", "b-small"), ("metric", "loss"), ("min_step", 200)],
    ).json()
    assert filtered["total"] == 4
    for item in filtered["items"]:
        assert item["value"] == pytest.approx(loss(item["model"], item["step"]))
    final = seeded_client.get(
        "/api/measurements", params={"final_only": True, "eval_set": "bench"}
    ).json()
    # b-small's final checkpoint (step 300) has no accuracy; the others' step 300 do.
    assert {(m["model"], m["step"]) for m in final["items"]} == {
        ("a-small", 300),
        ("org/a-big", 300),
    }


def test_measurements_csv_export(seeded_client):
    response = seeded_client.get("/api/measurements.csv", params={"eval_set": "bench"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 8
    assert {r["unit"] for r in rows} == {"percent"}
    assert sorted({float(r["value"]) for r in rows}) == [0.1, 0.2, 0.3]


def test_pair_frame_json_and_csv(seeded_client):
    params = {"x": "val-a:loss", "y": "bench:acc", "pretraining_data": "fineweb"}
    body = seeded_client.get("/api/frames/pair", params=params).json()
    assert len(body["rows"]) == 6 and {"x", "y", "model", "depth"} <= set(body["columns"])
    for row in body["rows"]:
        assert row["x"] == pytest.approx(loss(row["model"], row["step"]))
    text = seeded_client.get("/api/frames/pair", params={**params, "format": "csv"}).text
    assert len(list(csv.DictReader(io.StringIO(text)))) == 6
    metric = seeded_client.get("/api/frames/metric", params={"metric": "val-a:loss"}).json()
    assert len(metric["rows"]) == 9 and "compute" in metric["columns"]
    t2t = seeded_client.get(
        "/api/frames/train-to-train",
        params={"x": "val-a:loss", "y": "val-a:loss", "x_data": "fineweb", "y_data": "starcoder"},
    ).json()
    assert len(t2t["rows"]) == 3


def test_frequencies_and_concept_scores(seeded_client):
    freqs = seeded_client.get("/api/corpora/laion/frequencies").json()
    assert {f["concept"]: f["count"] for f in freqs} == CONCEPT_COUNTS
    joined = seeded_client.get(
        "/api/frames/frequency",
        params={"corpus": "laion", "method": "lemmatized", "eval_set": "bench"},
    ).json()["rows"]
    # emu has a score but no count: left out.
    assert {r["concept"]: (r["count"], r["value"]) for r in joined} == {
        c: (CONCEPT_COUNTS[c], CONCEPT_SCORES[c]) for c in CONCEPT_COUNTS
    }
    scores = seeded_client.get("/api/concept-scores", params={"eval_set": "bench"}).json()
    assert len(scores["rows"]) == 3
    pairs = seeded_client.get(
        "/api/corpora/laion/pair-frequencies", params={"method": "lemmatized"}
    ).json()["rows"]
    assert pairs == [
        {"concept_a": "cat", "concept_b": "dog", "count_ab": 5, "count_a": 1000, "count_b": 10}
    ]


def test_coverage_grid(seeded_client):
    rows = seeded_client.get("/api/coverage").json()["rows"]
    assert len(rows) == 3 * 2
    assert all(r["measured"] for r in rows)
    cells = {(r["model"], r["eval_set"]): r["n_checkpoints"] for r in rows}
    assert cells[("b-small", "bench")] == 2 and cells[("a-small", "bench")] == 3
    narrowed = seeded_client.get(
        "/api/coverage", params={"model": "b-small", "eval_set": "bench", "format": "csv"}
    ).text
    assert list(csv.DictReader(io.StringIO(narrowed))) == [
        {
            "model": "b-small",
            "eval_set": "bench",
            "n_measurements": "2",
            "n_checkpoints": "2",
            "measured": "True",
        }
    ]
    models_only = seeded_client.get("/api/coverage", params={"family": "nobody"}).json()
    assert models_only["rows"] == []


def test_coverage_pages_and_holes(seeded_client):
    whole = seeded_client.get("/api/coverage").json()["rows"]
    page = seeded_client.get("/api/coverage", params={"limit": 2, "offset": 3})
    assert page.headers["X-Total-Count"] == str(len(whole))
    assert page.json()["rows"] == whole[3:5]
    dense = seeded_client.get("/api/coverage", params={"missing": "true"}).json()["rows"]
    assert [r for r in dense if r["measured"]] == whole  # every pair, the holes added


def test_uploads_listing(seeded_client):
    uploads = seeded_client.get("/api/uploads").json()
    assert len(uploads) == 1 and uploads[0]["filename"] == "seed.csv"
    one = seeded_client.get(f"/api/uploads/{uploads[0]['id']}").json()
    assert one["counts"] == {"measurements": N_MEASUREMENTS}


def test_csv_writes_whole_numbers_without_decimals(client):
    client.post(
        "/api/uploads/records",
        json={
            "measurements": [
                {"model": "m", "step": 143000, "eval_set": "e", "metric": "acc", "value": 0.5},
                {"model": "m", "revision": "final", "eval_set": "e", "metric": "acc", "value": 0.6},
            ]
        },
    )
    rows = list(csv.DictReader(io.StringIO(client.get("/api/measurements.csv").text)))
    assert sorted(r["step"] for r in rows) == ["", "143000"]
