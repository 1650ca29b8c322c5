"""A similarity job that embeds a benchmark's images with open_clip on the worker."""

from __future__ import annotations

import numpy as np
import pytest

from backend import db
from backend.config import get_settings
from backend.corpus import jobs as corpus_jobs
from backend.corpus.store import accuracy_by_similarity, similarity_frame
from backend.corpus.tasks import SIMILARITY_KIND
from backend.worker.runner import run_job

pytestmark = pytest.mark.worker


def test_embedded_benchmark_finds_its_planted_corpus_rows(
    session, engine, tmp_path, monkeypatch, local_job_queue
):
    from backend.evaluation.embeddings import embed_dataset
    from backend.evaluation.testing import write_synthetic_benchmark, zero_shot_spec

    monkeypatch.setenv("SCALESCOPE_BROKER_URL", "")
    get_settings.cache_clear()
    bench = write_synthetic_benchmark(tmp_path / "bench")
    evaluation = zero_shot_spec(None, bench, "csv", batch_size=16).model_dump(mode="json")
    own = embed_dataset(evaluation).vectors
    rng = np.random.default_rng(0)
    corpus = rng.standard_normal((400, own.shape[1])).astype(np.float32)
    planted = rng.choice(400, size=len(own), replace=False)
    corpus[planted] = own + 1e-3 * rng.standard_normal(own.shape)
    np.save(tmp_path / "img_emb_0.npy", corpus)
    spec = {
        "corpus": "toy",
        "eval_set": "synthetic",
        "corpus_embeddings": [str(tmp_path / "img_emb_0.npy")],
        "evaluation": evaluation,
        "embedding_model": "tiny",
        "k": 1,
    }
    job_id = corpus_jobs.submit(session=session, kind=SIMILARITY_KIND, spec=spec).job.id
    try:
        assert run_job(job_id, engine=engine) == "succeeded"
    finally:
        get_settings.cache_clear()
    with db.session_scope(engine) as s:
        frame = similarity_frame(session=s, corpus="toy", eval_set="synthetic")
    frame = frame.assign(row=frame["sample"].astype(int)).sort_values("row")
    assert [ids[0] for ids in frame["nearest_ids"]] == planted.tolist()
    assert (frame["similarity"] > 0.99).all() and frame["correct"].notna().all()
    bins = accuracy_by_similarity(frame, bins=4)
    assert bins["n_images"].sum() == len(own) == bench.n_images
    assert bins["accuracy"].between(0, 1).all()
