"""The states of a job row (``eval_jobs.status``): the strings stored, as an enum."""

from __future__ import annotations

from enum import StrEnum


class JobStatus(StrEnum):
    """Where a job is in its life cycle (see ``backend.services.job_lifecycle``)."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


#: Waiting or running: an identical request reuses such a job instead of queueing a twin.
PENDING: tuple[JobStatus, ...] = (JobStatus.QUEUED, JobStatus.RUNNING)
#: Final: nothing changes the job any more (but a retry of a failed or cancelled one).
FINISHED: tuple[JobStatus, ...] = (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED)
#: Failed or cancelled: what a retry may queue again.
RETRYABLE: tuple[JobStatus, ...] = (JobStatus.FAILED, JobStatus.CANCELLED)
