"""The one ingest core: canonical records in, one upload written inside the caller's
transaction. Every writer of results goes through :func:`write_upload`: file, form, REST and
CLI uploads (``services.uploads``), evaluation results (``worker.results``) and corpus counts
(``corpus.store``), so all get the same source check, the same record checks (once, in the
writer), provenance, the coverage grid and the same report."""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from sqlalchemy import Connection, Table, insert, update

from backend import models
from backend.config import get_settings
from backend.exceptions import ValidationError
from backend.ingest.report import UploadReport
from backend.ingest.validation import Problems
from backend.ingest.writer import UploadWriter
from backend.schemas.records import Record

SOURCES = ("api", "web", "cli", "job", "demo")


def check_source(source: str) -> None:
    """Refuse an upload source that is not one of :data:`SOURCES`."""
    if source not in SOURCES:
        raise ValidationError(f"unknown upload source {source!r}; one of {', '.join(SOURCES)}")


def write_upload(
    conn: Connection,
    records: Iterable[Record],
    *,
    problems: Problems,
    format: str,
    source: str,
    filename: str | None = None,
    sha256: str | None = None,
    created_by: str | None = None,
    job_id: int | None = None,
    dry_run: bool = False,
) -> UploadReport:
    """Write ``records`` as one upload on ``conn`` (the caller commits or rolls back); a bad
    record raises ``IngestError`` naming file, row and column. Returns the report, with
    ``upload_id`` set; the upload row carries its counts."""
    check_source(source)
    uploads = cast(Table, models.Upload.__table__)
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
    writer.add_all(records)
    counts = writer.finish()
    stored = {table: c.model_dump() for table, c in counts.items()}
    conn.execute(update(uploads).where(uploads.c.id == upload_id).values(counts=stored))
    return UploadReport(
        upload_id=upload_id,
        format=format,
        filename=filename,
        sha256=sha256,
        source=source,
        dry_run=dry_run,
        records=writer.records,
        counts=counts,
        warnings=[str(w) for w in problems.warnings],
    )
