"""Uploads: the one transactional write path for results, its preview, listing and undo.

Every ingest (API upload, web upload page, ``scalescope import``, evaluation and corpus jobs,
the demo loader) goes through :func:`ingest_file` or :func:`ingest_records`: one transaction
per upload; a bad file raises ``IngestError`` (problems with file, row, column) and writes
nothing; re-uploading the same content changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Engine, Table, func, insert, select, update
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from backend import models
from backend.config import get_settings
from backend.exceptions import (
    ConflictError,
    IngestError,
    IngestProblem,
    NotFoundError,
    ValidationError,
)
from backend.ingest.formats import detect_format, get_adapter
from backend.ingest.records import Record
from backend.ingest.report import TableCounts, UploadReport
from backend.ingest.store import UploadWriter
from backend.ingest.undo import undo_rows
from backend.ingest.validation import Problems

__all__ = [
    "TableCounts",
    "UploadReport",
    "ingest_file",
    "ingest_records",
    "list_uploads",
    "get_upload",
    "undo_upload",
]

SOURCES = ("api", "web", "cli", "job", "demo")


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
    if source not in SOURCES:
        raise ValidationError(f"unknown upload source {source!r}; one of {', '.join(SOURCES)}")
    started = time.perf_counter()
    uploads = cast(Table, models.Upload.__table__)
    report = UploadReport(
        format=format, filename=filename, sha256=sha256, source=source, dry_run=dry_run
    )
    try:
        with engine.begin() as conn:
            upload_id = conn.execute(
                insert(uploads)
                .values(
                    created_by=created_by,
                    source=source,
                    format=format,
                    filename=filename,
                    sha256=sha256,
                    status="committed",
                    counts={},
                )
                .returning(uploads.c.id)
            ).scalar_one()
            writer = UploadWriter(
                conn,
                upload_id=upload_id,
                problems=problems,
                batch_rows=get_settings().ingest_batch_rows,
                job_id=job_id,
            )
            writer.add_all(produce())
            counts = writer.finish()
            report.records = writer.records
            report.counts = counts
            report.warnings = [str(w) for w in problems.warnings]
            if dry_run:
                raise _DryRun
            if sha256 is not None and not any(c.new or c.updated for c in counts.values()):
                report.unchanged = True  # e.g. the same file again: no upload record either
                raise _DryRun
            stored = {table: c.model_dump() for table, c in counts.items()}
            conn.execute(update(uploads).where(uploads.c.id == upload_id).values(counts=stored))
            report.upload_id = upload_id
    except _DryRun:
        pass
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


def count_uploads(*, session: Session) -> int:
    """How many uploads there are (for paging)."""
    return session.scalar(select(func.count()).select_from(models.Upload)) or 0


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
