"""Uploads: the provenance of ingested rows, listed and undone through the API."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from backend.schemas.common import Timestamp


class UploadPublic(BaseModel):
    """One upload: who, when, which file and format, and how many rows it wrote."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    created_at: Timestamp
    created_by: str | None = None
    source: str
    format: str
    filename: str | None = None
    sha256: str | None = None
    status: str
    counts: dict[str, Any] = Field(default_factory=dict)
    undone_at: Timestamp | None = None


class RecordsUpload(BaseModel):
    """Measurements posted as JSON: the canonical long layout, one object per measurement
    (``model, revision, eval_set, metric, value`` and optional ``stderr, n, unit, step,
    tokens_seen, samples_seen, flops, family, architecture, n_params, pretraining_data,
    tokenizer, eval_kind``)."""

    measurements: list[dict[str, Any]] = Field(min_length=1)
    filename: str | None = Field(default=None, description="a name to show in the uploads list")


class UndoResult(BaseModel):
    """What undoing an upload did: rows restored and deleted per table."""

    upload: UploadPublic
    counts: dict[str, dict[str, int]]
