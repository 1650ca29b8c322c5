"""Login throttling: failed log-ins are counted per user name and per client address in the
database (``login_throttles``), so every web process sees the same counts. Beyond
``settings.login_max_failures`` (per name) or ``login_max_failures_per_client`` (per address)
in a window of ``login_window_s`` seconds, log-ins answer 429 with ``Retry-After`` until the
window ends; a successful log-in clears its user name's count."""

from __future__ import annotations

import datetime as dt
import math

from sqlalchemy import case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from backend.config import get_settings
from backend.exceptions import TooManyRequestsError
from backend.models import LoginThrottle


def keys(*, username: str, client: str | None) -> dict[str, int]:
    """The throttle keys of one log-in attempt and the failures each allows."""
    settings = get_settings()
    limits = {f"user:{username.strip().lower()[:150]}": settings.login_max_failures}
    if client:
        limits[f"client:{client[:150]}"] = settings.login_max_failures_per_client
    return limits


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def check(*, session: Session, limits: dict[str, int], now: dt.datetime | None = None) -> None:
    """Raise ``TooManyRequestsError`` when any key has used up its failures in this window."""
    now = now or dt.datetime.now(dt.UTC)
    window = dt.timedelta(seconds=get_settings().login_window_s)
    rows = session.scalars(select(LoginThrottle).where(LoginThrottle.key.in_(list(limits))))
    waits = [
        (_aware(row.window_started_at) + window - now).total_seconds()
        for row in rows
        if row.failures >= limits[row.key] and _aware(row.window_started_at) + window > now
    ]
    if waits:
        retry = max(1, math.ceil(max(waits)))
        raise TooManyRequestsError(
            f"too many failed log-ins; try again in {retry} s", retry_after_s=retry
        )


def record_failure(
    *, session: Session, limits: dict[str, int], now: dt.datetime | None = None
) -> None:
    """Count one failed log-in against every key (a new window when the last one ended)."""
    now = now or dt.datetime.now(dt.UTC)
    started = LoginThrottle.window_started_at
    expired = started < now - dt.timedelta(seconds=get_settings().login_window_s)
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    for key in limits:
        statement = insert(LoginThrottle).values(key=key, failures=1, window_started_at=now)
        session.execute(
            statement.on_conflict_do_update(
                index_elements=[LoginThrottle.key],
                set_={
                    "failures": case((expired, 1), else_=LoginThrottle.failures + 1),
                    "window_started_at": case(
                        (expired, now), else_=LoginThrottle.window_started_at
                    ),
                },
            )
        )


def clear(*, session: Session, key: str) -> None:
    """Forget the failures of one key (after a successful log-in)."""
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == key))
