"""Coverage grid: which model has results on which eval set, read from the grid the ingest
write path keeps (``coverage_cells``: per checkpoint × eval set, its number of measurements)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.models import Checkpoint, CoverageCell, EvalSet, Model


def coverage_frame(
    session: Session,
    *,
    models: list[str] | None = None,
    families: list[str] | None = None,
    eval_sets: list[str] | None = None,
    kind: str | None = None,
) -> pd.DataFrame:
    """Every selected model × eval set, models by name then eval sets by name:
    ``model, eval_set, n_measurements, n_checkpoints, measured`` (zero counts and
    ``measured=False`` where nothing is stored)."""
    model_stmt = select(Model.id, Model.name).order_by(Model.name)
    if models:
        model_stmt = model_stmt.where(Model.name.in_(models))
    if families:
        model_stmt = model_stmt.where(Model.family.in_(families))
    eval_stmt = select(EvalSet.id, EvalSet.name).order_by(EvalSet.name)
    if eval_sets:
        eval_stmt = eval_stmt.where(EvalSet.name.in_(eval_sets))
    if kind:
        eval_stmt = eval_stmt.where(EvalSet.kind == kind)
    model_rows = session.execute(model_stmt).all()
    eval_rows = session.execute(eval_stmt).all()
    model_index = {model_id: i for i, (model_id, _) in enumerate(model_rows)}
    eval_index = {eval_id: j for j, (eval_id, _) in enumerate(eval_rows)}

    shape = (len(model_rows), len(eval_rows))
    n_measurements = np.zeros(shape, dtype=np.int64)
    n_checkpoints = np.zeros(shape, dtype=np.int64)
    counts = (
        select(
            Checkpoint.model_id,
            CoverageCell.eval_set_id,
            func.sum(CoverageCell.n_measurements),
            func.count(),
        )
        .join(Checkpoint, Checkpoint.id == CoverageCell.checkpoint_id)
        .group_by(Checkpoint.model_id, CoverageCell.eval_set_id)
    )
    if models or families:
        counts = counts.where(
            Checkpoint.model_id.in_(model_stmt.with_only_columns(Model.id).order_by(None))
        )
    if eval_sets or kind:
        counts = counts.where(
            CoverageCell.eval_set_id.in_(eval_stmt.with_only_columns(EvalSet.id).order_by(None))
        )
    for model_id, eval_id, n, n_ckpt in session.execute(counts):
        i, j = model_index.get(model_id), eval_index.get(eval_id)
        if i is not None and j is not None:
            n_measurements[i, j] = n
            n_checkpoints[i, j] = n_ckpt

    names = np.array([name for _, name in model_rows], dtype=object)
    sets = np.array([name for _, name in eval_rows], dtype=object)
    return pd.DataFrame(
        {
            "model": np.repeat(names, shape[1]),
            "eval_set": np.tile(sets, shape[0]),
            "n_measurements": n_measurements.ravel(),
            "n_checkpoints": n_checkpoints.ravel(),
            "measured": n_measurements.ravel() > 0,
        }
    )
