"""Dependencies shared by every router: the database session of the app's engine."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from backend import db
from backend.exceptions import ConflictError, ServiceUnavailableError


def get_db(request: Request) -> Iterator[Session]:
    """A session on the app's engine; rolled back on error, closed after the request.

    Handlers that write call ``session.commit()`` themselves before they answer, so that a
    refused commit becomes an error response rather than a lost write."""
    session = db.new_session(request.app.state.engine)
    try:
        yield session
    except IntegrityError as exc:
        session.rollback()
        raise ConflictError(f"the database refused the change: {exc.orig}") from exc
    except OperationalError as exc:
        session.rollback()
        raise ServiceUnavailableError(f"the database cannot be reached: {exc.orig}") from exc
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(get_db)]


def get_engine(request: Request) -> Engine:
    """The app's engine, for services that run their own transaction (uploads, undo)."""
    return request.app.state.engine


EngineDep = Annotated[Engine, Depends(get_engine)]
