"""Medium (issue 13): provenance is the authenticated principal, never a value the request
brings (``created_by`` in a body or form) nor a literal such as "web"."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from backend import db
from backend.models import Checkpoint, EvalJob, EvalSet, Model, Upload
from tests.backend.access.conftest import make_instance
from tests.backend.access.dash_calls import callback_body, server_callbacks

CSV = "model,revision,eval_set,metric,value\nm,final,e,acc,0.5\n"


@pytest.fixture
def public(sqlite_url, secret_key):
    made = make_instance(sqlite_url, "public")
    with made.client:
        made.client.get("/")
        yield made


def _rows(instance, model):
    with db.session_scope(db.get_engine(instance.database_url)) as session:
        return [row.created_by for row in session.scalars(select(model).order_by(model.id))]


def test_uploads_record_the_caller_not_the_form(public):
    editor = public.headers("editor")
    response = public.client.post(
        "/api/uploads",
        files={"file": ("a.csv", CSV.encode(), "text/csv")},
        data={"created_by": "admin"},
        headers=editor,
    )
    assert response.status_code == 201, response.text
    records = {
        "measurements": [
            {"model": "m", "revision": "final", "eval_set": "e", "metric": "n", "value": 1}
        ],
        "created_by": "admin",
    }
    response = public.client.post("/api/uploads/records", json=records, headers=editor)
    assert response.status_code == 201, response.text
    assert _rows(public, Upload) == ["editor", "editor"]


def _targets(instance, data_dir: str) -> dict:
    with db.session_scope(db.get_engine(instance.database_url)) as session:
        model = Model(name="clip", architecture="ViT-B-32")
        session.add(model)
        session.flush()
        checkpoint = Checkpoint(model_id=model.id, revision="final", weights_uri="openclip:x")
        eval_set = EvalSet(name="bench", attributes={"path": data_dir})
        session.add_all([checkpoint, eval_set])
        session.flush()
        return {"checkpoint_ids": [checkpoint.id], "eval_set_ids": [eval_set.id]}


def test_jobs_record_the_caller_not_the_body(public, tmp_path):
    editor = public.headers("editor")
    ids = _targets(public, str(tmp_path))
    response = public.client.post("/api/jobs", json={**ids, "created_by": "admin"}, headers=editor)
    assert response.status_code == 201, response.text
    corpus = {
        "kind": "corpus_concept_counts",
        "spec": {"corpus": "c", "sources": [str(tmp_path / "x.txt")], "min_count": 1},
        "created_by": "admin",
    }
    response = public.client.post("/api/corpus/jobs", json=corpus, headers=editor)
    assert response.status_code == 201, response.text
    assert _rows(public, EvalJob) == ["editor", "editor"]


def test_dashboard_writes_record_the_logged_in_user(public, tmp_path):
    """The upload page sends files to the API (recorded as above); launching jobs runs in a
    callback, which records the caller, not the literal "web"."""
    callbacks = server_callbacks(public.client.app)
    editor = public.headers("editor")
    ids = _targets(public, str(tmp_path))
    body = callback_body(
        callbacks["app.pages.jobs.launch"],
        {"jobs-launch": 1, "jobs-checkpoints": ids["checkpoint_ids"]}
        | {"jobs-eval-sets": ids["eval_set_ids"]},
        ["jobs-launch.n_clicks"],
    )
    response = public.client.post("/_dash-update-component", json=body, headers=editor)
    assert "Queued 1 job" in response.text, response.text[:400]
    assert _rows(public, EvalJob) == ["editor"]
