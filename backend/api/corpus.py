"""Corpus statistics: queue counting and similarity jobs, read stored similarities. The corpus
engines load only when a job is submitted (the web process needs no corpus extra to start)."""

from __future__ import annotations

from fastapi import APIRouter, status

from backend.api.deps import SessionDep
from backend.api.security import CallerDep
from backend.queries import jobs as job_queries
from backend.schemas.corpus import CorpusJobCreate, TrainTestSimilarityPublic
from backend.schemas.jobs import JobSubmitted

router = APIRouter(tags=["corpus"])


@router.post("/corpus/jobs", response_model=JobSubmitted, status_code=status.HTTP_201_CREATED)
def submit_corpus_job(
    session: SessionDep, body: CorpusJobCreate, caller: CallerDep
) -> JobSubmitted:
    """Queue a concept-counting or train-test similarity job (an identical pending one is
    returned instead)."""
    from backend.corpus.jobs import submit

    submitted = submit(session=session, kind=body.kind, spec=body.spec, created_by=caller.username)
    (shown,) = job_queries.describe(session=session, jobs=[submitted.job])
    return JobSubmitted(job=shown, created=submitted.created)


@router.get("/corpus/similarities", response_model=list[TrainTestSimilarityPublic])
def list_similarities(
    session: SessionDep, corpus: str, eval_set: str, method: str | None = None
) -> list[TrainTestSimilarityPublic]:
    """Per test image of ``eval_set``: its similarity to ``corpus`` (404 when none stored)."""
    from backend.corpus.store import similarity_frame

    frame = similarity_frame(session=session, corpus=corpus, eval_set=eval_set, method=method)
    frame = frame.astype(object).where(frame.notna(), None)
    return [TrainTestSimilarityPublic(**row) for row in frame.to_dict(orient="records")]
