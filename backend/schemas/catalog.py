"""What is stored: models, checkpoints, eval sets, corpora and the (eval set, metric) pairs."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ModelPublic(BaseModel):
    """A model with its attributes and how many checkpoints it has."""

    model_config = ConfigDict(from_attributes=True, protected_namespaces=())

    id: int
    name: str
    family: str | None = None
    architecture: str | None = None
    n_params: float | None = None
    pretraining_data: str | None = None
    tokenizer: str | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)
    n_checkpoints: int = 0


class CheckpointPublic(BaseModel):
    """One saved state of a model."""

    model_config = ConfigDict(from_attributes=True, protected_namespaces=())

    id: int
    model: str
    revision: str
    step: int | None = None
    tokens_seen: float | None = None
    samples_seen: float | None = None
    flops: float | None = None
    weights_uri: str | None = None
    n_measurements: int = 0


class EvalSetPublic(BaseModel):
    """A validation corpus or a downstream benchmark."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    kind: str
    task: str | None = None
    n_classes: int | None = None
    chance_accuracy: float | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)


class MetricAvailability(BaseModel):
    """One (eval set, metric) pair that has data, with how much."""

    eval_set: str
    kind: str
    metric: str
    n_measurements: int
    n_models: int


class CorpusPublic(BaseModel):
    """A pretraining corpus with its counting methods and how many concepts each counted."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    description: str | None = None
    n_documents: int | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)
    methods: dict[str, int] = Field(default_factory=dict)


class Catalog(BaseModel):
    """Everything a page needs to fill its pickers, in one read."""

    models: list[ModelPublic]
    eval_sets: list[EvalSetPublic]
    metrics: list[MetricAvailability]
    corpora: list[CorpusPublic]
    attribute_values: dict[str, list[Any]]
