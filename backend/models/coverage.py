"""The coverage grid's table: per checkpoint × eval set, how many measurements are stored and
the last upload that wrote one. Kept by the ingest write path (``backend.ingest.coverage``) in
the writing transaction, so the coverage page reads it instead of aggregating measurements."""

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
