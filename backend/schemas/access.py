"""Access control: users as the admin lists them, share links as their API shows them."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from backend.schemas.common import Timestamp


class UserPublic(BaseModel):
    """A user account (never its password hash)."""

    username: str
    role: str
    is_active: bool


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
