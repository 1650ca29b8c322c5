"""Reads remembered for the rest of one transaction of a session (a page's view resolves its
defaults and reads the same runs more than once): forgotten as soon as the session writes,
commits or rolls back, so a value never outlives the data it was read from."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

from sqlalchemy import event
from sqlalchemy.orm import Session

T = TypeVar("T")
_KEY = "backend.fits.memo"


def remembered(session: Session, key: Hashable, read: Callable[[], T]) -> T:
    """``read()``, once per transaction of ``session`` and ``key``."""
    values = session.info.setdefault(_KEY, {})
    if key not in values:
        values[key] = read()
    return values[key]


def recalled(session: Session, key: Hashable) -> object | None:
    """What this transaction of ``session`` remembered under ``key`` (None: nothing yet)."""
    return session.info.get(_KEY, {}).get(key)


@event.listens_for(Session, "after_flush")
@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, *_args) -> None:
    session.info.pop(_KEY, None)
