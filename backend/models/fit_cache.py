"""The ``fit_cache`` table: fit results by a hash of their input data and settings, shared by
every web process on the database (see ``backend.fits.cache``)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from backend.db import Base


class FitCacheEntry(Base):
    """One cached fit: its key (SHA-256 of the fit function, inputs and settings), the
    function's name and the result as JSON text (``backend.fits.codec``)."""

    __tablename__ = "fit_cache"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    function: Mapped[str] = mapped_column(String(200))
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
