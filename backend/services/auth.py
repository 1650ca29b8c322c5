"""Users, roles, passwords and API tokens.

Roles are ordered ``viewer < editor < admin``: reading needs a viewer (or nothing on a public
instance), writing an editor, user management an admin.

- Passwords are hashed with Argon2id (``argon2-cffi``); the hash string carries its own
  parameters, so stronger settings later still verify old hashes (and trigger a rehash).
- API tokens are ``ss_<random>`` strings shown once; only their SHA-256 is stored (a token has
  256 bits of entropy, so a fast hash is the right tool, unlike for passwords), with a short
  prefix for display, a last-used time and a revocation time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from backend.config import ACCESS_MODES
from backend.exceptions import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from backend.models import ApiToken, LoginSession, User

ROLES = ("viewer", "editor", "admin")
TOKEN_PREFIX = "ss_"
MIN_PASSWORD_LENGTH = 10

_hasher = PasswordHasher()


@dataclass(frozen=True)
class Principal:
    """Who is calling: a user (by name and role) or an anonymous reader."""

    username: str | None
    role: str | None

    @property
    def is_anonymous(self) -> bool:
        """True when no user is logged in and no token was given."""
        return self.username is None


ANONYMOUS = Principal(username=None, role=None)


@dataclass(frozen=True)
class NewToken:
    """A freshly created token: ``secret`` is shown once and never stored."""

    id: int
    name: str
    prefix: str
    secret: str


def role_at_least(role: str | None, needed: str) -> bool:
    """Whether ``role`` grants what ``needed`` grants (viewer < editor < admin)."""
    if role not in ROLES:
        return False
    return ROLES.index(role) >= ROLES.index(needed)


def require_role(principal: Principal, needed: str) -> None:
    """Raise unless ``principal`` holds at least ``needed``."""
    if principal.is_anonymous:
        raise AuthenticationError(f"log in or send an API token: this needs the {needed} role")
    if not role_at_least(principal.role, needed):
        raise PermissionDeniedError(
            f"user {principal.username!r} is a {principal.role}; this needs the {needed} role"
        )


def hash_password(password: str) -> str:
    """The Argon2id hash of ``password`` (refuses passwords that are too short)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    hashed: str = _hasher.hash(password)
    return hashed


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise ValidationError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")


def create_user(*, session: Session, username: str, password: str | None, role: str) -> User:
    """Add a user; the name must be new."""
    _check_role(role)
    username = username.strip()
    if not username:
        raise ValidationError("a user needs a name")
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise ConflictError(f"user {username!r} already exists")
    user = User(
        username=username,
        role=role,
        password_hash=hash_password(password) if password is not None else None,
    )
    session.add(user)
    session.flush()
    return user


def get_user(*, session: Session, username: str) -> User:
    """The user called ``username``."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFoundError(f"no user called {username!r}")
    return user


def list_users(*, session: Session) -> list[User]:
    """All users, by name."""
    return list(session.scalars(select(User).order_by(User.username)))


def end_sessions(*, session: Session, user: User) -> int:
    """End every live login session of ``user`` (they log in again); returns how many."""
    result = session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=dt.datetime.now(dt.UTC))
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]  # an UPDATE's CursorResult


def set_role(*, session: Session, username: str, role: str) -> User:
    """Change a user's role; their sessions end."""
    _check_role(role)
    user = get_user(session=session, username=username)
    if user.role != role:
        end_sessions(session=session, user=user)
    user.role = role
    return user


def set_password(*, session: Session, username: str, password: str) -> User:
    """Replace a user's password; their sessions end."""
    user = get_user(session=session, username=username)
    user.password_hash = hash_password(password)
    end_sessions(session=session, user=user)
    return user


def deactivate_user(*, session: Session, username: str) -> User:
    """Stop a user from logging in or using tokens (rows stay for provenance); their
    sessions end."""
    user = get_user(session=session, username=username)
    user.is_active = False
    end_sessions(session=session, user=user)
    return user


def authenticate_password(*, session: Session, username: str, password: str) -> Principal:
    """The principal for a correct name and password; one vague error otherwise."""
    user = session.scalar(select(User).where(User.username == username))
    refused = AuthenticationError("unknown user or wrong password")
    if user is None or not user.is_active or user.password_hash is None:
        _hasher.hash(password)  # spend the same time as a real check
        raise refused
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        raise refused from None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return Principal(username=user.username, role=user.role)


def _token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(*, session: Session, username: str, name: str) -> NewToken:
    """A new API token for ``username``; its secret is returned once and not stored."""
    user = get_user(session=session, username=username)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=_token_hash(secret), prefix=secret[:10])
    session.add(token)
    session.flush()
    return NewToken(id=token.id, name=name, prefix=token.prefix, secret=secret)


def list_tokens(*, session: Session, username: str | None = None) -> list[ApiToken]:
    """Tokens (of one user, or all), newest first; secrets are not recoverable."""
    query = select(ApiToken).join(User).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    if username is not None:
        query = query.where(User.username == username)
    return list(session.scalars(query))


def revoke_token(*, session: Session, token_id: int) -> ApiToken:
    """Revoke a token; it stops working at once."""
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFoundError(f"no API token with id {token_id}")
    if token.revoked_at is None:
        token.revoked_at = dt.datetime.now(dt.UTC)
    return token


def authenticate_token(*, session: Session, secret: str) -> Principal:
    """The principal of a live token of an active user; records the time it was used."""
    refused = AuthenticationError("invalid or revoked API token")
    if not secret.startswith(TOKEN_PREFIX):
        raise refused
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(secret)))
    if token is None or token.revoked_at is not None or not token.user.is_active:
        raise refused
    token.last_used_at = dt.datetime.now(dt.UTC)
    return Principal(username=token.user.username, role=token.user.role)


DEFAULT_SECRET_KEY = "change-me"
# On a "local" instance (one person, own machine, loopback only) every caller is this admin.
LOCAL_OWNER = Principal(username="local", role="admin")
LOOPBACK_HOSTS = ("127.0.0.1", "::1", "localhost")


def check_bind_address(*, access: str, host: str) -> None:
    """A "local" instance (no login at all) must not listen beyond this machine."""
    if access == "local" and host not in LOOPBACK_HOSTS:
        raise ValidationError(
            f"SCALESCOPE_ACCESS=local has no login, so it only listens on 127.0.0.1; to serve "
            f"on {host}, set SCALESCOPE_ACCESS=public or private and add users "
            "(`scalescope user add NAME --role admin`)"
        )


def check_access_settings(*, access: str, secret_key: str, data_dir: Path | None = None) -> str:
    """Refuse an unknown access mode, and a public or private instance without a strong key of
    its own (anyone could forge its login cookies, as an admin too); returns the key to sign
    with (see ``backend.services.secret_key``)."""
    from backend.services import secret_key as keys

    if access not in ACCESS_MODES:
        raise ValidationError(
            f"SCALESCOPE_ACCESS is {access!r}; expected one of {', '.join(ACCESS_MODES)}"
        )
    if data_dir is None:
        from backend.config import get_settings

        data_dir = get_settings().data_dir
    return keys.resolve(access=access, secret_key=secret_key, data_dir=data_dir)
