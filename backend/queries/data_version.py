"""Reads of aggregates over every measurement, kept per process and redone only when the
measurements changed: keyed by the database and a *measurement version* read in one small
query. Measurements are only ever added (new ids), removed by undoing an upload (its status
becomes ``undone``) or moved by an eval-set merge (a new merge, or one marked undone); a
re-upload that only changes values keeps the version, so the cache holds under writers."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.models import EntityMerge, Measurement, Upload

T = TypeVar("T")
_cache: dict[tuple[str, str], tuple[tuple, object]] = {}
_lock = threading.Lock()


def measurement_version(session: Session) -> tuple:
    """The newest measurement id, the undone uploads, the newest merge and the undone merges
    (each index-backed or over a small table)."""
    row = session.execute(
        select(
            select(func.max(Measurement.id)).scalar_subquery(),
            select(func.count()).where(Upload.status == "undone").scalar_subquery(),
            select(func.max(EntityMerge.id)).scalar_subquery(),
            select(func.count()).where(EntityMerge.status == "undone").scalar_subquery(),
        )
    ).one()
    return tuple(row)


def by_measurement_version(session: Session, name: str, compute: Callable[[], T]) -> T:
    """``compute()``, or its answer from an earlier call with the same ``name`` on the same
    database while the measurement version is unchanged (read before computing, so a newer
    answer can only be stored under an older version and is then simply redone)."""
    key = (session.connection().engine.url.render_as_string(hide_password=True), name)
    version = measurement_version(session)
    found = _cache.get(key)
    if found is not None and found[0] == version:
        return found[1]  # type: ignore[return-value]
    value = compute()
    with _lock:
        _cache[key] = (version, value)
    return value
