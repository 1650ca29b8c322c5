"""Critical (issue 13): a job must not read files outside the allowed roots, so an editor cannot
read the secret key, ``.env`` or the database through a corpus or evaluation job.

With no ``SCALESCOPE_WORKER_ROOTS``, only the data directory's ``uploads`` and ``datasets``
folders are readable; paths are resolved (``..``, symlinks) and checked at submit (422) and
again by the worker before it opens anything."""

from __future__ import annotations

import pytest
from sqlalchemy import insert

from backend import db
from backend.config import get_settings
from backend.corpus.tasks import COUNT_KIND
from backend.models import Checkpoint, EvalJob, EvalSet, Model
from backend.worker.runner import run_job


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """A data directory with secrets beside the default roots, and no configured roots."""
    data = tmp_path / "data"
    for name in ("uploads", "datasets"):
        (data / name).mkdir(parents=True)
    (data / "secret_key").write_text("s3cret")
    (data / "scalescope.db").write_text("sqlite")
    (data / "datasets" / "captions.txt").write_text("a dog\na cat\n")
    (data / "datasets" / ".env").write_text("SCALESCOPE_SECRET_KEY=s3cret")
    (data / "uploads" / "link.txt").symlink_to(data / "secret_key")
    monkeypatch.setenv("SCALESCOPE_DATA_DIR", str(data))
    monkeypatch.setenv("SCALESCOPE_WORKER_ROOTS", "[]")
    monkeypatch.setenv("SCALESCOPE_BROKER_URL", "")
    get_settings.cache_clear()
    yield data
    get_settings.cache_clear()


def _count_job(instance, source: str):
    body = {
        "kind": COUNT_KIND,
        "spec": {"corpus": "leak", "sources": [source], "min_count": 1},
    }
    return instance.client.post("/api/corpus/jobs", json=body, headers=instance.headers("editor"))


@pytest.mark.parametrize(
    "source",
    [
        "/etc/passwd",
        "{data}/secret_key",
        "{data}/scalescope.db",
        "{data}/uploads/../secret_key",
        "{data}/uploads/link.txt",
        "{data}/datasets/.env",
        "{data}/*",
        "file://{data}/secret_key",
    ],
)
def test_corpus_job_outside_the_roots_is_refused_at_submit(instance, data_dir, source):
    response = _count_job(instance, source.format(data=data_dir))
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "ValidationError"
    if "/.env" not in source:
        assert str(data_dir / "uploads") in body["detail"]  # names the allowed roots


def test_corpus_job_under_the_default_roots_is_accepted(instance, data_dir):
    response = _count_job(instance, str(data_dir / "datasets" / "captions.txt"))
    assert response.status_code == 201, response.text


def test_evaluation_job_with_weights_outside_the_roots_is_refused(instance, data_dir):
    engine = db.get_engine(instance.database_url)
    with db.session_scope(engine) as session:
        model = Model(name="m", architecture="ViT-B-32")
        session.add(model)
        session.flush()
        checkpoint = Checkpoint(model_id=model.id, revision="final", weights_uri="/etc/passwd")
        eval_set = EvalSet(name="e", attributes={"path": str(data_dir / "datasets")})
        session.add_all([checkpoint, eval_set])
        session.flush()
        ids = {"checkpoint_ids": [checkpoint.id], "eval_set_ids": [eval_set.id]}
    response = instance.client.post("/api/jobs", json=ids, headers=instance.headers("editor"))
    assert response.status_code == 422, response.text
    assert "outside the worker roots" in response.json()["detail"]


def test_the_worker_checks_again_before_opening(instance, data_dir):
    """A job row that names a secret (written before the roots changed, or directly) fails in
    the worker without reading it."""
    engine = db.get_engine(instance.database_url)
    spec = {"corpus": "leak", "sources": [str(data_dir / "secret_key")], "min_count": 1}
    with db.session_scope(engine) as session:
        job_id = session.execute(
            insert(EvalJob)
            .values(kind=COUNT_KIND, spec=spec, dedupe_key="x", message="queued")
            .returning(EvalJob.id)
        ).scalar_one()
    assert run_job(job_id, engine=engine) == "failed"
    with db.session_scope(engine) as session:
        assert "outside the worker roots" in session.get(EvalJob, job_id).error
