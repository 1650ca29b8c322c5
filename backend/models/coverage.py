"""The coverage grid's tables: per checkpoint × eval set, how many measurements are stored and
the last upload that wrote one (``coverage_cells``), and their sums per model × eval set
(``coverage_pairs``, what the coverage page and ``/api/coverage`` read). Both are kept by the
ingest write path (``backend.ingest.coverage``) in the writing transaction."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from backend.db import Base


class CoverageCell(Base):
    """checkpoint × eval set → number of measurements (> 0) and the newest upload among them."""

    __tablename__ = "coverage_cells"

    checkpoint_id: Mapped[int] = mapped_column(
        ForeignKey("checkpoints.id", ondelete="CASCADE"), primary_key=True
    )
    eval_set_id: Mapped[int] = mapped_column(
        ForeignKey("eval_sets.id", ondelete="CASCADE"), primary_key=True
    )
    n_measurements: Mapped[int] = mapped_column(Integer)
    # No foreign key (uploads are never deleted, only marked undone): one trigger less per
    # cell an upload writes.
    last_upload_id: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (Index("ix_coverage_cells_eval_set_id", "eval_set_id"),)


class CoveragePair(Base):
    """model × eval set → measurements (> 0) and measured checkpoints: the sums of its
    ``coverage_cells``, one row per measured pair."""

    __tablename__ = "coverage_pairs"

    model_id: Mapped[int] = mapped_column(
        ForeignKey("models.id", ondelete="CASCADE"), primary_key=True
    )
    eval_set_id: Mapped[int] = mapped_column(
        ForeignKey("eval_sets.id", ondelete="CASCADE"), primary_key=True
    )
    n_measurements: Mapped[int] = mapped_column(Integer)
    n_checkpoints: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_coverage_pairs_eval_set_id", "eval_set_id"),)
