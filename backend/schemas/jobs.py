"""Evaluation jobs: what to launch, and a job as the API and the Jobs page show it."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from backend.schemas.common import Timestamp


class JobCreate(BaseModel):
    """Evaluate every checkpoint × eval set picked (identical pending jobs are reused)."""

    checkpoint_ids: list[int] = Field(min_length=1, max_length=10_000)
    eval_set_ids: list[int] = Field(min_length=1, max_length=10_000)
    options: dict[str, Any] = Field(
        default_factory=dict,
        description="run options: batch_size, num_workers, device, precision, seed, top_k",
    )


class JobsMissing(BaseModel):
    """Launch the holes of the coverage grid (all checkpoints / benchmarks when not given)."""

    checkpoint_ids: list[int] | None = None
    eval_set_ids: list[int] | None = None
    options: dict[str, Any] = Field(default_factory=dict)


class JobPublic(BaseModel):
    """One job: its target, status, progress, log tail, error and result."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    status: str
    progress: float
    message: str | None = None
    log_tail: str = ""
    worker: str | None = None
    attempts: int
    error: str | None = None
    result: dict[str, Any] | None = None
    cancel_requested: bool
    checkpoint_id: int | None = None
    eval_set_id: int | None = None
    model_name: str | None = None
    revision: str | None = None
    eval_set_name: str | None = None
    spec: dict[str, Any] = Field(default_factory=dict)
    created_by: str | None = None
    created_at: Timestamp
    started_at: Timestamp | None = None
    heartbeat_at: Timestamp | None = None
    finished_at: Timestamp | None = None


class JobSubmitted(BaseModel):
    """A requested checkpoint × eval set: its job, and whether this request created it."""

    job: JobPublic
    created: bool


class JobList(BaseModel):
    """A page of jobs, newest first, and how many jobs there are in each status."""

    items: list[JobPublic]
    counts: dict[str, int]
