"""Measurements, their filters, and the metric references plots are made of."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from backend.catalog.aliases import canonical
from backend.exceptions import ValidationError


class MetricRef(BaseModel):
    """One axis of a plot: a metric on an eval set (e.g. ``pile`` × ``loss``)."""

    eval_set: str
    metric: str

    @classmethod
    def parse(cls, text: str) -> MetricRef:
        """Parse ``"eval_set:metric"`` (the form used in URLs and query strings)."""
        eval_set, sep, metric = text.rpartition(":")
        if not sep or not eval_set or not metric:
            raise ValidationError(f"expected EVAL_SET:METRIC, got {text!r}")
        return cls(eval_set=eval_set, metric=metric)

    def __str__(self) -> str:
        return f"{self.eval_set}:{self.metric}"


class MeasurementFilter(BaseModel):
    """Which measurements to read; an empty list or None means "any"."""

    models: list[str] | None = None
    families: list[str] | None = None
    pretraining_data: list[str] | None = None
    architectures: list[str] | None = None
    tokenizers: list[str] | None = None
    eval_sets: list[str] | None = None
    metrics: list[str] | None = None
    min_step: int | None = None
    max_step: int | None = None
    min_tokens: float | None = None
    max_tokens: float | None = None
    final_only: bool = Field(
        default=False,
        description="only each model's last checkpoint (largest step); in plot frames the "
        "last one that has the plotted metrics",
    )

    @field_validator("pretraining_data", "eval_sets", "metrics")
    @classmethod
    def _canonical_names(cls, values: list[str] | None, info) -> list[str] | None:
        """An alias also selects its canonical name (``aliases.csv``; ingest stores those)."""
        kind = {"eval_sets": "eval_set", "metrics": "metric"}.get(info.field_name, info.field_name)
        if values is None:
            return None
        return list(dict.fromkeys(n for v in values for n in (v, canonical(kind, v) or v)))

    @model_validator(mode="after")
    def _ranges_ordered(self) -> MeasurementFilter:
        for low, high, what in (
            (self.min_step, self.max_step, "step"),
            (self.min_tokens, self.max_tokens, "tokens"),
        ):
            if low is not None and high is not None and low > high:
                raise ValueError(f"min_{what} ({low}) is larger than max_{what} ({high})")
        return self


class MeasurementPublic(BaseModel):
    """One stored value: checkpoint × eval set × metric."""

    model_config = ConfigDict(protected_namespaces=())

    id: int
    model: str
    revision: str
    step: int | None = None
    tokens_seen: float | None = None
    eval_set: str
    metric: str
    value: float
    stderr: float | None = None
    n: int | None = None
    unit: str | None = None
    upload_id: int | None = None


class MeasurementPage(BaseModel):
    """One page of measurements and how many matched: exactly when ``total_exact``, else at
    least ``total`` (counting stopped 10,000 matches past the page's end)."""

    total: int
    total_exact: bool = True
    limit: int
    offset: int
    items: list[MeasurementPublic]
