"""The upload page's bridge to the ingest service.

The page streams the dropped file to ``POST /api/uploads`` from the browser
(``frontend_assets/upload.js``: a dry run for the preview, then the import), so uploads keep
the API's own size limit and policy and no file travels through a Dash callback;
:func:`reply_outcome` turns the API's answer into an :class:`UploadOutcome` for the page.
:func:`preview_upload` / :func:`import_upload` do the same for a base64 data URL (small files
from code and tests). Every function returns an :class:`UploadOutcome`: the service's report,
or the problems that refused the file (each with its row and column), never an exception for a
bad file.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from backend.api.files import spool_folder, upload_name
from backend.config import get_settings
from backend.db import get_engine
from backend.exceptions import IngestError, IngestProblem, ScaleScopeError
from backend.ingest.report import UploadReport
from backend.services import uploads


@dataclass(frozen=True)
class UploadOutcome:
    """What a preview or an import found: a report, or the problems that refused the file."""

    report: UploadReport | None = None
    problems: list[IngestProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the file can be (or was) imported."""
        return self.report is not None and not self.problems


def reply_outcome(reply: dict) -> UploadOutcome:
    """The outcome of the API's answer to a streamed upload (``{"filename", "status",
    "body"}`` as ``upload.js`` stores it): a report for 200/201, else the body's problems or
    its detail."""
    body = reply.get("body") if isinstance(reply.get("body"), dict) else {}
    filename = str(reply.get("filename") or "upload")
    if reply.get("status") in (200, 201):
        try:
            return UploadOutcome(report=UploadReport.model_validate(body))
        except ValueError:
            return UploadOutcome(problems=[IngestProblem("the server's answer is unreadable")])
    problems = [
        IngestProblem(
            message=str(p.get("message", "")),
            file=p.get("file"),
            row=p.get("row"),
            column=p.get("column"),
        )
        for p in body.get("problems") or []
        if isinstance(p, dict)
    ]
    detail = str(body.get("detail") or f"the server answered {reply.get('status')}")
    return UploadOutcome(problems=problems or [IngestProblem(detail, filename)])


def decode_contents(contents: str) -> bytes:
    """The bytes of a ``data:<type>;base64,<payload>`` URL (as ``dcc.Upload`` delivers)."""
    _, _, payload = contents.partition(",")
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise IngestError("the browser sent a file that is not valid base64") from exc


def _run(
    *, engine: Engine | None, contents: str, filename: str, dry_run: bool, created_by: str | None
) -> UploadOutcome:
    try:
        safe_name = upload_name(filename)
    except IngestError as exc:
        return UploadOutcome(problems=exc.problems)
    limit = get_settings().max_upload_bytes
    if len(contents or "") * 3 // 4 > limit:  # base64 size, checked before decoding
        message = f"the file is larger than the upload limit of {limit:,} bytes"
        return UploadOutcome(problems=[IngestProblem(message, safe_name)])
    try:
        data = decode_contents(contents or "")
        with spool_folder() as folder:
            path = Path(folder) / safe_name
            path.write_bytes(data)
            report = uploads.ingest_file(
                engine=engine or get_engine(),
                path=path,
                filename=safe_name,
                source="web",
                created_by=created_by,
                dry_run=dry_run,
            )
    except IngestError as exc:
        return UploadOutcome(problems=exc.problems)
    except ScaleScopeError as exc:
        return UploadOutcome(problems=[IngestProblem(str(exc), safe_name)])
    return UploadOutcome(report=report)


def preview_upload(
    *, engine: Engine | None, contents: str, filename: str, created_by: str | None = None
) -> UploadOutcome:
    """Parse and validate the file and count what it would write, writing nothing."""
    return _run(
        engine=engine, contents=contents, filename=filename, dry_run=True, created_by=created_by
    )


def import_upload(
    *, engine: Engine | None, contents: str, filename: str, created_by: str | None = None
) -> UploadOutcome:
    """Import the file as one upload (all or nothing)."""
    return _run(
        engine=engine, contents=contents, filename=filename, dry_run=False, created_by=created_by
    )


def undo(*, engine: Engine | None, upload_id: int) -> str:
    """Undo one upload; a sentence saying what happened (or why not)."""
    try:
        counts = uploads.undo_upload(engine=engine or get_engine(), upload_id=upload_id)
    except ScaleScopeError as exc:
        return f"Could not undo upload {upload_id}: {exc}"
    removed = sum(sum(table.values()) for table in counts.values()) if counts else 0
    return f"Upload {upload_id} undone ({removed} rows deleted or restored)."
