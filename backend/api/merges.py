"""Merges of two names of the same eval set or pretraining data (undoable)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, status
from pydantic import BaseModel

from backend.api.deps import SessionDep
from backend.api.security import EditorDep
from backend.services import merges

router = APIRouter(tags=["catalog"])


class MergeCreate(BaseModel):
    """What to merge: ``source`` joins ``target`` (aliases of ``kind``)."""

    kind: Literal["eval_set", "pretraining_data"]
    source: str
    target: str


@router.get("/merges")
def list_merges(session: SessionDep) -> list[dict]:
    """Every merge, newest first, with how many rows it moved."""
    return [merges.describe(m) for m in merges.list_merges(session=session)]


@router.post("/merges", status_code=status.HTTP_201_CREATED)
def create_merge(session: SessionDep, principal: EditorDep, merge_in: MergeCreate) -> dict:
    """Merge ``source`` into ``target`` (409 when both hold a row for the same thing)."""
    record = merges.merge(session=session, created_by=principal.username, **merge_in.model_dump())
    session.commit()
    return merges.describe(record)


@router.post("/merges/{merge_id}/undo")
def undo_merge(session: SessionDep, merge_id: int) -> dict:
    """Undo a merge: the source name comes back with the rows it had (409 if undone)."""
    record = merges.undo(session=session, merge_id=merge_id)
    session.commit()
    return merges.describe(record)
