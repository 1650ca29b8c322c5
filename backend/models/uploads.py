"""Uploads and what they changed: the upload row, entity merges, and the values an upload
overwrote (undo restores them)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from backend.db import Base
from backend.models.columns import JSONDoc, _now


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
