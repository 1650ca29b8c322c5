"""The uploads list: provenance of ingested rows, newest first."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.exceptions import NotFoundError
from backend.models import Upload
from backend.schemas.uploads import UploadPublic


def list_uploads(
    session: Session, *, include_undone: bool = True, limit: int = 100, offset: int = 0
) -> list[UploadPublic]:
    """Uploads, newest first; ``include_undone=False`` hides the undone ones."""
    stmt = select(Upload).order_by(Upload.id.desc()).limit(limit).offset(offset)
    if not include_undone:
        stmt = stmt.where(Upload.status == "committed")
    return [UploadPublic.model_validate(u) for u in session.scalars(stmt)]


def count_uploads(session: Session) -> int:
    """How many uploads there are, undone ones included."""
    return session.scalar(select(func.count()).select_from(Upload)) or 0


def get_upload(session: Session, *, upload_id: int) -> UploadPublic:
    """One upload by id; NotFoundError if there is none."""
    upload = session.get(Upload, upload_id)
    if upload is None:
        raise NotFoundError(f"no upload with id {upload_id}")
    return UploadPublic.model_validate(upload)
