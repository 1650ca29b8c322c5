"""Measurements as stored: filtered listings (JSON pages) and frames (CSV export)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from backend.models import Checkpoint, EvalSet, Measurement, Model
from backend.queries._read import read_frame
from backend.schemas.measurements import MeasurementFilter, MeasurementPage, MeasurementPublic

MEASUREMENT_COLUMNS = [
    "id",
    "model",
    "revision",
    "step",
    "tokens_seen",
    "eval_set",
    "metric",
    "value",
    "stderr",
    "n",
    "unit",
    "upload_id",
]


def _filtered(flt: MeasurementFilter) -> Select:
    stmt = (
        select(
            Measurement.id.label("id"),
            Model.name.label("model"),
            Checkpoint.revision.label("revision"),
            Checkpoint.step.label("step"),
            Checkpoint.tokens_seen.label("tokens_seen"),
            EvalSet.name.label("eval_set"),
            Measurement.metric.label("metric"),
            Measurement.value.label("value"),
            Measurement.stderr.label("stderr"),
            Measurement.n.label("n"),
            Measurement.unit.label("unit"),
            Measurement.upload_id.label("upload_id"),
        )
        .select_from(Measurement)
        .join(Checkpoint, Checkpoint.id == Measurement.checkpoint_id)
        .join(Model, Model.id == Checkpoint.model_id)
        .join(EvalSet, EvalSet.id == Measurement.eval_set_id)
    )
    for column, wanted in (
        (Model.name, flt.models),
        (Model.family, flt.families),
        (Model.pretraining_data, flt.pretraining_data),
        (Model.architecture, flt.architectures),
        (Model.tokenizer, flt.tokenizers),
        (EvalSet.name, flt.eval_sets),
        (Measurement.metric, flt.metrics),
    ):
        if wanted:
            stmt = stmt.where(column.in_(wanted))
    for bounded, low, high in (
        (Checkpoint.step, flt.min_step, flt.max_step),
        (Checkpoint.tokens_seen, flt.min_tokens, flt.max_tokens),
    ):
        if low is not None:
            stmt = stmt.where(bounded >= low)
        if high is not None:
            stmt = stmt.where(bounded <= high)
    if flt.final_only:
        last = (
            select(func.max(Checkpoint.step))
            .where(Checkpoint.model_id == Model.id)
            .correlate(Model)
            .scalar_subquery()
        )
        stmt = stmt.where(func.coalesce(Checkpoint.step, -1) == func.coalesce(last, -1))
    return stmt


def list_measurements(
    session: Session,
    *,
    flt: MeasurementFilter | None = None,
    limit: int = 1000,
    offset: int = 0,
) -> MeasurementPage:
    """One page of the measurements ``flt`` selects, ordered by model, step, eval set, metric."""
    stmt = _filtered(flt or MeasurementFilter())
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    page = (
        stmt.order_by(
            Model.name, Checkpoint.step, Checkpoint.revision, EvalSet.name, Measurement.metric
        )
        .limit(limit)
        .offset(offset)
    )
    items = [MeasurementPublic.model_validate(dict(row._mapping)) for row in session.execute(page)]
    return MeasurementPage(total=total or 0, limit=limit, offset=offset, items=items)


def measurements_frame(session: Session, *, flt: MeasurementFilter | None = None) -> pd.DataFrame:
    """Every measurement ``flt`` selects, long format (one row each), for export."""
    stmt = _filtered(flt or MeasurementFilter()).order_by(
        Model.name, Checkpoint.step, Checkpoint.revision, EvalSet.name, Measurement.metric
    )
    return read_frame(session, stmt)
