"""How many decades of training compute each metric's checkpoints span: the scaling explorer
opens on the loss with the widest span (a scaling law needs range)."""

from __future__ import annotations

import math

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from backend.models import Checkpoint, EvalSet, Measurement, Model
from backend.queries.data_version import by_data_version
from backend.schemas.measurements import MetricRef


def compute_decades(session: Session, metrics: list[MetricRef]) -> dict[str, float]:
    """``{"eval_set:metric": log10(max compute / min compute)}`` for ``metrics``, with
    compute the stored FLOPs or 6·N·D where they are missing (as ``scaling_frame`` has it);
    metrics whose checkpoints have no compute are left out. Kept per process until the data
    version changes (an aggregate over every measurement of the metrics)."""
    if not metrics:
        return {}
    key = ("compute_decades", tuple((m.eval_set, m.metric) for m in metrics))
    return dict(by_data_version(session, key, lambda: _compute_decades(session, metrics)))


def _compute_decades(session: Session, metrics: list[MetricRef]) -> dict[str, float]:
    compute = func.coalesce(Checkpoint.flops, 6.0 * Model.n_params * Checkpoint.tokens_seen).label(
        "compute"
    )
    stmt = (
        select(EvalSet.name, Measurement.metric, func.min(compute), func.max(compute))
        .join(EvalSet, EvalSet.id == Measurement.eval_set_id)
        .join(Checkpoint, Checkpoint.id == Measurement.checkpoint_id)
        .join(Model, Model.id == Checkpoint.model_id)
        .where(
            tuple_(EvalSet.name, Measurement.metric).in_([(m.eval_set, m.metric) for m in metrics])
        )
        .where(compute > 0)
        .group_by(EvalSet.name, Measurement.metric)
    )
    return {
        f"{name}:{metric}": math.log10(high / low)
        for name, metric, low, high in session.execute(stmt)
        if low and high
    }
