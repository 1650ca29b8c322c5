"""PMI from counts, and train-test similarity on synthetic embeddings."""

from __future__ import annotations

import math

import numpy as np
import pytest

from backend.corpus.counts import METHOD, CorpusCounts
from backend.corpus.pmi import pair_pmi
from backend.corpus.similarity import embedding_shards, max_similarity
from backend.exceptions import IngestError


def test_pmi_of_a_hand_computed_pair():
    counts = CorpusCounts(
        method=METHOD,
        n_documents=1000,
        n_shards=1,
        concepts={"dog": 100, "ball": 50, "cat": 10},
        pairs={("ball", "dog"): 20, ("cat", "dog"): 1},
    )
    by_pair = {(p.concept_a, p.concept_b): p for p in pair_pmi(counts)}
    # log((20 + 1) * 1000 / ((50 + 1) * (100 + 1))) = log(21000 / 5151)
    assert by_pair[("ball", "dog")].pmi == pytest.approx(math.log(21000 / 5151), rel=1e-12)
    assert by_pair[("cat", "dog")].pmi == pytest.approx(math.log(2 * 1000 / (11 * 101)))
    assert by_pair[("ball", "dog")].count == 20


def _corpus(tmp_path, rng, n_rows=6000, dim=32, n_shards=3):
    corpus = rng.standard_normal((n_rows, dim)).astype(np.float32)
    corpus /= np.linalg.norm(corpus, axis=1, keepdims=True)
    folder = tmp_path / "emb" / "img_emb"
    folder.mkdir(parents=True)
    bounds = np.linspace(0, n_rows, n_shards + 1).astype(int)
    for i, (lo, hi) in enumerate(zip(bounds[:-1], bounds[1:], strict=True)):
        np.save(folder / f"img_emb_{i}.npy", corpus[lo:hi].astype(np.float16))
    return corpus, tmp_path / "emb"


@pytest.mark.parametrize("method", ["exact", "faiss"])
def test_similarity_finds_planted_near_duplicates(tmp_path, method):
    rng = np.random.default_rng(3)
    corpus, root = _corpus(tmp_path, rng, n_rows=12000, n_shards=11)
    planted = rng.choice(len(corpus), size=40, replace=False)
    duplicates = corpus[planted] + 0.02 * rng.standard_normal((40, corpus.shape[1]))
    fresh = rng.standard_normal((40, corpus.shape[1]))
    queries = np.vstack([duplicates * 3.0, fresh]).astype(np.float32)  # scale must not matter
    shards = embedding_shards([root])
    assert [p.name for p in shards][:3] == ["img_emb_0.npy", "img_emb_1.npy", "img_emb_2.npy"]
    result = max_similarity(queries=queries, shards=shards, k=3, method=method, chunk_rows=500)
    assert result.n_corpus == 12000 and result.method == method
    assert (result.nearest_ids[:40, 0] == planted).all()
    assert (result.similarity[:40] > 0.98).all()
    assert (result.similarity[40:] < 0.9).all()
    if method == "exact":  # the brute-force answer, computed directly
        q = queries / np.linalg.norm(queries, axis=1, keepdims=True)
        full = q @ corpus.astype(np.float16).astype(np.float32).T
        np.testing.assert_allclose(result.similarity, full.max(axis=1), atol=2e-3)
        np.testing.assert_array_equal(result.nearest_ids[:, 0], full.argmax(axis=1))
        assert (np.diff(result.nearest_similarity, axis=1) <= 0).all()


def test_similarity_errors(tmp_path):
    rng = np.random.default_rng(0)
    _, root = _corpus(tmp_path, rng, n_rows=100, dim=8, n_shards=1)
    shards = embedding_shards([root])
    with pytest.raises(
        IngestError, match=r"img_emb_0.npy: expected an array of shape \(rows, 16\)"
    ):
        max_similarity(queries=np.ones((2, 16)), shards=shards)
    bad = tmp_path / "bad.npy"
    bad.write_bytes(b"not numpy")
    with pytest.raises(IngestError, match="bad.npy: unreadable embedding shard"):
        max_similarity(queries=np.ones((2, 8)), shards=[bad])
    with pytest.raises(IngestError, match="no embedding shard"):
        embedding_shards([str(tmp_path / "none" / "*.npy")])
