"""User administration over HTTP (admins only): accounts and their login sessions; the CLI
``scalescope user`` does the rest."""

from __future__ import annotations

from fastapi import APIRouter

from backend.api.deps import SessionDep
from backend.api.security import AdminDep
from backend.schemas.access import LoginSessionPublic, SessionsRevoked, UserPublic
from backend.services import auth, login_sessions

router = APIRouter(tags=["users"])


@router.get("/users", response_model=list[UserPublic])
def list_users(session: SessionDep, _admin: AdminDep) -> list[UserPublic]:
    """Every account, by name."""
    return [
        UserPublic(username=user.username, role=user.role, is_active=user.is_active)
        for user in auth.list_users(session=session)
    ]


@router.get("/users/{username}/sessions", response_model=list[LoginSessionPublic])
def list_user_sessions(
    session: SessionDep, _admin: AdminDep, username: str
) -> list[LoginSessionPublic]:
    """A user's live login sessions, newest first."""
    rows = login_sessions.list_sessions(session=session, username=username)
    return [LoginSessionPublic.of(row) for row in rows]


@router.post("/users/{username}/sessions/revoke", response_model=SessionsRevoked)
def revoke_user_sessions(session: SessionDep, _admin: AdminDep, username: str) -> SessionsRevoked:
    """End every live session of a user (they must log in again)."""
    revoked = login_sessions.revoke_user_sessions(session=session, username=username)
    session.commit()
    return SessionsRevoked(revoked=revoked)


@router.post("/sessions/{session_id}/revoke", response_model=LoginSessionPublic)
def revoke_session(session: SessionDep, _admin: AdminDep, session_id: int) -> LoginSessionPublic:
    """End one login session by id."""
    row = login_sessions.revoke_session(session=session, session_id=session_id)
    session.commit()
    return LoginSessionPublic.of(row)
