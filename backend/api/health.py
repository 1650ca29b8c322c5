"""``GET /api/health``: the service answers and its database is reachable and at head."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from fastapi import APIRouter
from sqlalchemy import text

from backend import db
from backend.api.deps import SessionDep
from backend.schemas.common import Health

router = APIRouter(tags=["health"])


def _version() -> str:
    try:
        return version("scalescope")
    except PackageNotFoundError:
        return "unknown"


@router.get("/health", response_model=Health)
def health(session: SessionDep) -> Health:
    """Whether the database answers, and the schema revision it is at."""
    session.execute(text("SELECT 1"))
    revision = db.current_revision(session.get_bind())  # type: ignore[arg-type]  # an Engine
    status = "ok" if revision == db.head_revision() else "degraded"
    return Health(
        status=status,
        database=session.get_bind().dialect.name,
        revision=revision,
        version=_version(),
    )
