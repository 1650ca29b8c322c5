"""Signed login-session cookies.

The cookie holds the user name and the time of login, signed with ``settings.secret_key``
(``itsdangerous``); it expires after ``max_age`` seconds. Nothing about the session is stored
server-side, so it survives restarts and works across web processes; deactivating a user or
changing their role takes effect at once because the user row is read on every request.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.exceptions import PermissionDeniedError
from backend.models import User
from backend.services import auth
from backend.services.auth import ANONYMOUS, Principal

COOKIE_NAME = "scalescope_session"
MAX_AGE_S = 14 * 24 * 3600
_SALT = "scalescope-login"


COOKIE_SECURE_MODES = ("auto", "always", "never")


def cookie_options(*, secure: str, scheme: str) -> dict:
    """The login cookie's attributes: HttpOnly, SameSite=Lax, path /, and Secure as
    configured (``auto``: when the request came over https)."""
    if secure not in COOKIE_SECURE_MODES:
        raise ValueError(f"cookie_secure is {secure!r}; expected one of {COOKIE_SECURE_MODES}")
    is_secure = secure == "always" or (secure == "auto" and scheme == "https")
    return {"httponly": True, "samesite": "lax", "secure": is_secure, "path": "/"}


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=_SALT)


def issue(*, secret_key: str, principal: Principal) -> str:
    """The cookie value for a user who just logged in."""
    return _serializer(secret_key).dumps({"u": principal.username})


def resolve(*, session: Session, secret_key: str, cookie: str | None) -> Principal:
    """The principal of a cookie; anonymous when it is missing, forged, expired or the user
    is gone or deactivated."""
    if not cookie:
        return ANONYMOUS
    try:
        data = _serializer(secret_key).loads(cookie, max_age=MAX_AGE_S)
    except (BadSignature, SignatureExpired):
        return ANONYMOUS
    user = session.scalar(select(User).where(User.username == data.get("u")))
    if user is None or not user.is_active:
        return ANONYMOUS
    return Principal(username=user.username, role=user.role)


READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "x-requested-with"


def identify(
    *, session: Session, secret_key: str, headers, cookies
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


def check_same_origin(*, method: str, headers, host_url: str) -> None:
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
