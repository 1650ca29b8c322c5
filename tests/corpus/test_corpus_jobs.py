"""Corpus counting and similarity as queued jobs, run by the worker's ``run_job``."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sqlalchemy import select

from backend import db, models
from backend.config import get_settings
from backend.corpus import jobs as corpus_jobs
from backend.corpus.reference import count_captions_plain
from backend.corpus.tasks import COUNT_KIND, SIMILARITY_KIND
from backend.corpus.vocabulary import vocabulary_from_names
from backend.exceptions import ValidationError
from backend.worker.runner import run_job


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch, tmp_path, local_job_queue):
    """No broker and no local executor here: the test runs the job itself."""
    monkeypatch.setenv("SCALESCOPE_BROKER_URL", "")
    monkeypatch.setenv("SCALESCOPE_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _job(engine, job_id) -> models.EvalJob:
    with db.session_scope(engine) as session:
        return session.get(models.EvalJob, job_id)


def test_count_job_stores_frequencies_tagged_with_the_job(session, engine, corpus):
    paths, captions = corpus
    spec = {"corpus": "toy", "sources": [str(paths[1])], "concepts": ["dog", "Cat", "hot dog"]}
    submitted = corpus_jobs.submit(session=session, kind=COUNT_KIND, spec=spec)
    twin = corpus_jobs.submit(session=session, kind=COUNT_KIND, spec=spec)
    assert submitted.created and not twin.created and twin.job.id == submitted.job.id
    job_id = submitted.job.id
    assert run_job(job_id, engine=engine) == "succeeded"
    job = _job(engine, job_id)
    assert (job.status, job.progress) == ("succeeded", 1.0)
    assert job.result["n_documents"] == 700 and "wrote upload" in job.log_tail
    _, concepts, _ = count_captions_plain(
        captions[700:1400], vocabulary_from_names(["dog", "Cat", "hot dog"])
    )
    stored = dict(
        session.execute(
            select(models.ConceptFrequency.concept, models.ConceptFrequency.count).where(
                models.ConceptFrequency.job_id == job_id
            )
        ).all()
    )
    assert stored == {name: concepts[name] for name in ("dog", "Cat", "hot dog")}


def test_similarity_job_and_failures(session, engine, tmp_path):
    rng = np.random.default_rng(2)
    corpus = rng.standard_normal((300, 8)).astype(np.float32)
    np.save(tmp_path / "img_emb_0.npy", corpus)
    np.save(tmp_path / "test.npy", corpus[[3, 200]] + 0.01)
    spec = {
        "corpus": "toy",
        "eval_set": "toy-bench",
        "corpus_embeddings": [str(tmp_path / "img_emb_0.npy")],
        "test_embeddings": str(tmp_path / "test.npy"),
        "k": 2,
    }
    job_id = corpus_jobs.submit(session=session, kind=SIMILARITY_KIND, spec=spec).job.id
    assert run_job(job_id, engine=engine) == "succeeded"
    nearest = session.scalars(
        select(models.TrainTestSimilarity.nearest_ids).order_by(models.TrainTestSimilarity.sample)
    ).all()
    assert [ids[0] for ids in nearest] == [3, 200]
    broken = {**spec, "corpus_embeddings": [str(tmp_path / "missing.npy")]}
    failing = corpus_jobs.submit(session=session, kind=SIMILARITY_KIND, spec=broken).job.id
    assert run_job(failing, engine=engine) == "failed"
    assert "missing.npy" in _job(engine, failing).error
    with pytest.raises(ValidationError, match="exactly one vocabulary"):
        corpus_jobs.submit(
            session=session, kind=COUNT_KIND, spec={"corpus": "x", "sources": ["a.parquet"]}
        )


def test_jobs_only_read_files_under_the_worker_roots(
    session, engine, corpus, monkeypatch, tmp_path
):
    """Refused at submit; a job queued before the roots changed fails in the worker."""
    paths, _ = corpus
    spec = {"corpus": "toy", "sources": [str(paths[0])], "concepts": ["dog"]}
    job_id = corpus_jobs.submit(session=session, kind=COUNT_KIND, spec=spec).job.id
    monkeypatch.setenv("SCALESCOPE_WORKER_ROOTS", json.dumps([str(tmp_path / "allowed")]))
    get_settings.cache_clear()
    with pytest.raises(ValidationError, match="outside the worker roots"):
        corpus_jobs.submit(session=session, kind=COUNT_KIND, spec={**spec, "pairs": False})
    assert run_job(job_id, engine=engine) == "failed"
    assert "outside the worker roots" in _job(engine, job_id).error


def test_embedded_similarity_reads_only_under_the_worker_roots(
    session, engine, tmp_path, monkeypatch
):
    """The test side's checkpoint, and the images its CSV names, are confined too."""
    pytest.importorskip("open_clip")
    from backend.evaluation.testing import write_synthetic_benchmark, zero_shot_spec

    root = tmp_path / "allowed"
    bench = write_synthetic_benchmark(tmp_path / "elsewhere", per_class=1, shards=1)
    root.mkdir()
    np.save(root / "img_emb_0.npy", np.ones((4, 8), np.float32))
    image = bench.folder / bench.classnames[0] / "000.png"
    (root / "labels.csv").write_text(f"image,label\n{image},{bench.classnames[0]}\n")
    evaluation = zero_shot_spec(None, bench, "csv").model_dump(mode="json")
    evaluation["dataset"]["path"] = str(root / "labels.csv")
    monkeypatch.setenv("SCALESCOPE_WORKER_ROOTS", json.dumps([str(root)]))
    get_settings.cache_clear()
    spec = {
        "corpus": "toy",
        "eval_set": "synthetic",
        "corpus_embeddings": [str(root / "img_emb_0.npy")],
        "evaluation": evaluation,
    }
    job_id = corpus_jobs.submit(session=session, kind=SIMILARITY_KIND, spec=spec).job.id
    assert run_job(job_id, engine=engine) == "failed"
    assert "1 files lie outside the worker roots" in _job(engine, job_id).error
    evaluation["model"]["checkpoint"] = str(tmp_path / "elsewhere" / "weights.pt")
    evaluation["model"].pop("random_weights", None)
    with pytest.raises(ValidationError, match="weights.pt' lies outside the worker roots"):
        corpus_jobs.submit(session=session, kind=SIMILARITY_KIND, spec=spec)
