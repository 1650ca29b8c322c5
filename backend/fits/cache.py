"""Fit results cached by a hash of their input data and settings.

``cached_fit(session, fit, *arrays, **settings)`` returns ``fit(*arrays, **settings)``; the
key is the SHA-256 of the function's name, every input array (dtype, shape, bytes) and every
setting. A result is looked up in this process's memory first, then in the ``fit_cache``
table (shared by every web process on the database, so a fit computed once is reused by all
and survives restarts), and computed when neither has it; a result is stored in the table only
when its fit took at least ``MIN_STORE_SECONDS`` (a cheap fit on many points, such as a
baseline line without bootstrap, costs less to redo than to write and read back; inside
``store_every_fit()``, as when the default views are precomputed, every result is stored).
Fits are deterministic (fixed seeds), so a cached result is the number the fit would give.
``CACHE_VERSION`` is part of the key: bump it when a fit's numbers change.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar, cast

import numpy as np
from sqlalchemy import Engine, Table, insert, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from backend.fits import codec
from backend.models import FitCacheEntry

CACHE_VERSION = "1"
MEMORY_ENTRIES = 256
MIN_STORE_SECONDS = 0.25
log = logging.getLogger(__name__)
Result = TypeVar("Result")
_memory: OrderedDict[str, Any] = OrderedDict()
_store_all = False


def _feed(digest, value: Any) -> None:
    if isinstance(value, np.ndarray | list | tuple) and not isinstance(value, str):
        array = np.ascontiguousarray(np.asarray(value))
        digest.update(f"array {array.dtype.str} {array.shape}:".encode())
        digest.update(array.tobytes() if array.dtype != object else repr(value).encode())
    else:
        digest.update(f"value {value!r}:".encode())


def fit_key(fit: Callable, args: tuple, settings: dict[str, Any]) -> str:
    """The cache key of ``fit(*args, **settings)``."""
    digest = hashlib.sha256(f"{CACHE_VERSION}|{fit.__module__}.{fit.__qualname__}|".encode())
    for value in args:
        _feed(digest, value)
    for name in sorted(settings):
        digest.update(f"{name}=".encode())
        _feed(digest, settings[name])
    return digest.hexdigest()


def _remember(key: str, result: Any) -> None:
    _memory[key] = result
    _memory.move_to_end(key)
    while len(_memory) > MEMORY_ENTRIES:
        _memory.popitem(last=False)


def _read(session: Session, key: str) -> Any | None:
    payload = session.scalar(select(FitCacheEntry.payload).where(FitCacheEntry.key == key))
    if payload is None:
        return None
    try:
        return codec.loads(payload)
    except codec.CodecError as exc:
        log.warning("ignoring unreadable cached fit %s: %s", key, exc)
        return None


def _write(session: Session, key: str, fit: Callable, result: Any) -> None:
    """Store ``result`` in its own short transaction (the caller's may be read-only or rolled
    back); a concurrent writer of the same key, or a busy database, only skips the store."""
    try:
        payload = codec.dumps(result)
    except codec.CodecError as exc:
        log.warning("not caching %s: %s", fit.__qualname__, exc)
        return
    try:
        bind = session.get_bind()
        engine = bind if isinstance(bind, Engine) else bind.engine
        with engine.connect() as connection:
            connection.execute(
                insert(cast(Table, FitCacheEntry.__table__)).values(
                    key=key, function=f"{fit.__module__}.{fit.__qualname__}", payload=payload
                )
            )
            connection.commit()
    except SQLAlchemyError as exc:
        log.info("fit cache entry %s not stored: %s", key, exc)


def cached_fit(session: Session, fit: Callable[..., Result], *args: Any, **settings: Any) -> Result:
    """``fit(*args, **settings)``, from the cache when this input was fitted before."""
    key = fit_key(fit, args, settings)
    if key in _memory and not _store_all:
        _memory.move_to_end(key)
        return _memory[key]
    result = _read(session, key)
    if result is None and key in _memory:
        # Warming (``store_every_fit``): known in this process, not yet in the shared table.
        result = _memory[key]
        _write(session, key, fit, result)
    elif result is None:
        started = time.perf_counter()
        result = fit(*args, **settings)
        if _store_all or time.perf_counter() - started >= MIN_STORE_SECONDS:
            _write(session, key, fit, result)
    _remember(key, result)
    return result


@contextmanager
def store_every_fit() -> Iterator[None]:
    """Store every fit computed inside the block in the table, however cheap (a precomputed
    view then costs a fresh process only reads)."""
    global _store_all
    previous, _store_all = _store_all, True
    try:
        yield
    finally:
        _store_all = previous


def clear_memory() -> None:
    """Forget the results held in this process (the table keeps them)."""
    _memory.clear()
