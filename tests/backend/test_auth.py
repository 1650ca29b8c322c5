"""Users, roles, passwords and API tokens, on SQLite and Postgres."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from backend.exceptions import (
    AuthenticationError,
    ConflictError,
    PermissionDeniedError,
    ValidationError,
)
from backend.models import ApiToken, User
from backend.services import auth

PASSWORD = "correct horse battery"


def test_password_is_stored_as_argon2id_and_verifies(session):
    auth.create_user(session=session, username="ada", password=PASSWORD, role="editor")
    stored = session.scalar(select(User.password_hash).where(User.username == "ada"))
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    who = auth.authenticate_password(session=session, username="ada", password=PASSWORD)
    assert who == auth.Principal(username="ada", role="editor")


@pytest.mark.parametrize(
    ("username", "password"),
    [("ada", "wrong password!"), ("nobody", PASSWORD)],
)
def test_wrong_password_or_unknown_user_is_refused_alike(session, username, password):
    auth.create_user(session=session, username="ada", password=PASSWORD, role="viewer")
    with pytest.raises(AuthenticationError, match="unknown user or wrong password"):
        auth.authenticate_password(session=session, username=username, password=password)


def test_deactivated_user_cannot_log_in_or_use_tokens(session):
    auth.create_user(session=session, username="ada", password=PASSWORD, role="editor")
    token = auth.create_token(session=session, username="ada", name="laptop")
    auth.deactivate_user(session=session, username="ada")
    with pytest.raises(AuthenticationError):
        auth.authenticate_password(session=session, username="ada", password=PASSWORD)
    with pytest.raises(AuthenticationError):
        auth.authenticate_token(session=session, secret=token.secret)


def test_bad_user_input_is_refused(session):
    with pytest.raises(ValidationError, match="at least 10 characters"):
        auth.create_user(session=session, username="ada", password="short", role="viewer")
    with pytest.raises(ValidationError, match="unknown role 'owner'"):
        auth.create_user(session=session, username="ada", password=PASSWORD, role="owner")
    auth.create_user(session=session, username="ada", password=PASSWORD, role="viewer")
    with pytest.raises(ConflictError, match="already exists"):
        auth.create_user(session=session, username="ada", password=PASSWORD, role="admin")


def test_token_is_stored_hashed_shown_once_and_records_use(session):
    auth.create_user(session=session, username="ada", password=None, role="editor")
    token = auth.create_token(session=session, username="ada", name="ci")
    row = session.get(ApiToken, token.id)
    assert token.secret.startswith("ss_") and len(token.secret) > 40
    assert row.token_hash != token.secret and token.secret not in row.token_hash
    assert row.last_used_at is None
    who = auth.authenticate_token(session=session, secret=token.secret)
    assert who == auth.Principal(username="ada", role="editor")
    assert row.last_used_at is not None


def test_revoked_or_forged_token_is_refused(session):
    auth.create_user(session=session, username="ada", password=None, role="editor")
    token = auth.create_token(session=session, username="ada", name="ci")
    with pytest.raises(AuthenticationError):
        auth.authenticate_token(session=session, secret=token.secret + "x")
    with pytest.raises(AuthenticationError):
        auth.authenticate_token(session=session, secret="not-a-token")
    auth.revoke_token(session=session, token_id=token.id)
    with pytest.raises(AuthenticationError, match="revoked"):
        auth.authenticate_token(session=session, secret=token.secret)


@pytest.mark.parametrize(
    ("role", "needed", "allowed"),
    [
        ("viewer", "viewer", True),
        ("viewer", "editor", False),
        ("editor", "editor", True),
        ("editor", "admin", False),
        ("admin", "editor", True),
        ("admin", "admin", True),
    ],
)
def test_role_order(role, needed, allowed):
    principal = auth.Principal(username="u", role=role)
    if allowed:
        auth.require_role(principal, needed)
    else:
        with pytest.raises(PermissionDeniedError, match=f"needs the {needed} role"):
            auth.require_role(principal, needed)


def test_anonymous_needs_to_authenticate():
    with pytest.raises(AuthenticationError, match="log in or send an API token"):
        auth.require_role(auth.ANONYMOUS, "viewer")
