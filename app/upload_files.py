"""The upload page's bridge to the ingest service: a file dropped on ``dcc.Upload`` arrives as
a base64 data URL; write it to a temporary file and preview (dry run) or import it.

Both return an :class:`UploadOutcome`: the service's report, or the problems that refused the
file (each with its row and column), never an exception for a bad file.
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


def decode_contents(contents: str) -> bytes:
    """The bytes of a ``data:<type>;base64,<payload>`` URL (as ``dcc.Upload`` delivers)."""
    _, _, payload = contents.partition(",")
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise IngestError("the browser sent a file that is not valid base64") from exc


def page_upload_limit() -> int:
    """The largest file the upload page takes: its base64 text travels in a callback body
    (``settings.max_callback_bytes``), a third larger than the file, plus some JSON."""
    return max(0, (get_settings().max_callback_bytes - 64 * 1024) * 3 // 4)


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
