"""Small shapes shared by several endpoints."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, BaseModel


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


# A point in time with its offset (RFC 3339): SQLite hands back naive UTC timestamps.
Timestamp = Annotated[dt.datetime, AfterValidator(_utc)]


class Health(BaseModel):
    """Whether the service and its database answer, and the schema revision."""

    status: str
    database: str
    revision: str | None
    version: str


class ProblemPublic(BaseModel):
    """One thing wrong with an input, located by file, row and column where known."""

    message: str
    file: str | None = None
    row: int | None = None
    column: str | None = None


class ErrorPublic(BaseModel):
    """The body of every error response."""

    error: str
    detail: str
    problems: list[ProblemPublic] = []
