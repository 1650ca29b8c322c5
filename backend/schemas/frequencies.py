"""Concept frequencies in pretraining corpora and per-concept scores of checkpoints."""

from __future__ import annotations

from pydantic import BaseModel


class ConceptFrequencyPublic(BaseModel):
    """How many documents of a corpus mention a concept, under one counting method."""

    corpus: str
    method: str
    concept: str
    count: int


class ConceptPairFrequencyPublic(BaseModel):
    """How many documents mention both concepts."""

    corpus: str
    method: str
    concept_a: str
    concept_b: str
    count: int


class ConceptScorePublic(BaseModel):
    """The score of one checkpoint on one concept (class) of an eval set."""

    model_config = {"protected_namespaces": ()}

    model: str
    revision: str
    eval_set: str
    metric: str
    concept: str
    value: float
    n: int | None = None
