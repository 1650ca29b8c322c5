"""Reads that fill pickers and tables: models, checkpoints, eval sets, metrics, corpora."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, distinct, func, select
from sqlalchemy.orm import Session

from backend.exceptions import NotFoundError, ValidationError
from backend.models import (
    Checkpoint,
    ConceptFrequency,
    Corpus,
    EvalSet,
    Measurement,
    Model,
)
from backend.queries.data_version import by_data_version, by_measurement_version
from backend.schemas.catalog import (
    Catalog,
    CheckpointPublic,
    CorpusPublic,
    EvalSetPublic,
    MetricAvailability,
    ModelPublic,
)

# Model columns a plot can be grouped or coloured by (free attributes come on top).
GROUPING_COLUMNS = ("family", "architecture", "pretraining_data", "tokenizer", "n_params")


MODEL_SORT_COLUMNS = (
    "name", "family", "architecture", "n_params", "pretraining_data", "tokenizer", "n_checkpoints"
)  # fmt: skip


def list_models(
    session: Session,
    *,
    names: list[str] | None = None,
    families: list[str] | None = None,
    pretraining_data: list[str] | None = None,
    search: str | None = None,
    sort: list[tuple[str, bool]] | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[ModelPublic]:
    """Models with their attributes and checkpoint counts, by name unless ``sort`` says
    otherwise (``(column, descending)`` pairs from :data:`MODEL_SORT_COLUMNS`); ``limit``
    rows from ``offset`` (all when None)."""
    n_checkpoints = (
        select(func.count())
        .where(Checkpoint.model_id == Model.id)
        .correlate(Model)
        .scalar_subquery()
        .label("n_checkpoints")
    )
    columns = [
        Model.id,
        Model.name,
        Model.family,
        Model.architecture,
        Model.n_params,
        Model.pretraining_data,
        Model.tokenizer,
        Model.attributes,
    ]
    order = []
    for column, descending in sort or []:
        if column not in MODEL_SORT_COLUMNS:
            raise ValidationError(f"cannot sort models by {column!r}")
        key = n_checkpoints if column == "n_checkpoints" else getattr(Model, column)
        order.append((key.desc() if descending else key.asc()).nulls_last())
    stmt = (
        select(*columns, n_checkpoints)
        .where(*_model_filters(names, families, pretraining_data, search))
        .order_by(*order, Model.name)
        .offset(offset)
        .limit(limit)
    )
    return [ModelPublic(**row._mapping) for row in session.execute(stmt)]


def count_models(
    session: Session,
    *,
    names: list[str] | None = None,
    families: list[str] | None = None,
    pretraining_data: list[str] | None = None,
    search: str | None = None,
) -> int:
    """How many models :func:`list_models` lists with these filters (without a limit)."""
    filters = _model_filters(names, families, pretraining_data, search)
    return session.scalar(select(func.count()).select_from(Model).where(*filters)) or 0


def _model_filters(names, families, pretraining_data, search) -> list:
    filters = []
    if names:
        filters.append(Model.name.in_(names))
    if families:
        filters.append(Model.family.in_(families))
    if pretraining_data:
        filters.append(Model.pretraining_data.in_(pretraining_data))
    if search:
        filters.append(Model.name.ilike(f"%{escape_like(search)}%", escape="\\"))
    return filters


def escape_like(text: str) -> str:
    """``text`` matched literally inside a LIKE pattern (``%``, ``_`` and ``\\`` escaped)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def get_model(session: Session, *, name: str) -> ModelPublic:
    """One model by name; NotFoundError if there is none."""
    found = list_models(session, names=[name])
    if not found:
        raise NotFoundError(f"no model named {name!r}")
    return found[0]


def list_checkpoints(
    session: Session, *, model: str, limit: int | None = None, offset: int = 0
) -> list[CheckpointPublic]:
    """The checkpoints of one model, in step order, with their measurement counts; ``limit``
    of them from ``offset`` (all when None)."""
    model_id = session.scalar(select(Model.id).where(Model.name == model))
    if model_id is None:
        raise NotFoundError(f"no model named {model!r}")
    n_measurements = (
        select(func.count())
        .where(Measurement.checkpoint_id == Checkpoint.id)
        .correlate(Checkpoint)
        .scalar_subquery()
    )
    stmt = (
        select(Checkpoint, n_measurements)
        .where(Checkpoint.model_id == model_id)
        .order_by(Checkpoint.step.is_(None), Checkpoint.step, Checkpoint.revision)
        .offset(offset)
        .limit(limit)
    )
    return [
        CheckpointPublic(
            id=ckpt.id,
            model=model,
            revision=ckpt.revision,
            step=ckpt.step,
            tokens_seen=ckpt.tokens_seen,
            samples_seen=ckpt.samples_seen,
            flops=ckpt.flops,
            weights_uri=ckpt.weights_uri,
            n_measurements=n,
        )
        for ckpt, n in session.execute(stmt)
    ]


def list_eval_sets(session: Session, *, kind: str | None = None) -> list[EvalSetPublic]:
    """Eval sets by name, optionally only validation corpora or only benchmarks."""
    stmt = select(EvalSet).order_by(EvalSet.name)
    if kind:
        stmt = stmt.where(EvalSet.kind == kind)
    return [EvalSetPublic.model_validate(e) for e in session.scalars(stmt)]


def list_metrics(session: Session, *, eval_set: str | None = None) -> list[MetricAvailability]:
    """Every (eval set, metric) pair that has measurements, with counts, by eval set then
    metric (the counts over every measurement are kept until the measurements change:
    :mod:`backend.queries.data_version`)."""
    counts = by_measurement_version(session, "metric_counts", lambda: _all_metric_counts(session))
    sets = select(EvalSet.id, EvalSet.name, EvalSet.kind).order_by(EvalSet.name)
    if eval_set:
        sets = sets.where(EvalSet.name == eval_set)
    order = {row.id: (rank, row.name, row.kind) for rank, row in enumerate(session.execute(sets))}
    kept = [row for row in counts if row[0] in order]
    kept.sort(key=lambda row: order[row[0]][0])  # stable: metrics stay in the database's order
    return [
        MetricAvailability(
            eval_set=order[set_id][1],
            kind=order[set_id][2],
            metric=metric,
            n_measurements=n,
            n_models=n_models,
        )
        for set_id, metric, n, n_models in kept
    ]


def _all_metric_counts(session: Session) -> list[tuple[int, str, int, int]]:
    """(eval_set_id, metric, n, n_models) of every eval set, by metric (database order)."""
    counts = _metric_counts(session, None).subquery()
    rows = session.execute(select(counts).order_by(counts.c.metric)).all()
    return [(int(a), str(b), int(c), int(d)) for a, b, c, d in rows]


def _metric_counts(session: Session, eval_set_ids) -> Select:
    """(eval_set_id, metric, n, n_models). Postgres: counts per model first, then per
    (eval set, metric), a hash aggregate ten times cheaper than ``count(distinct)`` over a
    million measurements; SQLite's sorter does ``count(distinct)`` faster."""
    join = Checkpoint.id == Measurement.checkpoint_id
    if session.get_bind().dialect.name != "postgresql":
        stmt = (
            select(
                Measurement.eval_set_id.label("eval_set_id"),
                Measurement.metric.label("metric"),
                func.count().label("n"),
                func.count(distinct(Checkpoint.model_id)).label("n_models"),
            )
            .join(Checkpoint, join)
            .group_by(Measurement.eval_set_id, Measurement.metric)
        )
        if eval_set_ids is not None:
            stmt = stmt.where(Measurement.eval_set_id.in_(eval_set_ids))
        return stmt
    per_model = (
        select(
            Measurement.eval_set_id.label("eval_set_id"),
            Measurement.metric.label("metric"),
            Checkpoint.model_id.label("model_id"),
            func.count().label("n"),
        )
        .join(Checkpoint, join)
        .group_by(Measurement.eval_set_id, Measurement.metric, Checkpoint.model_id)
    )
    if eval_set_ids is not None:
        per_model = per_model.where(Measurement.eval_set_id.in_(eval_set_ids))
    counts = per_model.subquery()
    return select(
        counts.c.eval_set_id,
        counts.c.metric,
        func.sum(counts.c.n).label("n"),
        func.count().label("n_models"),
    ).group_by(counts.c.eval_set_id, counts.c.metric)


def list_corpora(session: Session) -> list[CorpusPublic]:
    """Pretraining corpora with the number of concepts counted by each method."""
    methods: dict[int, dict[str, int]] = {}
    stmt = select(ConceptFrequency.corpus_id, ConceptFrequency.method, func.count()).group_by(
        ConceptFrequency.corpus_id, ConceptFrequency.method
    )
    for corpus_id, method, n in session.execute(stmt):
        methods.setdefault(corpus_id, {})[method] = n
    return [
        CorpusPublic.model_validate(c).model_copy(update={"methods": methods.get(c.id, {})})
        for c in session.scalars(select(Corpus).order_by(Corpus.name))
    ]


def attribute_values(session: Session) -> dict[str, list[Any]]:
    """Distinct values of every model attribute a plot can be grouped by (free ones too);
    a read of every model, kept per process until the data version changes."""
    found = by_data_version(session, "attribute_values", lambda: _attribute_values(session))
    return {key: list(values) for key, values in found.items()}


def _attribute_values(session: Session) -> dict[str, list[Any]]:
    values: dict[str, set] = {column: set() for column in GROUPING_COLUMNS}
    columns = [getattr(Model, c) for c in GROUPING_COLUMNS]
    for row in session.execute(select(*columns, Model.attributes)):
        for column, value in zip(GROUPING_COLUMNS, row[:-1], strict=True):
            if value is not None:
                values[column].add(value)
        for key, value in (row[-1] or {}).items():
            if isinstance(value, str | int | float | bool):
                values.setdefault(key, set()).add(value)
    return {key: sorted(found, key=lambda v: (str(type(v)), v)) for key, found in values.items()}


def catalog(session: Session) -> Catalog:
    """Models, eval sets, metric pairs, corpora and grouping values in one read."""
    return Catalog(
        models=list_models(session),
        eval_sets=list_eval_sets(session),
        metrics=list_metrics(session),
        corpora=list_corpora(session),
        attribute_values=attribute_values(session),
    )
