"""Write an evaluation result through the ingest core (``backend.ingest.core.write_upload``),
tagged with the job id, inside the caller's transaction: the one that also moves the job to
``succeeded``, so results and status land together or not at all (``services.uploads``
owns its own transaction, which would split them)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from backend.evaluation.results import EvaluationResult, to_records
from backend.ingest.core import write_upload
from backend.ingest.validation import Problems
from backend.services.eval_targets import EvalTarget

UPLOAD_FORMAT = "eval_job"


def write_results(*, session: Session, target: EvalTarget, result: EvaluationResult) -> dict:
    """Store a job's measurements and per-class scores as one upload with source ``job``;
    returns the upload id and rows per table."""
    records = to_records(
        result,
        model_name=target.model_name,
        revision=target.revision,
        eval_set=target.eval_set_name,
    )
    report = write_upload(
        session.connection(),
        records,
        problems=Problems(f"job {target.job_id}"),
        format=UPLOAD_FORMAT,
        source="job",
        filename=f"job-{target.job_id}",
        created_by=f"job {target.job_id}",
        job_id=target.job_id,
    )
    counts = {str(table): c.model_dump() for table, c in report.counts.items()}
    return {"upload_id": report.upload_id, "records": report.records, "tables": counts}
