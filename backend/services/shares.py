"""Shareable links: a short unguessable id -> one page with its complete view state, optionally
with a pinned snapshot of the plotted data (so the shared figure does not change when new
results arrive).

The state is the page's query parameters (``{key: value or [values]}``), exactly what the page
decodes from its URL; the service stores and returns it without knowing any page.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.exceptions import NotFoundError, PermissionDeniedError, ValidationError
from backend.models import SharedView

ID_BYTES = 16  # 22 URL-safe characters, 128 bits of randomness (unguessable)
MAX_PAGE_LENGTH = 100
MAX_SNAPSHOT_BYTES = 64 * 1024 * 1024


def _check_page(page: str) -> str:
    if not isinstance(page, str) or not page.startswith("/") or page.startswith("//"):
        raise ValidationError(f"a shared page must be a path starting with '/': {page!r}")
    if len(page) > MAX_PAGE_LENGTH or any(char in page for char in "?#\\ \t\r\n"):
        raise ValidationError(f"not a page path: {page!r}")
    return page


def _check_state(state: dict[str, Any] | None) -> dict[str, str | list[str]]:
    clean: dict[str, str | list[str]] = {}
    for key, value in (state or {}).items():
        if not isinstance(key, str) or not key:
            raise ValidationError(f"state keys must be non-empty strings: {key!r}")
        if isinstance(value, list | tuple):
            clean[key] = [_scalar(key, item) for item in value]
        else:
            clean[key] = _scalar(key, value)
    return clean


def _scalar(key: str, value: Any) -> str:
    if isinstance(value, dict | list | tuple):
        raise ValidationError(f"state value of {key!r} must be a string or a list of strings")
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _check_snapshot(snapshot: dict[str, Any] | None) -> dict[str, Any] | None:
    if snapshot is None:
        return None
    if not isinstance(snapshot, dict):
        raise ValidationError("a snapshot must be a JSON object")
    size = len(json.dumps(snapshot, default=str))
    if size > MAX_SNAPSHOT_BYTES:
        raise ValidationError(
            f"the snapshot is {size / 1e6:.0f} MB; pinned views are limited to "
            f"{MAX_SNAPSHOT_BYTES / 1e6:.0f} MB (share the live view instead)"
        )
    return snapshot


def create_share(
    *,
    session: Session,
    page: str,
    state: dict[str, Any] | None = None,
    snapshot: dict[str, Any] | None = None,
    created_by: str | None = None,
) -> SharedView:
    """Store a link to ``page`` with ``state``; ``snapshot`` pins the plotted data."""
    view = SharedView(
        id=secrets.token_urlsafe(ID_BYTES),
        page=_check_page(page),
        state=_check_state(state),
        snapshot=_check_snapshot(snapshot),
        created_by=created_by,
    )
    session.add(view)
    session.flush()
    return view


def resolve_share(*, session: Session, share_id: str) -> SharedView:
    """The shared view ``share_id``; NotFoundError if it does not exist or was revoked."""
    view = session.get(SharedView, share_id) if share_id else None
    if view is None or view.revoked_at is not None:
        raise NotFoundError(f"no shared view {share_id!r} (it may have been revoked)")
    return view


def list_shares(*, session: Session, created_by: str | None = None) -> list[SharedView]:
    """Shared views (all, or those ``created_by`` one user), newest first, revoked included."""
    query = select(SharedView).order_by(SharedView.created_at.desc(), SharedView.id)
    if created_by is not None:
        query = query.where(SharedView.created_by == created_by)
    return list(session.scalars(query))


def revoke_share(
    *, session: Session, share_id: str, by: str | None = None, is_admin: bool = True
) -> SharedView:
    """Revoke ``share_id``: the link stops resolving; NotFoundError if it does not exist.

    A non-admin (``is_admin=False``) may only revoke the links ``by`` created."""
    view = resolve_share(session=session, share_id=share_id)
    if not is_admin and (by is None or view.created_by != by):
        raise PermissionDeniedError(f"only an admin or its creator may revoke link {share_id!r}")
    view.revoked_at = dt.datetime.now(dt.UTC)
    session.flush()
    return view


def share_href(view: SharedView) -> str:
    """The live URL (path and query) of a shared view."""
    query = urlencode(view.state or {}, doseq=True)
    return view.page + (f"?{query}" if query else "")
