"""Uploads: add a file (multipart) or JSON records, preview with ``dry_run``, list, undo.

Every write goes through ``backend.services.uploads`` (one transaction per upload; a bad file
is refused as a whole with problems naming file, row and column)."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Response, UploadFile, status

from backend.api.deps import EngineDep, SessionDep
from backend.api.files import spooled_upload, upload_name
from backend.api.security import CallerDep
from backend.config import get_settings
from backend.exceptions import ValidationError
from backend.queries import uploads
from backend.schemas.uploads import RecordsUpload, UndoResult, UploadPublic
from backend.services import uploads as upload_service
from backend.services.uploads import UploadReport

router = APIRouter(tags=["uploads"])


def _options(text: str | None) -> dict | None:
    if not text:
        return None
    try:
        options = json.loads(text)
    except ValueError as exc:
        raise ValidationError(f"options: expected a JSON object ({exc})") from exc
    if not isinstance(options, dict):
        raise ValidationError("options: expected a JSON object")
    return options


def _status(report: UploadReport, response: Response) -> UploadReport:
    created = not (report.dry_run or report.unchanged)
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return report


@router.post("/uploads", response_model=UploadReport, status_code=status.HTTP_201_CREATED)
def upload_file(
    engine: EngineDep,
    response: Response,
    caller: CallerDep,
    file: Annotated[UploadFile, File(description="the results file")],
    format: Annotated[str | None, Form(description="format name; guessed when empty")] = None,
    dry_run: Annotated[bool, Form(description="check and count, write nothing")] = False,
    options: Annotated[str | None, Form(description="format options as a JSON object")] = None,
) -> UploadReport:
    """Import one file; with ``dry_run`` it is a preview: the counts it would write."""
    with spooled_upload(file, limit=get_settings().max_upload_bytes) as path:
        report = upload_service.ingest_file(
            engine=engine,
            path=path,
            filename=path.name,
            format=format or None,
            options=_options(options),
            source="api",
            created_by=caller.username,
            dry_run=dry_run,
        )
    return _status(report, response)


@router.post("/uploads/records", response_model=UploadReport, status_code=status.HTTP_201_CREATED)
def upload_records(
    engine: EngineDep,
    response: Response,
    body: RecordsUpload,
    caller: CallerDep,
    dry_run: bool = False,
) -> UploadReport:
    """Import measurements posted as JSON (the canonical long layout, one object each)."""
    report = upload_service.ingest_rows(
        engine=engine,
        rows=body.measurements,
        filename=upload_name(body.filename or "records.json"),
        source="api",
        created_by=caller.username,
        dry_run=dry_run,
    )
    return _status(report, response)


@router.get("/uploads", response_model=list[UploadPublic])
def list_uploads(
    session: SessionDep,
    include_undone: bool = True,
    limit: int = Query(100, ge=1, le=10_000),
    offset: int = Query(0, ge=0),
) -> list[UploadPublic]:
    """Uploads, newest first."""
    return uploads.list_uploads(session, include_undone=include_undone, limit=limit, offset=offset)


@router.get("/uploads/{upload_id}", response_model=UploadPublic)
def get_upload(session: SessionDep, upload_id: int) -> UploadPublic:
    """One upload by id."""
    return uploads.get_upload(session, upload_id=upload_id)


@router.post("/uploads/{upload_id}/undo", response_model=UndoResult)
def undo_upload(engine: EngineDep, session: SessionDep, upload_id: int) -> UndoResult:
    """Take an upload back: rows it created are deleted, values it overwrote restored
    (409 when it was undone already or a later upload depends on it)."""
    counts = upload_service.undo_upload(engine=engine, upload_id=upload_id)
    return UndoResult(upload=uploads.get_upload(session, upload_id=upload_id), counts=counts)
