"""Uploads: the one transactional write path for results, its preview, listing and undo.

Every ingest (API upload, web upload page, ``scalescope import``, evaluation and corpus jobs,
the demo loader) goes through :func:`ingest_file` or :func:`ingest_records`: one transaction
per upload; a bad file raises ``IngestError`` (problems with file, row, column) and writes
nothing; re-uploading the same content changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Engine, Table, select, update
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from backend import models
from backend.config import get_settings
from backend.exceptions import (
    ConflictError,
    IngestError,
    IngestProblem,
    NotFoundError,
)
from backend.ingest.adapters import long_json
from backend.ingest.core import check_source, write_upload
from backend.ingest.formats import detect_format, get_adapter
from backend.ingest.report import TableCounts, UploadReport
from backend.ingest.undo import undo_rows
from backend.ingest.validation import Problems
from backend.schemas.records import Record

__all__ = [
    "TableCounts",
    "UploadReport",
    "ingest_file",
    "ingest_records",
    "ingest_rows",
    "list_uploads",
    "get_upload",
    "undo_upload",
]


class _DryRun(Exception):
    """Raised inside the transaction of a dry run to roll it back."""


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def ingest_file(
    *,
    engine: Engine,
    path: str | Path,
    filename: str | None = None,
    format: str | None = None,
    options: dict[str, Any] | None = None,
    source: str = "api",
    created_by: str | None = None,
    dry_run: bool = False,
) -> UploadReport:
    """Parse, validate and store one file (``format`` guessed from content when None);
    ``dry_run`` parses and validates everything and returns the counts, writing nothing."""
    path = Path(path)
    name = filename or path.name
    if not path.is_file():
        raise IngestError(IngestProblem("no such file", name))
    size = path.stat().st_size
    limit = get_settings().max_upload_bytes
    if size > limit:
        raise IngestError(
            IngestProblem(f"the file has {size} bytes; uploads are limited to {limit}", name)
        )
    fmt = format or detect_format(path, name)
    adapter = get_adapter(fmt)
    problems = Problems(name)

    def produce() -> Iterable[Record]:
        return adapter.read(path, problems=problems, options=options or {})

    return _ingest(
        engine=engine,
        produce=produce,
        problems=problems,
        format=fmt,
        filename=name,
        sha256=file_sha256(path),
        source=source,
        created_by=created_by,
        job_id=None,
        dry_run=dry_run,
    )


def ingest_records(
    *,
    engine: Engine,
    records: Iterable[Record],
    format: str,
    source: str = "job",
    created_by: str | None = None,
    job_id: int | None = None,
    filename: str | None = None,
    dry_run: bool = False,
) -> UploadReport:
    """Store canonical records produced in code (evaluation and corpus jobs, JSON posted to
    the API) as one upload; ``format`` names their origin (e.g. ``"eval_job"``)."""
    problems = Problems(filename or format)
    return _ingest(
        engine=engine,
        produce=lambda: records,
        problems=problems,
        format=format,
        filename=filename,
        sha256=None,
        source=source,
        created_by=created_by,
        job_id=job_id,
        dry_run=dry_run,
    )


def ingest_rows(
    *,
    engine: Engine,
    rows: list[dict[str, Any]],
    filename: str,
    source: str = "api",
    created_by: str | None = None,
    dry_run: bool = False,
) -> UploadReport:
    """Store measurement objects posted as JSON (the canonical long layout, ``long_json``),
    parsed directly into records; problems name ``filename`` and the object's position.
    Posting the same rows again changes nothing (their digest is the upload's ``sha256``)."""
    problems = Problems(filename)
    digest = hashlib.sha256(json.dumps(rows).encode()).hexdigest()
    return _ingest(
        engine=engine,
        produce=lambda: long_json.read_items(rows, problems),
        problems=problems,
        format="long_json",
        filename=filename,
        sha256=digest,
        source=source,
        created_by=created_by,
        job_id=None,
        dry_run=dry_run,
    )


def _ingest(
    *,
    engine: Engine,
    produce: Callable[[], Iterable[Record]],
    problems: Problems,
    format: str,
    filename: str | None,
    sha256: str | None,
    source: str,
    created_by: str | None,
    job_id: int | None,
    dry_run: bool,
) -> UploadReport:
    check_source(source)
    started = time.perf_counter()
    report = UploadReport(
        format=format, filename=filename, sha256=sha256, source=source, dry_run=dry_run
    )
    try:
        with engine.begin() as conn:
            report = write_upload(
                conn,
                produce(),
                problems=problems,
                format=format,
                source=source,
                filename=filename,
                sha256=sha256,
                created_by=created_by,
                job_id=job_id,
                dry_run=dry_run,
            )
            if dry_run:
                raise _DryRun
            if sha256 is not None and not any(c.written for c in report.counts.values()):
                report.unchanged = True  # e.g. the same file again: no upload record either
                raise _DryRun
    except _DryRun:
        report.upload_id = None
    except (DataError, IntegrityError) as exc:
        # Checks in the adapters and the writer should catch bad values first; this names the
        # upload when the database's own constraints find something they missed.
        raise IngestError(
            IngestProblem(f"the database refused the upload: {exc.orig}".strip(), filename)
        ) from exc
    report.seconds = round(time.perf_counter() - started, 4)
    return report


def list_uploads(
    *, session: Session, limit: int = 50, offset: int = 0, include_undone: bool = True
) -> list[models.Upload]:
    """Uploads, newest first."""
    query = select(models.Upload).order_by(models.Upload.id.desc()).limit(limit).offset(offset)
    if not include_undone:
        query = query.where(models.Upload.status == "committed")
    return list(session.scalars(query))


def get_upload(*, session: Session, upload_id: int) -> models.Upload:
    """One upload by id."""
    upload = session.get(models.Upload, upload_id)
    if upload is None:
        raise NotFoundError(f"upload {upload_id} does not exist")
    return upload


def undo_upload(*, engine: Engine, upload_id: int) -> dict[str, dict[str, int]]:
    """Take one upload back in one transaction: values it overwrote are restored, rows it
    created are deleted; returns restored/deleted counts per table."""
    uploads = cast(Table, models.Upload.__table__)
    with engine.begin() as conn:
        status = conn.execute(
            select(uploads.c.status).where(uploads.c.id == upload_id)
        ).scalar_one_or_none()
        if status is None:
            raise NotFoundError(f"upload {upload_id} does not exist")
        if status == "undone":
            raise ConflictError(f"upload {upload_id} has already been undone")
        counts = undo_rows(conn, upload_id)
        conn.execute(
            update(uploads)
            .where(uploads.c.id == upload_id)
            .values(status="undone", undone_at=dt.datetime.now(dt.UTC))
        )
    return counts
