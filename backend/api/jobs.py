"""Evaluation jobs: launch (checkpoints × eval sets, or the coverage grid's holes), list and
show with progress and log tail, cancel, retry. Launches go through ``backend.services.jobs``,
cancel and retry through ``backend.services.job_lifecycle``, reads through
``backend.queries.jobs``; jobs are enqueued after their rows are committed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import APIRouter, FastAPI, Query, status

from backend.api.deps import SessionDep
from backend.api.security import CallerDep
from backend.queries import jobs as job_queries
from backend.schemas.jobs import JobCreate, JobList, JobPublic, JobsMissing, JobSubmitted
from backend.services import job_lifecycle
from backend.services import jobs as job_service


@asynccontextmanager
async def run_local_jobs(app: FastAPI) -> AsyncIterator[None]:
    """The embedded default (no broker): the web process runs jobs itself, in a local
    executor on the app's database, for as long as the app runs."""
    from backend.worker.local_executor import start_local_executor

    engine = getattr(app.state, "engine", None)
    url = engine.url.render_as_string(hide_password=False) if engine is not None else None
    executor = start_local_executor(database_url=url)
    try:
        yield
    finally:
        if executor is not None:
            executor.stop(wait=False)


router = APIRouter(tags=["jobs"], lifespan=run_local_jobs)


def _submitted(session, submitted) -> list[JobSubmitted]:
    shown = job_queries.describe(session=session, jobs=[s.job for s in submitted])
    return [JobSubmitted(job=j, created=s.created) for j, s in zip(shown, submitted, strict=True)]


@router.post("/jobs", response_model=list[JobSubmitted], status_code=status.HTTP_201_CREATED)
def submit_jobs(session: SessionDep, body: JobCreate, caller: CallerDep) -> list[JobSubmitted]:
    """Queue one job per checkpoint × eval set; identical pending jobs are not queued twice."""
    submitted = job_service.submit(
        session=session,
        checkpoint_ids=body.checkpoint_ids,
        eval_set_ids=body.eval_set_ids,
        options=body.options,
        created_by=caller.username,
    )
    return _submitted(session, submitted)


@router.post(
    "/jobs/missing", response_model=list[JobSubmitted], status_code=status.HTTP_201_CREATED
)
def submit_missing_jobs(
    session: SessionDep, body: JobsMissing, caller: CallerDep
) -> list[JobSubmitted]:
    """Queue jobs for the checkpoint × benchmark pairs with no measurement and no pending job."""
    submitted = job_service.submit_missing(
        session=session,
        checkpoint_ids=body.checkpoint_ids,
        eval_set_ids=body.eval_set_ids,
        options=body.options,
        created_by=caller.username,
    )
    return _submitted(session, submitted)


@router.get("/jobs", response_model=JobList)
def list_jobs(
    session: SessionDep,
    status: Annotated[list[str] | None, Query(description="queued, running, ...")] = None,
    checkpoint_id: int | None = None,
    eval_set_id: int | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> JobList:
    """Jobs, newest first, with progress and log tail; counts per status."""
    items = job_queries.job_list(
        session=session,
        statuses=status,
        checkpoint_id=checkpoint_id,
        eval_set_id=eval_set_id,
        limit=limit,
        offset=offset,
    )
    return JobList(items=items, counts=job_queries.count_by_status(session=session))


@router.get("/jobs/{job_id}", response_model=JobPublic)
def get_job(session: SessionDep, job_id: int) -> JobPublic:
    """One job with its progress, log tail, error and result."""
    return job_queries.job_detail(session=session, job_id=job_id)


@router.post("/jobs/{job_id}/cancel", response_model=JobPublic)
def cancel_job(session: SessionDep, job_id: int) -> JobPublic:
    """Cancel a queued job, or ask a running one to stop."""
    job_lifecycle.cancel(session=session, job_id=job_id)
    return job_queries.job_detail(session=session, job_id=job_id)


@router.post("/jobs/{job_id}/retry", response_model=JobPublic)
def retry_job(session: SessionDep, job_id: int) -> JobPublic:
    """Queue a failed or cancelled job again."""
    job_lifecycle.retry(session=session, job_id=job_id)
    return job_queries.job_detail(session=session, job_id=job_id)
