"""Reads of aggregates over every measurement, kept per process and redone only when the
measurements changed: keyed by the database and a *measurement version* read in one small
query. Measurements are only ever added (new ids), removed by undoing an upload (its status
becomes ``undone``) or moved by an eval-set merge (a new merge, or one marked undone); a
re-upload that only changes values keeps the version, so the cache holds under writers.

Reads of values or of model rows (which an upload may update in place) are kept under the
*data version* instead: the measurement version plus the newest upload and the undone ones,
so every upload, undo and merge renews it (:func:`by_data_version`)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import TypeVar

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from backend.models import EntityMerge, Measurement, Upload

T = TypeVar("T")
_cache: dict[tuple[str, Hashable], tuple[tuple, object]] = {}
_large: dict[tuple[str, Hashable], tuple[tuple, object]] = {}  # plot frames
_lock = threading.Lock()
#: answers kept at most (a key may carry a filter; the oldest go first)
MAX_ENTRIES = 256
#: large answers (plot frames: a row per checkpoint) kept at most
MAX_LARGE = 16
_VERSION = "backend.queries.data_version"


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


def data_version(session: Session) -> tuple:
    """The measurement version, the newest upload, the number of uploads and the sum of the
    undone uploads' ids: changes with every upload (values and model rows included; one that
    commits after a newer one too), undo and merge. Read once per transaction of ``session``
    (forgotten when it writes, commits or rolls back)."""
    found = session.info.get(_VERSION)
    if found is None:
        found = session.info[_VERSION] = _data_version(session)
    return found


@event.listens_for(Session, "after_flush")
@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, *_args) -> None:
    session.info.pop(_VERSION, None)


def _data_version(session: Session) -> tuple:
    row = session.execute(
        select(
            select(func.max(Upload.id)).scalar_subquery(),
            # an upload that commits after a newer one leaves the newest id as it was
            select(func.count(Upload.id)).scalar_subquery(),
            select(func.coalesce(func.sum(Upload.id), 0))
            .where(Upload.status == "undone")
            .scalar_subquery(),
        )
    ).one()
    return (*measurement_version(session), *row)


def by_measurement_version(session: Session, name: str, compute: Callable[[], T]) -> T:
    """``compute()``, or its answer from an earlier call with the same ``name`` on the same
    database while the measurement version is unchanged (read before computing, so a newer
    answer can only be stored under an older version and is then simply redone)."""
    return _kept(session, name, measurement_version(session), compute)


def by_data_version(
    session: Session, name: Hashable, compute: Callable[[], T], *, large: bool = False
) -> T:
    """Like :func:`by_measurement_version`, under the :func:`data_version` (for reads of
    values and model rows); ``name`` may carry the read's arguments. ``large`` answers (plot
    frames) are kept apart, :data:`MAX_LARGE` of them."""
    version = data_version(session)
    if large:
        return _kept(session, name, version, compute, store=_large, limit=MAX_LARGE)
    return _kept(session, ("data", name), version, compute)


def _kept(
    session: Session,
    name: Hashable,
    version: tuple,
    compute: Callable[[], T],
    *,
    store: dict | None = None,
    limit: int | None = None,
) -> T:
    store = _cache if store is None else store
    limit = MAX_ENTRIES if limit is None else limit
    key = (session.connection().engine.url.render_as_string(hide_password=True), name)
    found = store.get(key)
    if found is not None and found[0] == version:
        return found[1]  # type: ignore[return-value]
    value = compute()
    with _lock:
        store.pop(key, None)
        while store and len(store) >= limit:
            store.pop(next(iter(store)))
        store[key] = (version, value)
    return value


def clear() -> None:
    """Forget every kept answer (tests that empty and refill a database under one URL)."""
    with _lock:
        _cache.clear()
        _large.clear()
