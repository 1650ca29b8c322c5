"""Canonical records: what every adapter turns a file into, and what the write path stores.

Dimension records (:class:`ModelRecord`, :class:`CheckpointRecord`, :class:`EvalSetRecord`,
:class:`CorpusRecord`) describe things; ``None`` fields mean "not stated by this file" and never
overwrite stored values. Fact records (:class:`MeasurementRecord`, :class:`ConceptScoreRecord`,
:class:`ConceptFrequencyRecord`, :class:`ConceptPairFrequencyRecord`) refer to dimensions by
natural key (model name, checkpoint revision, eval set name, corpus name); a fact whose model,
checkpoint, eval set or corpus was not described gets a bare one created.

Dimension records are frozen dataclasses; fact records, which come by the million, are named
tuples (immutable and cheap to create). ``row`` is where the record came from in its file (the
spreadsheet row: the header is row 1; for JSON the item or line); it is used in error messages
and never compared for dimensions.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

DEFAULT_REVISION = "final"


@dataclass(frozen=True, slots=True)
class ModelRecord:
    """A trained model or run (natural key: ``name``)."""

    name: str
    family: str | None = None
    architecture: str | None = None
    n_params: float | None = None
    pretraining_data: str | None = None
    tokenizer: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict, hash=False)
    row: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class CheckpointRecord:
    """One saved state of a model (natural key: ``model`` name + ``revision``)."""

    model: str
    revision: str = DEFAULT_REVISION
    step: int | None = None
    tokens_seen: float | None = None
    samples_seen: float | None = None
    flops: float | None = None
    weights_uri: str | None = None
    row: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class EvalSetRecord:
    """A validation corpus or a downstream benchmark (natural key: ``name``)."""

    name: str
    kind: str | None = None  # "validation" or "benchmark"; None: benchmark when new
    task: str | None = None
    n_classes: int | None = None
    chance_accuracy: float | None = None
    attributes: dict[str, Any] = field(default_factory=dict, hash=False)
    row: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class CorpusRecord:
    """A pretraining dataset (natural key: ``name``)."""

    name: str
    description: str | None = None
    n_documents: int | None = None
    attributes: dict[str, Any] = field(default_factory=dict, hash=False)
    row: int | None = field(default=None, compare=False)


class MeasurementRecord(NamedTuple):
    """checkpoint × eval set × metric → value. Accuracies are fractions; ``unit`` names the
    unit the source used (``"percent"`` when the file had 0–100)."""

    model: str
    revision: str
    eval_set: str
    metric: str
    value: float
    stderr: float | None = None
    n: int | None = None
    unit: str | None = None
    row: int | None = None


@dataclass(frozen=True, slots=True)
class MeasurementColumns:
    """Many measurements as equal-length columns (one item per measurement, ``unit`` None):
    what a fast reader of a big long file yields instead of one record per row. ``stderr`` or
    ``n`` is None when the file has no such column; ``rows`` are the measurements' rows."""

    model: Sequence[str]
    revision: Sequence[str]
    eval_set: Sequence[str]
    metric: Sequence[str]
    value: Sequence[float]
    stderr: Sequence[float] | None
    n: Sequence[int] | None
    rows: Sequence[int]

    def __len__(self) -> int:
        return len(self.rows)

    def records(self) -> Iterator[MeasurementRecord]:
        """The same measurements, one record each."""
        n_rows = len(self.rows)
        stderr = self.stderr if self.stderr is not None else [None] * n_rows
        n = self.n if self.n is not None else [None] * n_rows
        columns = (self.model, self.revision, self.eval_set, self.metric, self.value, stderr, n)
        units = [None] * n_rows
        for fields in zip(*columns, units, self.rows, strict=True):
            yield MeasurementRecord(*fields)


class ConceptScoreRecord(NamedTuple):
    """Per-class / per-concept result of a checkpoint on an eval set."""

    model: str
    revision: str
    eval_set: str
    metric: str
    concept: str
    value: float
    n: int | None = None
    unit: str | None = None
    row: int | None = None


class ConceptFrequencyRecord(NamedTuple):
    """How many documents of ``corpus`` mention ``concept`` under counting ``method``."""

    corpus: str
    method: str
    concept: str
    count: int
    row: int | None = None


class ConceptPairFrequencyRecord(NamedTuple):
    """How many documents of ``corpus`` mention both concepts; use :func:`concept_pair` to
    build one (it orders the pair, ``concept_a < concept_b``)."""

    corpus: str
    method: str
    concept_a: str
    concept_b: str
    count: int
    row: int | None = None


def concept_pair(
    *, corpus: str, method: str, first: str, second: str, count: int, row: int | None = None
) -> ConceptPairFrequencyRecord:
    """A pair frequency with its two concepts in stored order."""
    a, b = sorted((first, second))
    return ConceptPairFrequencyRecord(corpus, method, a, b, count, row)


DimensionRecord = ModelRecord | CheckpointRecord | EvalSetRecord | CorpusRecord
FactRecord = (
    MeasurementRecord
    | MeasurementColumns
    | ConceptScoreRecord
    | ConceptFrequencyRecord
    | ConceptPairFrequencyRecord
)
Record = DimensionRecord | FactRecord
