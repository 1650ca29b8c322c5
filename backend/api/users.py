"""User administration over HTTP (admins only); the CLI ``scalescope user`` does the rest."""

from __future__ import annotations

from fastapi import APIRouter

from backend.api.deps import SessionDep
from backend.api.security import AdminDep
from backend.schemas.access import UserPublic
from backend.services import auth

router = APIRouter(tags=["users"])


@router.get("/users", response_model=list[UserPublic])
def list_users(session: SessionDep, _admin: AdminDep) -> list[UserPublic]:
    """Every account, by name."""
    return [
        UserPublic(username=user.username, role=user.role, is_active=user.is_active)
        for user in auth.list_users(session=session)
    ]
