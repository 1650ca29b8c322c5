"""Small shapes shared by several endpoints."""

from __future__ import annotations

from pydantic import BaseModel


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
