"""Models, checkpoints, eval sets, metrics, corpora, attributes and coverage."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query, Response

from backend.api.deps import SessionDep
from backend.api.filters import FRAME_RESPONSES, FrameFormat, Names, frame_response
from backend.queries import catalog, coverage
from backend.schemas.catalog import (
    Catalog,
    CheckpointPublic,
    CorpusPublic,
    EvalSetPublic,
    MetricAvailability,
    ModelPublic,
)

router = APIRouter(tags=["catalog"])
EvalSetKind = Literal["validation", "benchmark"]
ModelSort = Literal[
    "name", "family", "architecture", "n_params", "pretraining_data", "tokenizer", "n_checkpoints",
    "-name", "-family", "-architecture", "-n_params", "-pretraining_data", "-tokenizer",
    "-n_checkpoints",
]  # fmt: skip


@router.get("/catalog", response_model=Catalog)
def get_catalog(session: SessionDep) -> Catalog:
    """Models, eval sets, (eval set, metric) pairs, corpora and grouping values in one call."""
    return catalog.catalog(session)


@router.get("/models", response_model=list[ModelPublic])
def list_models(
    session: SessionDep,
    response: Response,
    name: Names = None,
    family: Names = None,
    pretraining_data: Names = None,
    search: str | None = None,
    sort: ModelSort | None = None,
    limit: int | None = Query(None, ge=1, le=1_000_000),
    offset: int = Query(0, ge=0),
) -> list[ModelPublic]:
    """Models with their attributes and checkpoint counts, filtered, by name or by ``sort``
    (a column; ``-column``: descending), ``limit`` of them from ``offset`` (the
    ``X-Total-Count`` header says how many match)."""
    total = catalog.count_models(
        session, names=name, families=family, pretraining_data=pretraining_data, search=search
    )
    response.headers["X-Total-Count"] = str(total)
    return catalog.list_models(
        session, names=name, families=family, pretraining_data=pretraining_data, search=search,
        sort=[(sort.removeprefix("-"), sort.startswith("-"))] if sort else None,
        limit=limit, offset=offset,
    )  # fmt: skip


@router.get("/models/{name:path}", response_model=ModelPublic)
def get_model(session: SessionDep, name: str) -> ModelPublic:
    """One model by name (names may contain ``/``)."""
    return catalog.get_model(session, name=name)


@router.get("/checkpoints", response_model=list[CheckpointPublic])
def list_checkpoints(
    session: SessionDep, model: str = Query(description="model name")
) -> list[CheckpointPublic]:
    """The checkpoints of one model in step order."""
    return catalog.list_checkpoints(session, model=model)


@router.get("/eval-sets", response_model=list[EvalSetPublic])
def list_eval_sets(session: SessionDep, kind: EvalSetKind | None = None) -> list[EvalSetPublic]:
    """Validation corpora and benchmarks."""
    return catalog.list_eval_sets(session, kind=kind)


@router.get("/metrics", response_model=list[MetricAvailability])
def list_metrics(session: SessionDep, eval_set: str | None = None) -> list[MetricAvailability]:
    """Every (eval set, metric) pair that has measurements, with counts."""
    return catalog.list_metrics(session, eval_set=eval_set)


@router.get("/corpora", response_model=list[CorpusPublic])
def list_corpora(session: SessionDep) -> list[CorpusPublic]:
    """Pretraining corpora and their counting methods."""
    return catalog.list_corpora(session)


@router.get("/attributes")
def attribute_values(session: SessionDep) -> dict[str, list]:
    """Distinct values of each model attribute (for grouping and colouring)."""
    return catalog.attribute_values(session)


@router.get("/coverage", responses=FRAME_RESPONSES)
def get_coverage(
    session: SessionDep,
    model: Names = None,
    family: Names = None,
    eval_set: Names = None,
    kind: EvalSetKind | None = None,
    missing: bool = False,
    limit: int = Query(1000, ge=1, le=1_000_000),
    offset: int = Query(0, ge=0),
    format: FrameFormat = "json",
):
    """Model × eval set grid, by model then eval set, ``limit`` pairs from ``offset`` (the
    ``X-Total-Count`` header says how many there are): the measured pairs with their
    measurement and checkpoint counts; ``missing=true`` also lists the missing ones."""
    frame, total = coverage.coverage_page(
        session, models=model, families=family, eval_sets=eval_set, kind=kind,
        missing=missing, limit=limit, offset=offset,
    )  # fmt: skip
    response = frame_response(frame, fmt=format, filename="coverage")
    response.headers["X-Total-Count"] = str(total)
    return response
