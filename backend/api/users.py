"""User administration over HTTP (admins only); the CLI ``scalescope user`` does the rest."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from backend.api.deps import SessionDep
from backend.api.security import AdminDep
from backend.services import auth

router = APIRouter(tags=["users"])


class UserPublic(BaseModel):
    """A user account (never its password hash)."""

    username: str
    role: str
    is_active: bool


@router.get("/users", response_model=list[UserPublic])
def list_users(session: SessionDep, _admin: AdminDep) -> list[UserPublic]:
    """Every account, by name."""
    return [
        UserPublic(username=user.username, role=user.role, is_active=user.is_active)
        for user in auth.list_users(session=session)
    ]
