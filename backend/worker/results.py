"""Write an evaluation result through the ingest write path (``UploadWriter``), tagged with the
job id, inside the caller's transaction: the one that also moves the job to ``succeeded``, so
results and status land together or not at all (``services.uploads.ingest_records`` owns its
own transaction, which would split them)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from backend.config import get_settings
from backend.evaluation.results import EvaluationResult, to_records
from backend.ingest.store import UploadWriter
from backend.ingest.validation import Problems
from backend.models import Upload
from backend.services.eval_targets import EvalTarget

UPLOAD_FORMAT = "eval_job"


def write_results(*, session: Session, target: EvalTarget, result: EvaluationResult) -> dict:
    """Store a job's measurements and per-class scores as one upload with source ``job``;
    returns the upload id and rows per table."""
    upload = Upload(
        source="job",
        format=UPLOAD_FORMAT,
        filename=f"job-{target.job_id}",
        created_by=f"job {target.job_id}",
        counts={},
    )
    session.add(upload)
    session.flush()
    writer = UploadWriter(
        session.connection(),
        upload_id=upload.id,
        problems=Problems(f"job {target.job_id}"),
        batch_rows=get_settings().ingest_batch_rows,
        job_id=target.job_id,
    )
    writer.add_all(
        to_records(
            result,
            model_name=target.model_name,
            revision=target.revision,
            eval_set=target.eval_set_name,
        )
    )
    counts = {str(table): c.model_dump() for table, c in writer.finish().items()}
    upload.counts = counts
    return {"upload_id": upload.id, "records": writer.records, "tables": counts}
