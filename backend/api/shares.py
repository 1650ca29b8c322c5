"""Share links: create one (editor), list them and revoke one (its creator or an admin).

Share ids are bearer secrets (whoever holds one opens its view), so even listing them needs
an editor, on a public instance too."""

from __future__ import annotations

from fastapi import APIRouter, status

from backend.api.deps import SessionDep
from backend.api.security import EditorDep
from backend.schemas.access import ShareIn, SharePublic
from backend.services import shares

router = APIRouter(tags=["shares"])


@router.post("/shares", response_model=SharePublic, status_code=status.HTTP_201_CREATED)
def create_share(body: ShareIn, session: SessionDep, principal: EditorDep) -> SharePublic:
    """Create a link to one view."""
    view = shares.create_share(
        session=session,
        page=body.page,
        state=body.state,
        snapshot=body.snapshot,
        created_by=principal.username,
    )
    session.commit()
    return SharePublic.of(view)


@router.get("/shares", response_model=list[SharePublic])
def list_shares(session: SessionDep, principal: EditorDep) -> list[SharePublic]:
    """An admin's list holds every link; an editor's the links they created."""
    mine = None if principal.role == "admin" else principal.username
    return [SharePublic.of(view) for view in shares.list_shares(session=session, created_by=mine)]


@router.post("/shares/{share_id}/revoke", response_model=SharePublic)
def revoke_share(share_id: str, session: SessionDep, principal: EditorDep) -> SharePublic:
    """Revoke a link at once (its creator or an admin)."""
    view = shares.revoke_share(
        session=session,
        share_id=share_id,
        by=principal.username,
        is_admin=principal.role == "admin",
    )
    session.commit()
    return SharePublic.of(view)
