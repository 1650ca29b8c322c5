"""Corpus statistics jobs and their stored train-test similarities."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel


class CorpusJobCreate(BaseModel):
    """A corpus job: ``kind`` and its task spec (``backend.corpus.tasks.CountSpec`` or
    ``SimilaritySpec``, as JSON)."""

    kind: Literal["corpus_concept_counts", "corpus_train_test_similarity"]
    spec: dict[str, Any]


class TrainTestSimilarityPublic(BaseModel):
    """One test image: its max cosine similarity to the corpus and its nearest corpus rows."""

    sample: str
    label: str | None = None
    similarity: float
    nearest_ids: list[int]
    correct: bool | None = None
    method: str
