"""Pretraining corpora: concept and concept-pair frequencies, per-concept scores, and
train-test similarities."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from backend.db import Base
from backend.models.columns import JSONDoc, _now


class Corpus(Base):
    """A pretraining dataset (e.g. ``laion400m``)."""

    __tablename__ = "corpora"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    n_documents: Mapped[int | None] = mapped_column(BigInteger)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)
    upload_id: Mapped[int | None] = mapped_column(ForeignKey("uploads.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = _now()


class ConceptFrequency(Base):
    """How many documents of a corpus mention a concept, under one counting method."""

    __tablename__ = "concept_frequencies"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    corpus_id: Mapped[int] = mapped_column(ForeignKey("corpora.id", ondelete="CASCADE"))
    method: Mapped[str] = mapped_column(String(100))
    concept: Mapped[str] = mapped_column(String(300))
    count: Mapped[int] = mapped_column(BigInteger)
    upload_id: Mapped[int | None] = mapped_column(
        ForeignKey("uploads.id", ondelete="SET NULL"), index=True
    )
    job_id: Mapped[int | None] = mapped_column(ForeignKey("eval_jobs.id", ondelete="SET NULL"))

    __table_args__ = (
        UniqueConstraint("corpus_id", "method", "concept"),
        CheckConstraint("count >= 0", name="count_nonnegative"),
    )


class ConceptPairFrequency(Base):
    """How many documents mention both concepts (stored with ``concept_a < concept_b``)."""

    __tablename__ = "concept_pair_frequencies"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    corpus_id: Mapped[int] = mapped_column(ForeignKey("corpora.id", ondelete="CASCADE"))
    method: Mapped[str] = mapped_column(String(100))
    concept_a: Mapped[str] = mapped_column(String(300))
    concept_b: Mapped[str] = mapped_column(String(300))
    count: Mapped[int] = mapped_column(BigInteger)
    upload_id: Mapped[int | None] = mapped_column(
        ForeignKey("uploads.id", ondelete="SET NULL"), index=True
    )
    job_id: Mapped[int | None] = mapped_column(ForeignKey("eval_jobs.id", ondelete="SET NULL"))

    __table_args__ = (
        UniqueConstraint("corpus_id", "method", "concept_a", "concept_b"),
        CheckConstraint("count >= 0", name="count_nonnegative"),
        CheckConstraint("concept_a < concept_b", name="ordered"),
    )


class ConceptScore(Base):
    """Per-class / per-concept result of a checkpoint on an eval set (the bridge between
    pretraining frequencies and benchmark scores)."""

    __tablename__ = "concept_scores"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("checkpoints.id", ondelete="CASCADE"))
    eval_set_id: Mapped[int] = mapped_column(ForeignKey("eval_sets.id", ondelete="CASCADE"))
    metric: Mapped[str] = mapped_column(String(100))
    concept: Mapped[str] = mapped_column(String(300))
    value: Mapped[float] = mapped_column(Float)
    n: Mapped[int | None] = mapped_column(BigInteger)
    unit: Mapped[str | None] = mapped_column(String(16))
    upload_id: Mapped[int | None] = mapped_column(
        ForeignKey("uploads.id", ondelete="SET NULL"), index=True
    )
    job_id: Mapped[int | None] = mapped_column(ForeignKey("eval_jobs.id", ondelete="SET NULL"))

    __table_args__ = (UniqueConstraint("checkpoint_id", "eval_set_id", "metric", "concept"),)


class TrainTestSimilarity(Base):
    """Per test image of an eval set: its maximum cosine similarity to a corpus's image
    embeddings and the nearest corpus rows (Mayilvahanan et al. 2024). ``method`` names the
    embedding model and the search (``ViT-B-32/openai exact``); ``label`` is the image's class
    (joins ``ConceptScore.concept``)."""

    __tablename__ = "train_test_similarities"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    corpus_id: Mapped[int] = mapped_column(ForeignKey("corpora.id", ondelete="CASCADE"))
    eval_set_id: Mapped[int] = mapped_column(ForeignKey("eval_sets.id", ondelete="CASCADE"))
    method: Mapped[str] = mapped_column(String(200))
    sample: Mapped[str] = mapped_column(String(500))
    label: Mapped[str | None] = mapped_column(String(300))
    similarity: Mapped[float] = mapped_column(Float)
    nearest_ids: Mapped[list[int]] = mapped_column(JSONDoc)
    # Whether a model classified the image right (zero-shot top-1), when the run knew it.
    correct: Mapped[bool | None] = mapped_column()
    upload_id: Mapped[int | None] = mapped_column(
        ForeignKey("uploads.id", ondelete="SET NULL"), index=True
    )
    job_id: Mapped[int | None] = mapped_column(ForeignKey("eval_jobs.id", ondelete="SET NULL"))

    __table_args__ = (
        UniqueConstraint("corpus_id", "eval_set_id", "method", "sample"),
        CheckConstraint("similarity >= -1.001 AND similarity <= 1.001", name="cosine_range"),
    )
