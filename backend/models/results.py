"""Models, checkpoints, eval sets and measurements: the results every page plots."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.db import Base
from backend.models.columns import JSONDoc, _now


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
        # A model's last step (final_only) in one probe; its checkpoints in step order.
        Index("ix_checkpoints_model_step", "model_id", "step"),
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
        # A metric filter without an eval set (listing, counts) reads one index range.
        Index("ix_measurements_metric", "metric", "eval_set_id", "checkpoint_id"),
        CheckConstraint("stderr IS NULL OR stderr >= 0", name="stderr_nonnegative"),
        CheckConstraint("n IS NULL OR n >= 0", name="n_nonnegative"),
    )
