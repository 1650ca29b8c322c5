"""Login sessions, kept server-side.

Logging in creates a ``login_sessions`` row; the cookie carries its random secret (only the
SHA-256 is stored), signed with ``settings.secret_key`` (``itsdangerous``). A session ends when
it expires (``MAX_AGE_S``), on logout, when the user's password or role changes or the user is
deactivated (``backend.services.auth``), or when an admin revokes it; the row is read on every
request, so an ended session stops working at once in every web process.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.config import COOKIE_SECURE_MODES
from backend.exceptions import AuthenticationError, NotFoundError, PermissionDeniedError
from backend.models import LoginSession, User
from backend.services import auth, login_throttle
from backend.services.auth import ANONYMOUS, Principal

COOKIE_NAME = "scalescope_session"
MAX_AGE_S = 14 * 24 * 3600
SEEN_EVERY_S = 300  # how often last_seen_at is refreshed
_SALT = "scalescope-login"


def cookie_options(*, secure: str, scheme: str) -> dict[str, Any]:
    """The login cookie's attributes: HttpOnly, SameSite=Lax, path /, and Secure as
    configured (``auto``: when the request came over https)."""
    if secure not in COOKIE_SECURE_MODES:
        raise ValueError(f"cookie_secure is {secure!r}; expected one of {COOKIE_SECURE_MODES}")
    is_secure = secure == "always" or (secure == "auto" and scheme == "https")
    return {"httponly": True, "samesite": "lax", "secure": is_secure, "path": "/"}


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=_SALT)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


def issue(
    *,
    session: Session,
    secret_key: str,
    principal: Principal,
    client: str | None = None,
    user_agent: str | None = None,
) -> str:
    """Start a session for a user who just logged in; returns the cookie value."""
    if principal.username is None:
        raise AuthenticationError("an anonymous caller has no login session")
    user = auth.get_user(session=session, username=principal.username)
    secret = secrets.token_urlsafe(32)
    session.add(
        LoginSession(
            user_id=user.id,
            token_hash=_hash(secret),
            expires_at=_now() + dt.timedelta(seconds=MAX_AGE_S),
            client=(client or None) and client[:100],
            user_agent=(user_agent or None) and user_agent[:200],
        )
    )
    session.flush()
    return _serializer(secret_key).dumps({"s": secret})


def log_in(
    *,
    session: Session,
    secret_key: str,
    username: str,
    password: str,
    client: str | None,
    user_agent: str | None = None,
) -> tuple[Principal, str]:
    """Check a name and password under the login throttle and start a session; returns the
    principal and the cookie value. Commits (failures count even when the log-in fails)."""
    limits = login_throttle.keys(username=username, client=client)
    login_throttle.check(session=session, limits=limits)
    try:
        principal = auth.authenticate_password(
            session=session, username=username, password=password
        )
    except AuthenticationError:
        login_throttle.record_failure(session=session, limits=limits)
        session.commit()
        raise
    login_throttle.clear(session=session, key=next(iter(limits)))
    cookie = issue(
        session=session,
        secret_key=secret_key,
        principal=principal,
        client=client,
        user_agent=user_agent,
    )
    session.commit()
    return principal, cookie


def _row(*, session: Session, secret_key: str, cookie: str | None) -> LoginSession | None:
    if not cookie:
        return None
    try:
        data = _serializer(secret_key).loads(cookie, max_age=MAX_AGE_S)
    except (BadSignature, SignatureExpired):
        return None
    secret = data.get("s") if isinstance(data, dict) else None
    if not isinstance(secret, str):
        return None
    return session.scalar(select(LoginSession).where(LoginSession.token_hash == _hash(secret)))


def resolve(*, session: Session, secret_key: str, cookie: str | None) -> Principal:
    """The principal of a cookie; anonymous when it is missing, forged, expired or revoked, or
    the user is gone or deactivated."""
    row = _row(session=session, secret_key=secret_key, cookie=cookie)
    now = _now()
    if row is None or row.revoked_at is not None or _aware(row.expires_at) <= now:
        return ANONYMOUS
    user = row.user
    if user is None or not user.is_active:
        return ANONYMOUS
    seen = _aware(row.last_seen_at) if row.last_seen_at is not None else None
    if seen is None or (now - seen).total_seconds() > SEEN_EVERY_S:
        row.last_seen_at = now
        session.commit()
    return Principal(username=user.username, role=user.role)


def end(*, session: Session, secret_key: str, cookie: str | None) -> None:
    """Revoke the session of a cookie (logout); nothing when there is none."""
    row = _row(session=session, secret_key=secret_key, cookie=cookie)
    if row is not None and row.revoked_at is None:
        row.revoked_at = _now()


def list_sessions(*, session: Session, username: str | None = None) -> list[LoginSession]:
    """Live sessions (of one user, or all), newest first."""
    query = (
        select(LoginSession)
        .join(User)
        .where(LoginSession.revoked_at.is_(None), LoginSession.expires_at > _now())
        .order_by(LoginSession.created_at.desc(), LoginSession.id.desc())
    )
    if username is not None:
        auth.get_user(session=session, username=username)  # 404 for an unknown name
        query = query.where(User.username == username)
    return list(session.scalars(query))


def revoke_session(*, session: Session, session_id: int) -> LoginSession:
    """End one session by id."""
    row = session.get(LoginSession, session_id)
    if row is None:
        raise NotFoundError(f"no login session with id {session_id}")
    if row.revoked_at is None:
        row.revoked_at = _now()
    return row


def revoke_user_sessions(*, session: Session, username: str) -> int:
    """End every live session of a user; returns how many."""
    user = auth.get_user(session=session, username=username)
    return auth.end_sessions(session=session, user=user)


READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "x-requested-with"


def identify(
    *, session: Session, secret_key: str, headers: Mapping[str, str], cookies: Mapping[str, str]
) -> tuple[Principal, str | None]:
    """The caller of a request and how they proved it (``"token"``, ``"cookie"`` or None):
    a bad token is an error, a bad cookie is anonymous. The API and the dashboard share this."""
    scheme, _, credentials = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credentials:
        principal = auth.authenticate_token(session=session, secret=credentials.strip())
        session.commit()  # the token's last-used time
        return principal, "token"
    principal = resolve(session=session, secret_key=secret_key, cookie=cookies.get(COOKIE_NAME))
    return principal, (None if principal.is_anonymous else "cookie")


def check_same_origin(*, method: str, headers: Mapping[str, str], host_url: str) -> None:
    """Refuse a cookie-authenticated write that may come from another site (CSRF): it must
    carry an ``Origin`` of this host or, when the client sends none, ``X-Requested-With``."""
    if method in READ_METHODS:
        return
    origin = headers.get("origin")
    if origin:
        # Host and port only: behind a TLS-terminating proxy the scheme may differ.
        if urlsplit(origin).netloc != urlsplit(host_url).netloc:
            raise PermissionDeniedError(f"a write from another site ({origin}) is refused")
        return
    if not headers.get(CSRF_HEADER):
        raise PermissionDeniedError(
            "a write with the login cookie needs an Origin or X-Requested-With header"
        )
