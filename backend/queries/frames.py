"""DataFrames for plots: one row per checkpoint (or per matched checkpoint pair).

Every frame carries the checkpoint's ``checkpoint_id, model, revision, step, tokens_seen,
samples_seen, flops`` and the model's ``family, architecture, n_params, pretraining_data,
tokenizer`` plus its free attributes as further columns (for grouping and colouring).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, Integer, Select, and_, any_, bindparam, exists, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, aliased

from backend.catalog.aliases import canonical
from backend.exceptions import NotFoundError
from backend.models import Checkpoint, EvalSet, Measurement, Model
from backend.queries._read import read_frame
from backend.queries.data_version import by_data_version
from backend.schemas.measurements import MeasurementFilter, MetricRef

MODEL_COLUMNS = ["model", "family", "architecture", "n_params", "pretraining_data", "tokenizer"]
CHECKPOINT_COLUMNS = ["checkpoint_id", "revision", "step", "tokens_seen", "samples_seen", "flops"]
# Names a free model attribute may not take in a frame (it would shadow a real column).
RESERVED_COLUMNS = {
    "model_id",
    *MODEL_COLUMNS,
    *CHECKPOINT_COLUMNS,
    *("x", "y", "x_stderr", "y_stderr", "value", "stderr", "n", "compute", "compute_estimated"),
}


def eval_set_id(session: Session, name: str) -> int:
    """The id of the eval set called ``name`` (or whose alias it is); NotFoundError if none."""
    found = session.scalar(select(EvalSet.id).where(EvalSet.name == name))
    if found is None:
        found = session.scalar(
            select(EvalSet.id).where(EvalSet.name == canonical("eval_set", name))
        )
    if found is None:
        raise NotFoundError(f"no eval set named {name!r}")
    return found


def stored_ref(session: Session, ref: MetricRef) -> MetricRef:
    """``ref`` as stored: itself when measured, else with canonical names (so aliases work)."""
    measured = session.scalar(
        select(Measurement.id)
        .join(EvalSet, EvalSet.id == Measurement.eval_set_id)
        .where(EvalSet.name == ref.eval_set, Measurement.metric == ref.metric)
        .limit(1)
    )
    if measured is not None:
        return ref
    return MetricRef(
        eval_set=canonical("eval_set", ref.eval_set) or ref.eval_set,
        metric=canonical("metric", ref.metric) or ref.metric,
    )


def _stored(session: Session, ref: MetricRef) -> tuple[int, str]:
    """The eval set id and metric that ``ref`` reads: one query when it is measured as given,
    else through :func:`stored_ref` and :func:`eval_set_id` (canonical names)."""
    measured = session.scalar(
        select(EvalSet.id).where(
            EvalSet.name == ref.eval_set,
            exists().where(Measurement.eval_set_id == EvalSet.id, Measurement.metric == ref.metric),
        )
    )
    if measured is not None:
        return measured, ref.metric
    ref = stored_ref(session, ref)
    return eval_set_id(session, ref.eval_set), ref.metric


def models_frame(session: Session, *, flt: MeasurementFilter | None = None) -> pd.DataFrame:
    """The models that ``flt`` selects, one row each, free attributes as extra columns (a
    read of every model's attributes, kept per process until the data version changes)."""
    flt = flt or MeasurementFilter()
    wanted = (flt.models, flt.families, flt.pretraining_data, flt.architectures, flt.tokenizers)
    key = ("models_frame", tuple(tuple(w) if w else None for w in wanted))
    return by_data_version(session, key, lambda: _models_frame(session, flt)).copy()


def _models_frame(session: Session, flt: MeasurementFilter) -> pd.DataFrame:
    stmt = select(
        Model.id,
        Model.name,
        Model.family,
        Model.architecture,
        Model.n_params,
        Model.pretraining_data,
        Model.tokenizer,
        Model.attributes,
    )
    for column, wanted in (
        (Model.name, flt.models),
        (Model.family, flt.families),
        (Model.pretraining_data, flt.pretraining_data),
        (Model.architecture, flt.architectures),
        (Model.tokenizer, flt.tokenizers),
    ):
        if wanted:
            stmt = stmt.where(column.in_(wanted))
    rows = session.execute(stmt).all()
    frame = pd.DataFrame(
        [row[:-1] for row in rows], columns=["model_id", *MODEL_COLUMNS], dtype=object
    )
    frame["model_id"] = frame["model_id"].astype("int64")
    frame["n_params"] = pd.to_numeric(frame["n_params"], errors="coerce").astype(float)
    extra = pd.DataFrame([row[-1] or {} for row in rows], index=frame.index)
    extra = extra.drop(columns=[c for c in extra.columns if c in RESERVED_COLUMNS])
    return pd.concat([frame, extra], axis=1)


def _models_wanted(flt: MeasurementFilter) -> bool:
    return any((flt.models, flt.families, flt.pretraining_data, flt.architectures, flt.tokenizers))


def _checkpoint_conditions(
    flt: MeasurementFilter, model_ids: list[int] | None, *, postgres: bool
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if model_ids is not None and postgres:  # one array parameter, not one per model
        ids = bindparam("model_ids", model_ids, type_=ARRAY(Integer))
        conditions.append(Checkpoint.model_id == any_(ids))
    elif model_ids is not None:
        conditions.append(Checkpoint.model_id.in_(model_ids))
    if flt.min_step is not None:
        conditions.append(Checkpoint.step >= flt.min_step)
    if flt.max_step is not None:
        conditions.append(Checkpoint.step <= flt.max_step)
    if flt.min_tokens is not None:
        conditions.append(Checkpoint.tokens_seen >= flt.min_tokens)
    if flt.max_tokens is not None:
        conditions.append(Checkpoint.tokens_seen <= flt.max_tokens)
    return conditions


def _checkpoint_columns() -> list:
    return [
        Checkpoint.id.label("checkpoint_id"),
        Checkpoint.model_id.label("model_id"),
        Checkpoint.revision.label("revision"),
        Checkpoint.step.label("step"),
        Checkpoint.tokens_seen.label("tokens_seen"),
        Checkpoint.samples_seen.label("samples_seen"),
        Checkpoint.flops.label("flops"),
    ]


def _finish(frame: pd.DataFrame, models: pd.DataFrame, flt: MeasurementFilter) -> pd.DataFrame:
    """Attach model columns, keep final checkpoints if asked, order by model name and step."""
    position = pd.Index(models["model_id"]).get_indexer(frame["model_id"])
    rank = np.empty(len(models), dtype=np.int64)  # each model's place in name order
    rank[np.argsort(models["model"].to_numpy(), kind="stable")] = np.arange(len(models))
    kept = np.flatnonzero(position >= 0)  # rows of models that ``models`` holds
    step = frame["step"].to_numpy()[kept]
    step = step if step.dtype.kind in "iuf" else step.astype(float)
    kept = kept[np.lexsort((step, rank[position[kept]]))]  # stable; missing steps last
    frame = frame.iloc[kept].reset_index(drop=True)
    if flt.final_only and not frame.empty:
        last_step = frame.groupby("model_id")["step"].transform("max")
        frame = frame[(frame["step"] == last_step) | last_step.isna()]
        frame = frame.drop_duplicates("model_id", keep="last")
    of_rows = models.drop(columns="model_id").iloc[position[kept][frame.index.to_numpy()]]
    frame = pd.concat([frame.reset_index(drop=True), of_rows.reset_index(drop=True)], axis=1)
    head = ["checkpoint_id", *MODEL_COLUMNS, *CHECKPOINT_COLUMNS[1:]]
    rest = [c for c in frame.columns if c not in head and c != "model_id"]
    return frame[head + rest]


def _read_with_models(session: Session, stmt: Select, flt: MeasurementFilter) -> pd.DataFrame:
    models = models_frame(session, flt=flt)
    model_ids = models["model_id"].tolist() if _models_wanted(flt) else None
    postgres = session.get_bind().dialect.name == "postgresql"
    stmt = stmt.where(*_checkpoint_conditions(flt, model_ids, postgres=postgres))
    return _finish(read_frame(session, stmt, columnar=True), models, flt)


def _kept_read(session: Session, key: tuple, stmt: Select, flt: MeasurementFilter) -> pd.DataFrame:
    """:func:`_read_with_models`, kept per process under the data version (``key`` names
    the statement; the filter is added to it)."""
    key = (*key, flt.model_dump_json())
    read = lambda: _read_with_models(session, stmt, flt)  # noqa: E731
    return by_data_version(session, key, read, large=True).copy()


def metric_frame(
    session: Session, *, metric: MetricRef, flt: MeasurementFilter | None = None
) -> pd.DataFrame:
    """One metric per checkpoint: the checkpoint/model columns plus ``value, stderr, n``."""
    flt = flt or MeasurementFilter()
    eval_set, name = _stored(session, metric)
    m = aliased(Measurement)
    stmt = (
        select(
            *_checkpoint_columns(),
            m.value.label("value"),
            m.stderr.label("stderr"),
            m.n.label("n"),
        )
        .select_from(m)
        .join(Checkpoint, Checkpoint.id == m.checkpoint_id)
        .where(m.eval_set_id == eval_set, m.metric == name)
    )
    return _kept_read(session, ("metric_frame", eval_set, name), stmt, flt)


def metric_pair_frame(
    session: Session,
    *,
    x: MetricRef,
    y: MetricRef,
    flt: MeasurementFilter | None = None,
) -> pd.DataFrame:
    """Two metrics joined per checkpoint: ``x, x_stderr, y, y_stderr`` beside the checkpoint
    and model columns; only checkpoints that have both."""
    flt = flt or MeasurementFilter()
    (x_eval_set, x_metric), (y_eval_set, y_metric) = _stored(session, x), _stored(session, y)
    mx, my = aliased(Measurement), aliased(Measurement)
    stmt = (
        select(
            *_checkpoint_columns(),
            mx.value.label("x"),
            mx.stderr.label("x_stderr"),
            my.value.label("y"),
            my.stderr.label("y_stderr"),
        )
        .select_from(mx)
        .join(
            my,
            and_(
                my.checkpoint_id == mx.checkpoint_id,
                my.eval_set_id == y_eval_set,
                my.metric == y_metric,
            ),
        )
        .join(Checkpoint, Checkpoint.id == mx.checkpoint_id)
        .where(mx.eval_set_id == x_eval_set, mx.metric == x_metric)
    )
    key = ("metric_pair_frame", x_eval_set, x_metric, y_eval_set, y_metric)
    return _kept_read(session, key, stmt, flt)


def learning_curve_frame(
    session: Session, *, metric: MetricRef, flt: MeasurementFilter | None = None
) -> pd.DataFrame:
    """A metric against step and tokens seen, per model (rows in step order per model)."""
    return metric_frame(session, metric=metric, flt=flt)


def scaling_frame(
    session: Session, *, metric: MetricRef, flt: MeasurementFilter | None = None
) -> pd.DataFrame:
    """A metric (usually a loss) against compute, parameters and tokens, per checkpoint.

    Adds ``compute``: the stored FLOPs, or 6·N·D where they are missing
    (``compute_estimated`` says which)."""
    frame = metric_frame(session, metric=metric, flt=flt)
    estimate = 6.0 * frame["n_params"].astype(float) * frame["tokens_seen"].astype(float)
    frame["compute_estimated"] = frame["flops"].isna() & estimate.notna()
    frame["compute"] = frame["flops"].astype(float).fillna(estimate)
    return frame


def robustness_frame(
    session: Session,
    *,
    in_distribution: MetricRef,
    out_of_distribution: MetricRef,
    flt: MeasurementFilter | None = None,
) -> pd.DataFrame:
    """Accuracy on an in-distribution benchmark (``x``) against an out-of-distribution one
    (``y``) per checkpoint; accuracies are fractions."""
    return metric_pair_frame(session, x=in_distribution, y=out_of_distribution, flt=flt)


def train_to_train_frame(
    session: Session,
    *,
    x: MetricRef,
    y: MetricRef,
    x_data: str | None = None,
    y_data: str | None = None,
    flt: MeasurementFilter | None = None,
) -> pd.DataFrame:
    """Train-to-train pairs: ``x`` of a model trained on ``x_data`` against ``y`` of a model
    with the same parameter count and tokens seen but trained on ``y_data``.

    One row per matched checkpoint pair, columns ``x_*`` / ``y_*`` for each side's
    ``model, checkpoint_id, revision, pretraining_data`` plus ``n_params, tokens_seen,
    flops, step, x, x_stderr, y, y_stderr`` and ``pairing`` ("x_data → y_data").
    Without ``x_data``/``y_data`` every pair of different pretraining data is returned.
    Matching compares N and D to 6 significant digits."""
    flt = flt or MeasurementFilter()
    left = metric_frame(
        session,
        metric=x,
        flt=flt.model_copy(
            update={"pretraining_data": [x_data] if x_data else flt.pretraining_data}
        ),
    )
    right = metric_frame(
        session,
        metric=y,
        flt=flt.model_copy(
            update={"pretraining_data": [y_data] if y_data else flt.pretraining_data}
        ),
    )
    side_columns = ["model", "checkpoint_id", "revision", "pretraining_data", "architecture"]
    keep = ["n_params", "tokens_seen", "flops", "step", "value", "stderr", *side_columns]
    frames = []
    for side, frame in (("x", left), ("y", right)):
        frame = frame[keep].dropna(subset=["n_params", "tokens_seen", "pretraining_data"]).copy()
        frame["_n"] = _significant(frame["n_params"])
        frame["_d"] = _significant(frame["tokens_seen"])
        renames = {c: f"{side}_{c}" for c in side_columns + ["flops", "step"]}
        renames.update({"value": side, "stderr": f"{side}_stderr"})
        frames.append(frame.rename(columns=renames))
    matched = (
        frames[0]
        .drop(columns=["n_params", "tokens_seen"])
        .merge(frames[1], on=["_n", "_d"], how="inner")
    )
    matched = matched[matched["x_pretraining_data"] != matched["y_pretraining_data"]]
    matched = matched.drop(columns=["_n", "_d"])
    matched["pairing"] = matched["x_pretraining_data"] + " → " + matched["y_pretraining_data"]
    matched["flops"] = matched["x_flops"].fillna(matched["y_flops"])
    matched["step"] = matched["x_step"]
    head = ["pairing", "n_params", "tokens_seen", "flops", "step", "x", "x_stderr", "y", "y_stderr"]
    rest = [c for c in matched.columns if c not in head and c not in {"x_step", "y_step"}]
    return (
        matched[head + rest]
        .sort_values(["pairing", "n_params", "tokens_seen"])
        .reset_index(drop=True)
    )


def _significant(values: pd.Series, digits: int = 6) -> pd.Series:
    """Round to ``digits`` significant digits so that equal N or D from different sources match."""
    values = values.astype(float)
    magnitude = np.floor(np.log10(np.abs(values.where(values != 0, 1.0))))
    scale = 10.0 ** (digits - 1 - magnitude)
    return (values * scale).round() / scale
