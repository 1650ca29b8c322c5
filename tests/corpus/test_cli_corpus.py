"""``scalescope corpus count`` and ``corpus similarity`` as real subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
from sqlalchemy import func, select

from backend import db, models
from backend.corpus.reference import count_captions_plain
from backend.corpus.vocabulary import vocabulary_from_names


def _scalescope(url: str, data_dir, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "SCALESCOPE_DATABASE_URL": url, "SCALESCOPE_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [sys.executable, "-m", "backend.cli", "corpus", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_count_stores_frequencies_and_resumes(sqlite_url, tmp_path, corpus):
    paths, captions = corpus
    args = [str(paths[0]), str(paths[1]), "--corpus", "toy", "--concepts", "dog, golden retriever"]
    out = tmp_path / "counts.json"
    first = _scalescope(sqlite_url, tmp_path, "count", *args, "--output", str(out))
    assert first.returncode == 0, first.stderr
    assert "1,400 documents in 2 shards (0 resumed)" in first.stdout
    vocab = vocabulary_from_names(["dog", "golden retriever"])
    _, concepts, pairs = count_captions_plain(captions[:1400], vocab)
    written = json.loads(out.read_text())
    assert written["concepts"] == {
        "dog": concepts["dog"],
        "golden retriever": concepts["golden retriever"],
    }
    assert written["pairs"] == [["dog", "golden retriever", pairs[("dog", "golden retriever")]]]
    again = _scalescope(sqlite_url, tmp_path, "count", *args)
    assert again.returncode == 0 and "(2 resumed)" in again.stdout
    engine = db.get_engine(sqlite_url)
    with db.session_scope(engine) as session:
        stored = dict(
            session.execute(
                select(models.ConceptFrequency.concept, models.ConceptFrequency.count)
                .join(models.Corpus)
                .where(models.Corpus.name == "toy")
            ).all()
        )
    assert stored == written["concepts"]


def test_count_errors_are_one_clear_line(tmp_path, corpus, monkeypatch, capsys):
    from backend.cli import main
    from backend.config import get_settings

    monkeypatch.setenv("SCALESCOPE_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    paths, _ = corpus
    base = ["corpus", "count", str(paths[0]), "--corpus", "x", "--no-store"]
    try:
        assert main([*base, "--column", "text", "--concepts", "dog"]) == 1
        assert f"{paths[0]}, column 'text': no such column" in capsys.readouterr().err
        assert main([*base, "--concepts", "the, of"]) == 1
        assert "vocabulary is empty" in capsys.readouterr().err
    finally:
        get_settings.cache_clear()


def test_similarity_stores_per_image_rows(sqlite_url, tmp_path):
    rng = np.random.default_rng(5)
    corpus = rng.standard_normal((500, 16)).astype(np.float32)
    (tmp_path / "emb" / "img_emb").mkdir(parents=True)
    np.save(tmp_path / "emb" / "img_emb" / "img_emb_0.npy", corpus[:250])
    np.save(tmp_path / "emb" / "img_emb" / "img_emb_1.npy", corpus[250:])
    tests = np.vstack([corpus[[7, 300]], rng.standard_normal((1, 16))]).astype(np.float32)
    np.save(tmp_path / "test.npy", tests)
    (tmp_path / "samples.csv").write_text("sample,label\na.jpg,dog\nb.jpg,cat\nc.jpg,cat\n")
    result = _scalescope(
        sqlite_url, tmp_path, "similarity", "--corpus", "toy-emb", "--eval-set", "toy-bench",
        "--test-embeddings", str(tmp_path / "test.npy"), "--samples-file",
        str(tmp_path / "samples.csv"), "--corpus-embeddings", str(tmp_path / "emb"),
        "--k", "2", "--output", str(tmp_path / "sim.csv"),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    rows = (tmp_path / "sim.csv").read_text().splitlines()[1:]
    assert rows[0].startswith("a.jpg,1.000000,7 ") and rows[1].startswith("b.jpg,1.000000,300 ")
    with db.session_scope(db.get_engine(sqlite_url)) as session:
        count = session.scalar(
            select(func.count())
            .select_from(models.TrainTestSimilarity)
            .join(models.Corpus)
            .where(models.Corpus.name == "toy-emb")
        )
    assert count == 3


def test_submit_queues_one_job(sqlite_url, tmp_path, corpus, monkeypatch, capsys):
    from backend.cli import main
    from backend.config import get_settings

    monkeypatch.setenv("SCALESCOPE_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("SCALESCOPE_BROKER_URL", "")
    get_settings.cache_clear()
    paths, _ = corpus
    argv = ["corpus", "count", str(paths[0]), "--corpus", "queued", "--min-count", "5", "--submit"]
    try:
        assert main(argv) == 0
        first = capsys.readouterr().out
        assert main(argv) == 0
        second = capsys.readouterr().out
    finally:
        get_settings.cache_clear()
    job_id = int(first.split()[1].rstrip(":"))
    assert "queued" in first and f"job {job_id}: already queued" in second
    with db.session_scope(db.get_engine(sqlite_url)) as session:
        job = session.get(models.EvalJob, job_id)
        assert job.kind == "corpus_concept_counts" and job.spec["min_count"] == 5
        session.delete(job)
