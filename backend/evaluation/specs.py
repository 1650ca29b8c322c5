"""Evaluation specs as data: which model, which data, how to run (torch-free).

A spec is a pydantic model that round-trips through JSON (it is what a job row stores)::

    EvaluationSpec = ZeroShotSpec | ContrastiveLossSpec      (discriminated by ``task``)
    ├── model:   ModelSpec     open_clip architecture + pretrained tag | checkpoint file | random
    ├── dataset: DatasetSpec   image folder | CSV | webdataset shards, class names, templates
    └── options: RunOptions    batch size, loader workers, device, precision, seed

``parse_spec`` turns a dict into a spec and reports malformed input as ``ValidationError``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import pydantic
from pydantic import BaseModel, ConfigDict, Field, model_validator

from backend.exceptions import ValidationError

ZERO_SHOT = "zero_shot_classification"
CONTRASTIVE = "contrastive_loss"
TASKS = (ZERO_SHOT, CONTRASTIVE)
DATA_FORMATS = ("image_folder", "csv", "webdataset")
CONFIG_KEYS = ("embed_dim", "vision_cfg", "text_cfg")
SCHEMAS = ("local-dir", "hf-hub")

DataFormat = Literal["image_folder", "csv", "webdataset"]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ModelSpec(_Spec):
    """An open_clip model: an architecture (a registered name, or the name given to a custom
    ``config``) and its weights: a ``pretrained`` tag, a ``checkpoint`` file, or explicitly
    ``random_weights``; or a saved model, ``local-dir:<folder>`` / ``hf-hub:<org/repo>``,
    that brings config and weights itself. Checkpoints load without executing pickled code."""

    architecture: str = Field(min_length=1, max_length=200)
    pretrained: str | None = None
    checkpoint: str | None = None
    config: dict[str, Any] | None = None
    config_file: str | None = None
    random_weights: bool = False
    cache_dir: str | None = None

    @model_validator(mode="after")
    def _check(self) -> ModelSpec:
        if self.schema:
            if self.pretrained or self.config is not None or self.config_file:
                raise ValueError(f"a {self.schema}: model brings its own config and weights")
            return self
        if self.pretrained and self.checkpoint:
            raise ValueError("give either a pretrained tag or a checkpoint, not both")
        if not (self.pretrained or self.checkpoint or self.random_weights):
            raise ValueError("no weights: give a pretrained tag, a checkpoint or random_weights")
        if self.config is not None and self.config_file:
            raise ValueError("give either config or config_file, not both")
        if self.config is not None:
            missing = [k for k in CONFIG_KEYS if k not in self.config]
            if missing:
                raise ValueError(f"model config lacks {', '.join(missing)}")
        if self.checkpoint and "://" in self.checkpoint:
            if not self.checkpoint.startswith("file://"):
                scheme = self.checkpoint.split("://", 1)[0]
                raise ValueError(f"checkpoint URI scheme {scheme!r} is not supported (file://)")
        return self

    @property
    def schema(self) -> str | None:
        """``local-dir`` or ``hf-hub`` when ``architecture`` names a saved open_clip model
        (``local-dir:/models/run1`` holding ``open_clip_config.json`` and weights)."""
        prefix = self.architecture.split(":", 1)[0]
        return prefix if prefix in SCHEMAS and ":" in self.architecture else None

    @property
    def checkpoint_path(self) -> str | None:
        """The checkpoint as a plain path (``file://`` removed)."""
        return self.checkpoint.removeprefix("file://") if self.checkpoint else None


class DatasetSpec(_Spec):
    """Evaluation data. ``format``: ``image_folder`` (one sub-folder per class), ``csv`` (image
    paths relative to the CSV's folder, with a label or caption column) or ``webdataset``
    (CLIP_benchmark layout: a folder with ``classnames.txt``, optional
    ``zeroshot_classification_templates.txt`` and ``{split}/*.tar``; or a tar file or glob).

    Class names default to the folder names (``image_folder``), the sorted labels (``csv``) or
    ``classnames.txt`` (``webdataset``); templates default to a small standard set. Both can be
    given inline or as a file (JSON list, or plain text with one entry a line).

    ``allowed_roots`` (set by the worker from ``settings.worker_roots``, never by users): every
    file the data resolves to (CSV image paths, folder images, shards) must lie under one."""

    name: str = Field(min_length=1, max_length=200)
    path: str = Field(min_length=1)
    format: DataFormat = "image_folder"
    image_column: str = "image"
    label_column: str = "label"
    caption_column: str = "caption"
    image_keys: tuple[str, ...] = ("webp", "png", "jpg", "jpeg")
    label_key: str = "cls"
    caption_key: str = "txt"
    split: str = "test"
    classnames: list[str] | None = None
    classnames_file: str | None = None
    templates: list[str] | None = None
    templates_file: str | None = None
    allowed_roots: tuple[str, ...] | None = None

    @model_validator(mode="after")
    def _check(self) -> DatasetSpec:
        if self.classnames is not None and self.classnames_file:
            raise ValueError("give either classnames or classnames_file, not both")
        if self.templates is not None and self.templates_file:
            raise ValueError("give either templates or templates_file, not both")
        if self.classnames is not None and len(set(self.classnames)) != len(self.classnames):
            raise ValueError("classnames must be distinct")
        for template in self.templates or []:
            if "{}" not in template and "{c}" not in template:
                raise ValueError(f"template {template!r} has no '{{}}' or '{{c}}' placeholder")
        return self


class RunOptions(_Spec):
    """How to run: ``device`` None picks CUDA when present, else CPU; ``precision`` ``auto``
    uses autocast (bf16/fp16) on CUDA only; results are deterministic for a given seed."""

    batch_size: int = Field(default=64, ge=1, le=65536)
    num_workers: int | None = Field(default=None, ge=0, le=64)  # None: 2 on CPU, up to 8 on GPU
    device: str | None = None
    precision: Literal["auto", "fp32", "amp"] = "auto"
    seed: int = 0
    top_k: int = Field(default=5, ge=1)


class ZeroShotSpec(_Spec):
    """Zero-shot classification: top-1, top-k, mean per-class recall, per-class accuracy."""

    task: Literal["zero_shot_classification"] = ZERO_SHOT
    model: ModelSpec
    dataset: DatasetSpec
    options: RunOptions = RunOptions()


class ContrastiveLossSpec(_Spec):
    """Image–text contrastive (CLIP) loss on a captioned set, in batches of ``batch_size``."""

    task: Literal["contrastive_loss"] = CONTRASTIVE
    model: ModelSpec
    dataset: DatasetSpec
    options: RunOptions = RunOptions()


EvaluationSpec = Annotated[ZeroShotSpec | ContrastiveLossSpec, Field(discriminator="task")]
_ADAPTER: pydantic.TypeAdapter = pydantic.TypeAdapter(EvaluationSpec)


def parse_spec(data: dict[str, Any] | ZeroShotSpec | ContrastiveLossSpec):
    """A spec from a dict (or a spec, returned as is); malformed -> ``ValidationError``."""
    if isinstance(data, ZeroShotSpec | ContrastiveLossSpec):
        return data
    try:
        return _ADAPTER.validate_python(data)
    except pydantic.ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'spec'}: {e['msg']}" for e in exc.errors()
        )
        raise ValidationError(f"bad evaluation spec: {problems}") from None
