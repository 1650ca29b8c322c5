"""Access control: users as the admin lists them, share links as their API shows them."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from backend.schemas.common import Timestamp


class UserPublic(BaseModel):
    """A user account (never its password hash)."""

    username: str
    role: str
    is_active: bool


class LoginSessionPublic(BaseModel):
    """A live login session of a user (never its secret)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    created_at: Timestamp
    expires_at: Timestamp
    last_seen_at: Timestamp | None = None
    client: str | None = None
    user_agent: str | None = None

    @classmethod
    def of(cls, row) -> LoginSessionPublic:
        """The public view of a ``LoginSession`` row."""
        return cls(
            id=row.id,
            username=row.user.username,
            created_at=row.created_at,
            expires_at=row.expires_at,
            last_seen_at=row.last_seen_at,
            client=row.client,
            user_agent=row.user_agent,
        )


class SessionsRevoked(BaseModel):
    """How many sessions a revocation ended."""

    revoked: int


class ShareIn(BaseModel):
    """A page path, its query-parameter state and optionally a pinned snapshot."""

    page: str = Field(description="the page path, e.g. /scaling")
    state: dict[str, str | list[str]] = Field(default_factory=dict)
    snapshot: dict[str, Any] | None = None


class SharePublic(BaseModel):
    """A share link (``url`` is the path that opens it)."""

    id: str
    url: str
    page: str
    state: dict[str, Any]
    pinned: bool
    created_by: str | None
    created_at: Timestamp
    revoked_at: Timestamp | None

    @classmethod
    def of(cls, view) -> SharePublic:
        """The public form of a ``SharedView`` row."""
        return cls(
            id=view.id,
            url=f"/s/{view.id}",
            page=view.page,
            state=view.state or {},
            pinned=view.snapshot is not None,
            created_by=view.created_by,
            created_at=view.created_at,
            revoked_at=view.revoked_at,
        )
