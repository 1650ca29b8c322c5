"""Train-test similarity view: stored per-image similarities -> bins and per-class points."""

from __future__ import annotations

import numpy as np
import pytest

from app.views.similarity import build_similarity_view, choice_options
from backend import models
from backend.corpus.similarity import SimilarityResult
from backend.corpus.store import store_similarity


def test_view_bins_images_and_plots_class_scores(session):
    similarity = np.linspace(0.3, 0.9, 20, dtype=np.float32)
    labels = ["dog" if i % 2 else "cat" for i in range(20)]
    result = SimilarityResult(
        similarity=similarity,
        nearest_ids=np.arange(20)[:, None],
        nearest_similarity=similarity[:, None],
        n_corpus=100,
        method="exact",
    )
    store_similarity(
        session=session,
        corpus="toy",
        eval_set="bench",
        method="tiny exact",
        samples=[str(i) for i in range(20)],
        labels=labels,
        correct=[i >= 10 for i in range(20)],  # the 10 most similar images are right
        result=result,
    )
    model = models.Model(name="m")
    session.add(model)
    session.flush()
    checkpoint = models.Checkpoint(model_id=model.id, revision="final")
    session.add(checkpoint)
    session.flush()
    bench = session.query(models.EvalSet).filter_by(name="bench").one()
    for concept, value in (("dog", 0.6), ("cat", 0.4)):
        session.add(
            models.ConceptScore(
                checkpoint_id=checkpoint.id,
                eval_set_id=bench.id,
                metric="acc1",
                concept=concept,
                value=value,
            )
        )
    session.flush()
    (option,) = choice_options(session)
    assert option["label"] == "bench vs toy · tiny exact"
    figure, summary = build_similarity_view(session, option["value"])
    per_class, bins = figure.data
    assert list(bins.y) == [0.0] * 5 + [1.0] * 5
    assert list(bins.customdata) == [2] * 10
    assert np.allclose(bins.x, similarity.reshape(10, 2).mean(axis=1))
    by_concept = dict(zip(per_class.text, per_class.y, strict=True))
    assert by_concept == {"cat": 0.4, "dog": 0.6}
    cat_mean = similarity[[i for i in range(20) if labels[i] == "cat"]].mean()
    assert dict(zip(per_class.text, per_class.x, strict=True))["cat"] == pytest.approx(cat_mean)
    assert "20 test images" in summary and "accuracy 50.0%" in summary
