"""ORM tables.

Natural keys (unique constraints) make re-uploading the same file an update, not a duplicate:

- ``Model.name``; ``Checkpoint(model_id, revision)``; ``EvalSet.name``;
  ``Measurement(checkpoint_id, eval_set_id, metric)``;
- ``Corpus.name``; ``ConceptFrequency(corpus_id, method, concept)``;
  ``ConceptPairFrequency(corpus_id, method, concept_a, concept_b)`` with ``concept_a < concept_b``;
- ``ConceptScore(checkpoint_id, eval_set_id, metric, concept)``.

Every row written by an ingest carries ``upload_id`` (the upload that last wrote it), so an
upload can be listed and undone. Every constraint and index is named (see ``db.NAMING``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.db import Base

# JSON documents: JSONB on Postgres, JSON text on SQLite.
JSONDoc = JSON().with_variant(JSONB(), "postgresql")


def _now() -> Mapped[dt.datetime]:
    return mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


class User(Base):
    """A person who logs in; role is one of viewer, editor, admin."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="viewer")
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = _now()

    __table_args__ = (CheckConstraint("role IN ('viewer', 'editor', 'admin')", name="role"),)


class ApiToken(Base):
    """A bearer token of a user, stored hashed; shown once when created."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(128), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = _now()
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()


class LoginSession(Base):
    """A browser logged in as a user: the login cookie carries its secret (only the SHA-256 is
    stored); ended by logout, a password or role change, deactivation, or an admin."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = _now()
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    client: Mapped[str | None] = mapped_column(String(100))
    user_agent: Mapped[str | None] = mapped_column(String(200))

    user: Mapped[User] = relationship()


class LoginThrottle(Base):
    """Failed log-ins of one user name or client address in the current window (shared by
    every web process through the database)."""

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Upload(Base):
    """Provenance of ingested rows: who, when, which file and format, what it wrote."""

    __tablename__ = "uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = _now()
    created_by: Mapped[str | None] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(16), default="api")  # api, web, cli, job, demo
    format: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str | None] = mapped_column(String(500))
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16), default="committed")
    counts: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)
    undone_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (CheckConstraint("status IN ('committed', 'undone')", name="status"),)


class EntityMerge(Base):
    """One merge of two names of the same thing (a group's own duplicates): the rows it moved
    from ``source`` to ``target`` and what the source was, so that undoing it restores both."""

    __tablename__ = "entity_merges"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = _now()
    created_by: Mapped[str | None] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(300))
    target: Mapped[str] = mapped_column(String(300))
    moved: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="committed")
    undone_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint("kind IN ('eval_set', 'pretraining_data')", name="kind"),
        CheckConstraint("status IN ('committed', 'undone')", name="status"),
    )


class UploadOverwrite(Base):
    """The values a row held before an upload changed it, so that undoing the upload restores
    them (rows an upload created have no entry: undo deletes them)."""

    __tablename__ = "upload_overwrites"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    upload_id: Mapped[int] = mapped_column(ForeignKey("uploads.id", ondelete="CASCADE"))
    table_name: Mapped[str] = mapped_column(String(64))
    row_id: Mapped[int] = mapped_column(BigInteger)
    # The upload that had written the overwritten fact row (None for dimension rows).
    previous_upload_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    previous: Mapped[dict[str, Any]] = mapped_column(JSONDoc)

    __table_args__ = (Index("ix_upload_overwrites_upload", "upload_id", "table_name", "row_id"),)


class Model(Base):
    """A trained model or training run."""

    __tablename__ = "models"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    family: Mapped[str | None] = mapped_column(String(100), index=True)
    architecture: Mapped[str | None] = mapped_column(String(100))
    n_params: Mapped[float | None] = mapped_column(Float)
    pretraining_data: Mapped[str | None] = mapped_column(String(200), index=True)
    tokenizer: Mapped[str | None] = mapped_column(String(100))
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)
    upload_id: Mapped[int | None] = mapped_column(ForeignKey("uploads.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = _now()

    checkpoints: Mapped[list[Checkpoint]] = relationship(
        back_populates="model", cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (
        CheckConstraint("n_params IS NULL OR n_params > 0", name="n_params_positive"),
    )


class Checkpoint(Base):
    """One saved state of a model: ``revision`` is its natural key within the model
    (``step143000``, ``main``, ``final``...)."""

    __tablename__ = "checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id", ondelete="CASCADE"))
    revision: Mapped[str] = mapped_column(String(200))
    step: Mapped[int | None] = mapped_column(BigInteger)
    tokens_seen: Mapped[float | None] = mapped_column(Float)
    samples_seen: Mapped[float | None] = mapped_column(Float)
    flops: Mapped[float | None] = mapped_column(Float)
    weights_uri: Mapped[str | None] = mapped_column(String(1000))
    upload_id: Mapped[int | None] = mapped_column(ForeignKey("uploads.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = _now()

    model: Mapped[Model] = relationship(back_populates="checkpoints")

    __table_args__ = (
        UniqueConstraint("model_id", "revision"),
        CheckConstraint("step IS NULL OR step >= 0", name="step_nonnegative"),
        CheckConstraint("tokens_seen IS NULL OR tokens_seen >= 0", name="tokens_nonnegative"),
        CheckConstraint("samples_seen IS NULL OR samples_seen >= 0", name="samples_nonnegative"),
        CheckConstraint("flops IS NULL OR flops >= 0", name="flops_nonnegative"),
    )


class EvalSet(Base):
    """A validation corpus (``kind='validation'``) or a downstream benchmark (``'benchmark'``)."""

    __tablename__ = "eval_sets"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default="benchmark")
    task: Mapped[str | None] = mapped_column(String(64))
    n_classes: Mapped[int | None] = mapped_column(Integer)
    chance_accuracy: Mapped[float | None] = mapped_column(Float)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONDoc, default=dict)
    upload_id: Mapped[int | None] = mapped_column(ForeignKey("uploads.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = _now()

    __table_args__ = (CheckConstraint("kind IN ('validation', 'benchmark')", name="kind"),)


class Measurement(Base):
    """checkpoint × eval set × metric → value (accuracies are fractions; ``unit`` keeps the
    unit of the source)."""

    __tablename__ = "measurements"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("checkpoints.id", ondelete="CASCADE"))
    eval_set_id: Mapped[int] = mapped_column(ForeignKey("eval_sets.id", ondelete="CASCADE"))
    metric: Mapped[str] = mapped_column(String(100))
    value: Mapped[float] = mapped_column(Float)
    stderr: Mapped[float | None] = mapped_column(Float)
    n: Mapped[int | None] = mapped_column(BigInteger)
    unit: Mapped[str | None] = mapped_column(String(16))
    upload_id: Mapped[int | None] = mapped_column(
        ForeignKey("uploads.id", ondelete="SET NULL"), index=True
    )
    job_id: Mapped[int | None] = mapped_column(ForeignKey("eval_jobs.id", ondelete="SET NULL"))

    __table_args__ = (
        UniqueConstraint("checkpoint_id", "eval_set_id", "metric"),
        # Covering index of the plot read (two metrics joined per checkpoint): index-only
        # scans in checkpoint order, no heap access (see bench/bench_read.py).
        Index(
            "ix_measurements_pair_read",
            "eval_set_id",
            "metric",
            "checkpoint_id",
            "value",
            "stderr",
        ),
        CheckConstraint("stderr IS NULL OR stderr >= 0", name="stderr_nonnegative"),
        CheckConstraint("n IS NULL OR n >= 0", name="n_nonnegative"),
    )


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


class EvalJob(Base):
    """An evaluation to run on a worker; this row (not the queue) is the source of truth."""

    __tablename__ = "eval_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    spec: Mapped[dict[str, Any]] = mapped_column(JSONDoc)
    dedupe_key: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str | None] = mapped_column(String(500))
    log_tail: Mapped[str] = mapped_column(Text, default="")
    worker: Mapped[str | None] = mapped_column(String(200))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc)
    cancel_requested: Mapped[bool] = mapped_column(default=False)
    # What the job evaluates (also in ``spec``), for the coverage grid and the Jobs page.
    checkpoint_id: Mapped[int | None] = mapped_column(
        ForeignKey("checkpoints.id", ondelete="SET NULL"), index=True
    )
    eval_set_id: Mapped[int | None] = mapped_column(
        ForeignKey("eval_sets.id", ondelete="SET NULL"), index=True
    )
    # The Celery task id of the latest dispatch (to revoke a running job); None when local.
    task_id: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = _now()
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint(
            "status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')", name="status"
        ),
        Index("ix_eval_jobs_status", "status"),
        # At most one pending (queued or running) job per dedupe key: the DB refuses duplicates.
        Index(
            "uq_eval_jobs_dedupe_key_pending",
            "dedupe_key",
            unique=True,
            sqlite_where=text("status IN ('queued', 'running')"),
            postgresql_where=text("status IN ('queued', 'running')"),
        ),
    )


class SharedView(Base):
    """A short permalink to one view of one page, optionally with a pinned data snapshot."""

    __tablename__ = "shared_views"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    page: Mapped[str] = mapped_column(String(100))
    state: Mapped[dict[str, Any]] = mapped_column(JSONDoc)
    snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSONDoc)
    created_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = _now()
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


from backend.fit_cache_table import FitCacheEntry  # noqa: E402,F401  (registers fit_cache)
