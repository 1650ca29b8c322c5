"""Counts and similarities land in the tables the explorers read (SQLite and Postgres)."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import func, select

from backend import models
from backend.corpus.counting import count_corpus
from backend.corpus.duckdb_engine import DuckDBEngine
from backend.corpus.readers import resolve_shards
from backend.corpus.reference import count_captions_plain
from backend.corpus.similarity import SimilarityResult
from backend.corpus.store import (
    accuracy_vs_similarity_frame,
    similarity_frame,
    store_counts,
    store_similarity,
)
from backend.db import session_scope


def test_counts_are_stored_as_frequencies_and_reuploads_change_nothing(engine, corpus, vocabulary):
    paths, captions = corpus
    counts = count_corpus(
        shards=resolve_shards([str(p) for p in paths[:2]]),
        vocabulary=vocabulary,
        engine=DuckDBEngine(threads=1),
    )
    report = store_counts(engine=engine, counts=counts, corpus="toy-captions", source="cli")
    n, concepts, pairs = count_captions_plain(captions[:1400], vocabulary)
    with session_scope(engine) as session:
        stored = dict(
            session.execute(
                select(models.ConceptFrequency.concept, models.ConceptFrequency.count)
            ).all()
        )
        assert stored == {name: concepts[name] for name in vocabulary.names}
        stored_pairs = {
            (a, b): c
            for a, b, c in session.execute(
                select(
                    models.ConceptPairFrequency.concept_a,
                    models.ConceptPairFrequency.concept_b,
                    models.ConceptPairFrequency.count,
                )
            )
        }
        assert stored_pairs == dict(pairs)
        corpus_row = session.scalars(select(models.Corpus)).one()
        assert corpus_row.name == "toy-captions" and corpus_row.n_documents == n
        methods = set(session.scalars(select(models.ConceptFrequency.method)))
        assert methods == {counts.method}
    assert report.counts["concept_frequencies"].new == len(vocabulary.names)
    again = store_counts(engine=engine, counts=counts, corpus="toy-captions", source="cli")
    assert again.counts["concept_frequencies"].unchanged == len(vocabulary.names)


def test_similarities_replace_per_method_and_join_class_scores(engine):
    result = SimilarityResult(
        similarity=np.array([0.9, 0.5, 0.7], dtype=np.float32),
        nearest_ids=np.array([[4, 1], [2, 3], [0, 9]]),
        nearest_similarity=np.array([[0.9, 0.8], [0.5, 0.4], [0.7, 0.1]]),
        n_corpus=10,
        method="exact",
    )
    with session_scope(engine) as session:
        for _ in range(2):  # the second run replaces the first
            store_similarity(
                session=session,
                corpus="toy",
                eval_set="toy-bench",
                method="m exact",
                samples=["a.jpg", "b.jpg", "c.jpg"],
                labels=["dog", "dog", "cat"],
                result=result,
            )
        model = models.Model(name="m1")
        session.add(model)
        session.flush()
        checkpoint = models.Checkpoint(model_id=model.id, revision="final")
        session.add(checkpoint)
        session.flush()
        bench = session.scalar(select(models.EvalSet).where(models.EvalSet.name == "toy-bench"))
        for concept, value in (("dog", 0.8), ("cat", 0.3)):
            session.add(
                models.ConceptScore(
                    checkpoint_id=checkpoint.id,
                    eval_set_id=bench.id,
                    metric="acc1",
                    concept=concept,
                    value=value,
                )
            )
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(models.TrainTestSimilarity)) == 3
        frame = similarity_frame(session=session, corpus="toy", eval_set="toy-bench")
        assert frame["nearest_ids"].tolist() == [[4, 1], [2, 3], [0, 9]]
        joined = accuracy_vs_similarity_frame(session=session, corpus="toy", eval_set="toy-bench")
        by_class = joined.set_index("concept")
        assert by_class.loc["dog", "mean_similarity"] == pytest.approx(0.7, abs=1e-6)
        assert by_class.loc["cat", "accuracy"] == 0.3 and by_class.loc["dog", "n_images"] == 2
