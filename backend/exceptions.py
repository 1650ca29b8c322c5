"""Domain errors of ScaleScope.

Hierarchy::

    ScaleScopeError                 base of every error the service raises on purpose
    ├── NotFoundError               a named thing does not exist             -> HTTP 404
    ├── ConflictError               the request contradicts stored state     -> HTTP 409
    ├── ValidationError             input is malformed                       -> HTTP 422
    │   └── IngestError             an uploaded file is refused as a whole   -> HTTP 422
    ├── PermissionDeniedError       the caller may not do this               -> HTTP 403
    │   └── AuthenticationError     the caller is not known                  -> HTTP 401
    ├── TooManyRequestsError        too many failed log-ins, try later       -> HTTP 429
    ├── DatabaseNotReadyError       the schema is not at the migration head  -> HTTP 503
    └── ServiceUnavailableError     a backing service (DB, broker) is down   -> HTTP 503

The API maps these to status codes in one place (``backend.api.errors``).
"""

from __future__ import annotations

from dataclasses import dataclass


class ScaleScopeError(Exception):
    """Base of every error the service raises on purpose."""


class NotFoundError(ScaleScopeError):
    """A named thing does not exist."""


class ConflictError(ScaleScopeError):
    """The request contradicts stored state."""


class ValidationError(ScaleScopeError):
    """Input is malformed."""


@dataclass(frozen=True)
class IngestProblem:
    """One thing wrong with an uploaded file, located as precisely as we can."""

    message: str
    file: str | None = None
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column!r}")
        return f"{', '.join(where)}: {self.message}" if where else self.message

    def to_dict(self) -> dict:
        return {"message": self.message, "file": self.file, "row": self.row, "column": self.column}


class IngestError(ValidationError):
    """An uploaded file is refused as a whole; nothing of it was written."""

    def __init__(self, problems: list[IngestProblem] | IngestProblem | str):
        if isinstance(problems, str):
            problems = [IngestProblem(problems)]
        elif isinstance(problems, IngestProblem):
            problems = [problems]
        self.problems: list[IngestProblem] = list(problems)
        shown = "; ".join(str(p) for p in self.problems[:5])
        more = len(self.problems) - 5
        super().__init__(shown + (f" (and {more} more problems)" if more > 0 else ""))


class PermissionDeniedError(ScaleScopeError):
    """The caller may not do this."""


class AuthenticationError(PermissionDeniedError):
    """The caller is not known (no or bad credentials)."""


class TooManyRequestsError(ScaleScopeError):
    """Too many attempts (failed log-ins); ``retry_after_s`` says when to try again."""

    def __init__(self, message: str, *, retry_after_s: int):
        super().__init__(message)
        self.retry_after_s = retry_after_s


class DatabaseNotReadyError(ScaleScopeError):
    """The database schema is not at the migration head."""


class ServiceUnavailableError(ScaleScopeError):
    """A backing service (database, broker) cannot be reached."""
