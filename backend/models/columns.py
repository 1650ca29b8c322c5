"""Column types shared by the tables."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, DateTime, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

# JSON documents: JSONB on Postgres, JSON text on SQLite.
JSONDoc = JSON().with_variant(JSONB(), "postgresql")


def _now() -> Mapped[dt.datetime]:
    return mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)
