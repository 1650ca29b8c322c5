"""Measurements as stored: filtered listings (JSON pages) and frames (CSV export).

Filters become ids before anything is joined to names: eval set names are looked up once
(``eval_set_id IN (...)``), model and checkpoint filters become a semi-join on the
measurement's ``checkpoint_id``. Counting then reads one index of ``measurements`` and no name.

A page keeps the listing's order (model name, step, revision, eval set name, metric) without
sorting every match: without an eval set or metric filter every checkpoint of a model has
rows, so walking the models in name order (index on ``models.name``) fills a page at once;
with one, matches may sit anywhere: the page is first looked for among the rows of the first
``FIRST_MODELS`` models by name (one sort of their rows), and when they do not hold it, one
grouped count says how many rows each model has (which is also the exact total), and only
the models that the page spans are read and sorted.

The total is exact (``total_exact``) unless more than ``COUNT_AHEAD`` matches lie past the
page's end: then counting stops there and ``total`` is a lower bound (at least that many
match), so that a page never waits for a million rows to be counted. ``exact_total=True``
counts every match.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import ColumnElement, Integer, Row, Select, bindparam, func, select, tuple_
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, aliased

from backend.models import Checkpoint, EvalSet, Measurement, Model
from backend.queries._read import read_frame
from backend.queries.data_version import by_data_version
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
_ORDER = (Model.name, Checkpoint.step, Checkpoint.revision, EvalSet.name, Measurement.metric)
#: Matches counted past a page's end before the total becomes a lower bound.
COUNT_AHEAD = 10_000
#: Models (in name order) among whose rows a filtered page is looked for first.
FIRST_MODELS = 64


def _model_conditions(flt: MeasurementFilter) -> list[ColumnElement[bool]]:
    return [
        column.in_(wanted)
        for column, wanted in (
            (Model.name, flt.models),
            (Model.family, flt.families),
            (Model.pretraining_data, flt.pretraining_data),
            (Model.architecture, flt.architectures),
            (Model.tokenizer, flt.tokenizers),
        )
        if wanted
    ]


def _checkpoint_conditions(session: Session, flt: MeasurementFilter) -> list[ColumnElement[bool]]:
    """Conditions on ``Checkpoint``: model filters (as a model id semi-join), step and token
    ranges, and ``final_only`` (see :func:`_final_checkpoints`)."""
    conditions: list[ColumnElement[bool]] = []
    model_conditions = _model_conditions(flt)
    if model_conditions:
        conditions.append(Checkpoint.model_id.in_(select(Model.id).where(*model_conditions)))
    for column, low, high in (
        (Checkpoint.step, flt.min_step, flt.max_step),
        (Checkpoint.tokens_seen, flt.min_tokens, flt.max_tokens),
    ):
        if low is not None:
            conditions.append(column >= low)
        if high is not None:
            conditions.append(column <= high)
    if flt.final_only:
        conditions.append(_final_checkpoints(session))
    return conditions


def _final_checkpoints(session: Session) -> ColumnElement[bool]:
    """``Checkpoint`` is at its model's largest step (any, for a model without steps): one
    grouped pass over checkpoints (not one probe per checkpoint). On Postgres the pass runs
    once per listing and its ids go to each statement as one array, read by primary key."""
    other = aliased(Checkpoint)
    last = select(other.model_id, func.coalesce(func.max(other.step), -1)).group_by(other.model_id)
    final = tuple_(Checkpoint.model_id, func.coalesce(Checkpoint.step, -1)).in_(last)
    if session.get_bind().dialect.name != "postgresql":
        return final
    ids = list(session.scalars(select(Checkpoint.id).where(final)))
    return Checkpoint.id.in_(select(func.unnest(bindparam("final_ids", ids, ARRAY(Integer)))))


def _measurement_conditions(session: Session, flt: MeasurementFilter) -> list | None:
    """Conditions on ``Measurement`` alone (eval set ids looked up by name, metrics); None
    when the named eval sets do not exist (nothing can match)."""
    conditions: list[ColumnElement[bool]] = []
    if flt.eval_sets:
        ids = session.scalars(select(EvalSet.id).where(EvalSet.name.in_(flt.eval_sets))).all()
        if not ids:
            return None
        conditions.append(Measurement.eval_set_id.in_(sorted(ids)))
    if flt.metrics:
        conditions.append(Measurement.metric.in_(flt.metrics))
    return conditions


def _rows(conditions: list, checkpoint_conditions: list) -> Select:
    """The listed columns of the measurements matching both condition lists."""
    return (
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
        .where(*conditions, *checkpoint_conditions)
    )


def _count(
    session: Session, conditions: list, checkpoint_conditions: list, *, bound: int | None
) -> int:
    """How many measurements match (at most ``bound + 1`` are counted when a bound is given):
    one index of ``measurements``, checkpoints as ids."""
    stmt = select(Measurement.id).where(*conditions)
    if checkpoint_conditions:
        stmt = stmt.where(
            Measurement.checkpoint_id.in_(select(Checkpoint.id).where(*checkpoint_conditions))
        )
    if bound is not None:
        stmt = stmt.limit(bound + 1)
    return session.scalar(select(func.count()).select_from(stmt.subquery())) or 0


def _first_models(session: Session, flt: MeasurementFilter) -> list[int]:
    """The ids of the first ``FIRST_MODELS`` models (by name) that the model filters select."""
    stmt = select(Model.id).where(*_model_conditions(flt)).order_by(Model.name)
    return list(session.scalars(stmt.limit(FIRST_MODELS)))


def _counts_by_model(
    session: Session, conditions: list, checkpoint_conditions: list
) -> list[tuple[int, int]]:
    """``(model id, matching measurements)`` of every model with a match, in name order."""
    per_model = (
        select(Checkpoint.model_id.label("model_id"), func.count().label("n"))
        .select_from(Measurement)
        .join(Checkpoint, Checkpoint.id == Measurement.checkpoint_id)
        .where(*conditions, *checkpoint_conditions)
        .group_by(Checkpoint.model_id)
        .subquery()
    )
    stmt = (
        select(per_model.c.model_id, per_model.c.n)
        .join(Model, Model.id == per_model.c.model_id)
        .order_by(Model.name)
    )
    return [(model_id, n) for model_id, n in session.execute(stmt)]


def _page_models(
    counts: list[tuple[int, int]], *, limit: int, offset: int
) -> tuple[list[int], int]:
    """The models a page of ``limit`` rows from ``offset`` spans (``counts`` in page order),
    and the page's offset within their rows."""
    skipped, covered = 0, 0
    picked: list[int] = []
    for model_id, n in counts:
        if not picked and skipped + n <= offset:
            skipped += n
            continue
        picked.append(model_id)
        covered += n
        if skipped + covered >= offset + limit:
            break
    return picked, offset - skipped


def list_measurements(
    session: Session,
    *,
    flt: MeasurementFilter | None = None,
    limit: int = 1000,
    offset: int = 0,
    exact_total: bool = False,
) -> MeasurementPage:
    """One page of the measurements ``flt`` selects, ordered by model, step, eval set, metric,
    and how many match (exact unless more than ``COUNT_AHEAD`` lie past the page)."""
    flt = flt or MeasurementFilter()
    conditions = _measurement_conditions(session, flt)
    if conditions is None:
        return MeasurementPage(total=0, limit=limit, offset=offset, items=[])
    checkpoint_conditions = _checkpoint_conditions(session, flt)
    ordered = _rows(conditions, checkpoint_conditions).order_by(*_ORDER).limit(limit)
    total: int | None = None  # known exactly from the per-model counts
    rows: list[Row] | None = None
    if not conditions:  # every checkpoint has rows: the walk in model-name order fills the page
        rows = list(session.execute(ordered.offset(offset)))
    elif not (exact_total or flt.final_only):  # final_only: a few rows per model, seldom a page
        rows = _page_of_first_models(session, flt, ordered, limit=limit, offset=offset)
    if rows is None:  # matches may be sparse: locate the page by per-model counts
        counts = _counts_by_model(session, conditions, checkpoint_conditions)
        total = sum(n for _, n in counts)
        models, within = _page_models(counts, limit=limit, offset=offset)
        page = ordered.where(Checkpoint.model_id.in_(models)).offset(within)
        rows = list(session.execute(page)) if models else []
    items = [MeasurementPublic.model_validate(dict(row._mapping)) for row in rows]
    exact = total is not None
    if total is None:
        bound = None if exact_total else offset + limit + COUNT_AHEAD
        total = _count(session, conditions, checkpoint_conditions, bound=bound)
        exact = bound is None or total <= bound
    return MeasurementPage(total=total, total_exact=exact, limit=limit, offset=offset, items=items)


def _page_of_first_models(
    session: Session, flt: MeasurementFilter, ordered: Select, *, limit: int, offset: int
) -> list[Row] | None:
    """The page's rows if the first ``FIRST_MODELS`` models by name hold all of it (or are
    all the models), else None: a sort of a few models' rows instead of counting every match."""
    first = _first_models(session, flt)
    rows = list(session.execute(ordered.where(Checkpoint.model_id.in_(first)).offset(offset)))
    return rows if len(rows) == limit or len(first) < FIRST_MODELS else None


def measurements_frame(session: Session, *, flt: MeasurementFilter | None = None) -> pd.DataFrame:
    """Every measurement ``flt`` selects, long format (one row each), for export; those of
    named models (a model page) kept per process until the data version changes."""
    flt = flt or MeasurementFilter()
    if flt.models:
        key = ("measurements_frame", flt.model_dump_json())
        read = lambda: _measurements_frame(session, flt)  # noqa: E731
        return by_data_version(session, key, read, large=True).copy()
    return _measurements_frame(session, flt)


def _measurements_frame(session: Session, flt: MeasurementFilter) -> pd.DataFrame:
    conditions = _measurement_conditions(session, flt)
    if conditions is None:
        return pd.DataFrame(columns=MEASUREMENT_COLUMNS)
    stmt = _rows(conditions, _checkpoint_conditions(session, flt)).order_by(*_ORDER)
    return read_frame(session, stmt)
