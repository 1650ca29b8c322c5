"""Train-test similarity (Mayilvahanan et al. 2024): how close is each test image to the corpus?

For each test image embedding, the maximum cosine similarity to any corpus image embedding, and
the corpus rows that reach it. Corpus embeddings are read from ``.npy`` shards as clip-retrieval
writes them (``img_emb/img_emb_0.npy``, ``img_emb_1.npy``, ...; float16 or float32, one row per
image, rows in the order of ``metadata/metadata_<i>.parquet``); a corpus row id is the row's
position in the concatenation of the shards in that (natural) order.

Two methods:

- ``exact``: chunked matrix products ``Q @ Cᵀ`` over memory-mapped shards, keeping a running
  top-k per query (numpy on CPU; a ``scorer`` from :mod:`backend.evaluation` runs the same
  products on a GPU);
- ``faiss``: an inverted-file index (``IndexIVFFlat``, inner product on normalized vectors)
  for corpora too large to scan per request; approximate, ``nprobe`` lists searched.

``auto`` picks exact up to :data:`EXACT_MAX_ROWS` corpus rows and faiss beyond.
"""

from __future__ import annotations

import glob
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from backend.exceptions import IngestError, IngestProblem, ValidationError

EXACT_MAX_ROWS = 20_000_000
_SCORE_BLOCK = 1 << 24  # entries of one similarity block (64 MiB of float32)

#: scorer(queries, chunk, k) -> (top-k similarities, top-k row indices within the chunk)
Scorer = Callable[[np.ndarray, np.ndarray, int], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class SimilarityResult:
    """Per test image: the best similarity and its corpus rows (``k`` nearest, best first)."""

    similarity: np.ndarray  # (n_queries,) max cosine similarity
    nearest_ids: np.ndarray  # (n_queries, k) corpus row ids
    nearest_similarity: np.ndarray  # (n_queries, k)
    n_corpus: int
    method: str


def _natural_key(text: str) -> list:
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text)]


def embedding_shards(sources: Sequence[str | Path]) -> list[Path]:
    """The ``.npy`` shards named by ``sources`` (files, folders, globs), in natural order.

    A folder that holds an ``img_emb`` folder (clip-retrieval's output) means that folder.
    """
    found: list[Path] = []
    for source in map(str, sources):
        if any(ch in source for ch in "*?["):
            matches = [Path(p) for p in glob.glob(source, recursive=True)]
        elif Path(source).is_dir():
            root = Path(source) / "img_emb" if (Path(source) / "img_emb").is_dir() else Path(source)
            matches = list(root.glob("*.npy"))
        else:
            matches = [Path(source)]
        matches = sorted(matches, key=lambda p: _natural_key(p.name))
        if not matches:
            raise IngestError(IngestProblem("no embedding shard (.npy) matches this path", source))
        for path in matches:
            if not path.is_file():
                raise IngestError(IngestProblem("no such file", file=str(path)))
            if path not in found:
                found.append(path)
    return found


def _open_shard(path: Path, dim: int | None) -> np.ndarray:
    try:
        array = np.load(path, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise IngestError(IngestProblem(f"unreadable embedding shard: {exc}", str(path))) from exc
    if array.ndim != 2 or (dim is not None and array.shape[1] != dim):
        want = f"(rows, {dim})" if dim is not None else "(rows, dim)"
        raise IngestError(
            IngestProblem(f"expected an array of shape {want}, found {array.shape}", str(path))
        )
    if not np.issubdtype(array.dtype, np.floating):
        raise IngestError(IngestProblem(f"expected floats, found {array.dtype}", str(path)))
    return array


def normalize_rows(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length, as float32 (zero rows stay zero)."""
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms > 0, norms, 1.0)


def numpy_scorer(queries: np.ndarray, chunk: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Top-``k`` inner products of each query with the rows of ``chunk`` (CPU, BLAS)."""
    scores = queries @ chunk.T
    if k == 1:
        best = scores.argmax(axis=1)[:, None]
    else:
        k = min(k, scores.shape[1])
        best = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    return np.take_along_axis(scores, best, axis=1), best


def _merge_top_k(sims, ids, new_sims, new_ids, k):
    sims = np.concatenate([sims, new_sims], axis=1)
    ids = np.concatenate([ids, new_ids], axis=1)
    order = np.argsort(-sims, axis=1, kind="stable")[:, :k]
    return np.take_along_axis(sims, order, axis=1), np.take_along_axis(ids, order, axis=1)


def max_similarity(
    *,
    queries: np.ndarray,
    shards: Sequence[Path],
    k: int = 1,
    method: str = "auto",
    scorer: Scorer | None = None,
    chunk_rows: int | None = None,
    nprobe: int = 32,
    progress: Callable[[int, int, str], None] | None = None,
    should_cancel: Callable[[], bool] | None = None,
) -> SimilarityResult:
    """For each query row, its ``k`` most similar corpus rows by cosine similarity."""
    queries = np.atleast_2d(np.asarray(queries))
    if queries.ndim != 2 or len(queries) == 0:
        raise ValidationError("no test embeddings to compare")
    if k < 1:
        raise ValidationError("k must be at least 1")
    if not shards:
        raise ValidationError("no corpus embedding shards")
    arrays = [_open_shard(Path(p), queries.shape[1]) for p in shards]
    n_corpus = sum(len(a) for a in arrays)
    if n_corpus == 0:
        raise ValidationError("the corpus embeddings are empty")
    if method == "auto":
        method = "exact" if n_corpus <= EXACT_MAX_ROWS else "faiss"
    q = normalize_rows(queries)
    if method == "exact":
        sims, ids = _exact(
            q, arrays, k, scorer or numpy_scorer, chunk_rows, progress, should_cancel
        )
    elif method == "faiss":
        sims, ids = _faiss(q, arrays, k, nprobe, progress, should_cancel)
    else:
        raise ValidationError(f"unknown similarity method {method!r} (auto, exact or faiss)")
    return SimilarityResult(
        similarity=sims[:, 0].copy(),
        nearest_ids=ids,
        nearest_similarity=sims,
        n_corpus=n_corpus,
        method=method,
    )


def _check_cancel(should_cancel, done: int, total: int) -> None:
    if should_cancel and should_cancel():
        from backend.corpus.counting import CountingCancelled

        raise CountingCancelled(f"cancelled after {done} of {total} embedding shards")


def _exact(q, arrays, k, scorer, chunk_rows, progress, should_cancel):
    n = len(q)
    chunk_rows = chunk_rows or max(1024, _SCORE_BLOCK // max(1, n))
    sims = np.full((n, 0), -np.inf, dtype=np.float32)
    ids = np.zeros((n, 0), dtype=np.int64)
    offset = 0
    for index, array in enumerate(arrays):
        _check_cancel(should_cancel, index, len(arrays))
        for start in range(0, len(array), chunk_rows):
            chunk = normalize_rows(array[start : start + chunk_rows])
            top_sims, top_rows = scorer(q, chunk, k)
            top_ids = np.asarray(top_rows, dtype=np.int64) + offset + start
            sims, ids = _merge_top_k(sims, ids, np.asarray(top_sims, np.float32), top_ids, k)
        offset += len(array)
        if progress:
            progress(index + 1, len(arrays), f"compared with {offset:,} corpus embeddings")
    return sims, ids


def _faiss(q, arrays, k, nprobe, progress, should_cancel):
    import faiss

    dim = q.shape[1]
    n_corpus = sum(len(a) for a in arrays)
    n_lists = max(1, min(int(4 * np.sqrt(n_corpus)), n_corpus // 39))
    sample_rows = min(n_corpus, max(n_lists * 39, 10_000), 256 * n_lists)
    rng = np.random.default_rng(0)
    picks = np.sort(rng.choice(n_corpus, size=sample_rows, replace=False))
    bounds = np.cumsum([0] + [len(a) for a in arrays])
    sample = np.concatenate(
        [
            normalize_rows(a[picks[(picks >= lo) & (picks < hi)] - lo])
            for a, lo, hi in zip(arrays, bounds[:-1], bounds[1:], strict=True)
        ]
    )
    quantizer = faiss.IndexFlatIP(dim)
    index = faiss.IndexIVFFlat(quantizer, dim, n_lists, faiss.METRIC_INNER_PRODUCT)
    index.train(sample)
    for i, array in enumerate(arrays):
        _check_cancel(should_cancel, i, len(arrays))
        for start in range(0, len(array), 262_144):
            index.add(normalize_rows(array[start : start + 262_144]))
        if progress:
            progress(i + 1, len(arrays), f"indexed {bounds[i + 1]:,} corpus embeddings")
    index.nprobe = min(nprobe, n_lists)
    sims, ids = index.search(np.ascontiguousarray(q), k)
    return sims.astype(np.float32), ids.astype(np.int64)
