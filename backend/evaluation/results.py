"""What an evaluation returns: plain, frozen data (no torch, no DB), JSON round-trippable.

Metric names: ``top1``, ``top<k>`` (``top5``), ``mean_per_class_recall`` (zero-shot
classification, fractions) and ``contrastive_loss`` (nats per pair). Per-class accuracies
carry the metric ``top1`` and become per-concept scores.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

TOP1 = "top1"
MEAN_PER_CLASS_RECALL = "mean_per_class_recall"
CONTRASTIVE_LOSS = "contrastive_loss"


@dataclass(frozen=True)
class MetricValue:
    """One metric over ``n`` samples, with its standard error where one is known."""

    name: str
    value: float
    n: int
    stderr: float | None = None


@dataclass(frozen=True)
class ClassScore:
    """The accuracy on one class (concept) over its ``n`` samples."""

    concept: str
    value: float
    n: int


@dataclass(frozen=True)
class EvaluationResult:
    """The outcome of one evaluation: metrics, per-class scores and how the run went."""

    task: str
    dataset: str
    metrics: tuple[MetricValue, ...]
    per_class: tuple[ClassScore, ...] = ()
    per_class_metric: str = TOP1
    n_samples: int = 0
    device: str = "cpu"
    seconds: float = 0.0
    details: dict[str, Any] = field(default_factory=dict, hash=False)

    def metric(self, name: str) -> MetricValue:
        """The metric called ``name`` (KeyError if the evaluation has none)."""
        for m in self.metrics:
            if m.name == name:
                return m
        raise KeyError(f"no metric {name!r}; have {', '.join(m.name for m in self.metrics)}")

    @property
    def values(self) -> dict[str, float]:
        """``{metric name: value}``."""
        return {m.name: m.value for m in self.metrics}

    @property
    def per_class_values(self) -> dict[str, tuple[float, int]]:
        """``{class name: (accuracy, n)}``."""
        return {c.concept: (c.value, c.n) for c in self.per_class}

    @property
    def samples_per_second(self) -> float:
        """Throughput of the whole run (model building excluded)."""
        return self.n_samples / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict (for a job row's ``result``)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EvaluationResult:
        """The inverse of :meth:`to_dict`."""
        data = dict(data)
        data["metrics"] = tuple(MetricValue(**m) for m in data.get("metrics", ()))
        data["per_class"] = tuple(ClassScore(**c) for c in data.get("per_class", ()))
        return cls(**data)


def to_records(result: EvaluationResult, *, model_name: str, revision: str, eval_set: str):
    """The result as canonical ingest records: one measurement per metric, one concept score
    per class (``backend.schemas.records``)."""
    from backend.schemas import records as rec

    out: list = [
        rec.MeasurementRecord(
            model=model_name,
            revision=revision,
            eval_set=eval_set,
            metric=m.name,
            value=float(m.value),
            stderr=m.stderr,
            n=m.n,
        )
        for m in result.metrics
    ]
    out += [
        rec.ConceptScoreRecord(
            model=model_name,
            revision=revision,
            eval_set=eval_set,
            metric=result.per_class_metric,
            concept=c.concept,
            value=float(c.value),
            n=c.n,
        )
        for c in result.per_class
    ]
    return out
