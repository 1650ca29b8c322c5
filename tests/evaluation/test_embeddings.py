"""Per-image embeddings and predictions, and the torch similarity scorer."""

from __future__ import annotations

import numpy as np
import pytest

from backend.evaluation.embeddings import embed_dataset, torch_scorer
from backend.evaluation.testing import zero_shot_spec

pytestmark = pytest.mark.worker


def test_embeddings_line_up_with_the_zero_shot_result(checkpoint, bench, folder_result):
    out = embed_dataset(zero_shot_spec(checkpoint, bench, "csv", batch_size=20))
    assert out.vectors.shape == (bench.n_images, 32)
    np.testing.assert_allclose(np.linalg.norm(out.vectors, axis=1), 1.0, rtol=1e-5)
    assert out.correct.mean() == pytest.approx(folder_result.metric("top1").value)
    for index, name in enumerate(out.classnames):
        rows = out.targets == index
        assert out.correct[rows].mean() == pytest.approx(folder_result.per_class_values[name][0])


def test_torch_scorer_agrees_with_numpy():
    rng = np.random.default_rng(0)
    queries, chunk = rng.normal(size=(5, 16)), rng.normal(size=(40, 16))
    sims, rows = torch_scorer("cpu")(queries, chunk, 3)
    expected = queries @ chunk.T
    np.testing.assert_array_equal(rows, np.argsort(-expected, axis=1)[:, :3])
    np.testing.assert_allclose(sims, np.take_along_axis(expected, rows, 1), rtol=1e-5)
    other = rng.normal(size=(2, 16))
    assert torch_scorer("cpu")(other, chunk, 50)[0].shape == (2, 40)
