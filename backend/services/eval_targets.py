"""What a job evaluates, read from its rows and turned into an evaluation spec
(``backend.evaluation.specs``, plain JSON) before any heavy work starts. Every file the spec
names must lie under the allowed roots (``backend.services.file_roots``: the worker roots, or
the data directory's upload and dataset folders; ``..`` and symlinks resolved first), so a job
cannot read arbitrary files of a worker.

Where the spec comes from:

- ``Model.architecture``: the open_clip model name (``ViT-B-32``), or the name of a custom
  config given as ``Model.attributes["open_clip_config"]`` (a dict) or
  ``Model.attributes["open_clip_config_file"]``;
- ``Checkpoint.weights_uri``: a weights file (``/path/ckpt.pt`` or ``file:///path``) or an
  open_clip pretrained tag (``openclip:laion2b_s34b_b79k``); empty means random weights, only
  when ``Model.attributes["random_weights"]`` is true;
- ``EvalSet.attributes``: the dataset fields of ``DatasetSpec`` (``path``, ``format``,
  ``classnames``, ``templates``, ...) and optionally ``evaluation`` (the task);
- the job's ``spec["options"]``: ``RunOptions`` (batch size, device, precision, seed, ...).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from backend.evaluation.specs import DatasetSpec, parse_spec
from backend.exceptions import NotFoundError, ValidationError
from backend.models import Checkpoint, EvalJob, EvalSet
from backend.services import file_roots

PRETRAINED_PREFIX = "openclip:"
DATASET_FIELDS = set(DatasetSpec.model_fields) - {"name", "allowed_roots"}
PATH_FIELDS = ("path", "classnames_file", "templates_file")


@dataclass(frozen=True)
class EvalTarget:
    """Everything a worker needs to run one job, as plain data (no ORM objects)."""

    job_id: int
    model_name: str
    revision: str
    eval_set_name: str
    spec: dict[str, Any]


def confined_path(raw: str, *, what: str) -> str:
    """``raw`` as an absolute, resolved path under the allowed roots
    (``backend.services.file_roots``)."""
    if not Path(raw.removeprefix("file://")).expanduser().is_absolute():
        raise ValidationError(f"{what} path {raw!r} must be absolute")
    return str(file_roots.check_readable(raw, what=what))


def check_paths(*, checkpoint: Checkpoint, eval_set: EvalSet) -> None:
    """At submit: the files a job of ``checkpoint`` on ``eval_set`` would read lie under the
    allowed roots (the worker checks again before it opens them)."""
    model = checkpoint.model
    config_file = (model.attributes or {}).get("open_clip_config_file")
    if config_file and not (model.attributes or {}).get("open_clip_config"):
        confined_path(str(config_file), what=f"model config of {model.name!r}")
    uri = (checkpoint.weights_uri or "").strip()
    if uri and not uri.startswith(PRETRAINED_PREFIX):
        confined_path(uri, what=f"weights of {model.name}@{checkpoint.revision}")
    for key in PATH_FIELDS:
        value = (eval_set.attributes or {}).get(key)
        if value:
            confined_path(str(value), what=f"{key} of {eval_set.name!r}")


def load_target(*, session: Session, job: EvalJob) -> EvalTarget:
    """Read what ``job`` evaluates and build its evaluation spec; ``NotFoundError`` /
    ``ValidationError`` (the job fails at once) when it cannot run."""
    spec = job.spec or {}
    return build_target(
        session=session,
        checkpoint_id=job.checkpoint_id or spec.get("checkpoint_id"),
        eval_set_id=job.eval_set_id or spec.get("eval_set_id"),
        task=job.kind,
        options=spec.get("options"),
        job_id=job.id,
    )


def build_target(
    *,
    session: Session,
    checkpoint_id: int | None,
    eval_set_id: int | None,
    task: str,
    options: dict[str, Any] | None = None,
    job_id: int | None = None,
) -> EvalTarget:
    """The evaluation spec of ``task`` for a checkpoint and an eval set (rows by id), paths
    confined to the worker roots; ``NotFoundError`` / ``ValidationError`` when it cannot run."""
    whose = f" of job {job_id}" if job_id is not None else ""
    checkpoint = session.get(Checkpoint, checkpoint_id or -1)
    if checkpoint is None:
        raise NotFoundError(f"the checkpoint{whose} no longer exists")
    eval_set = session.get(EvalSet, eval_set_id or -1)
    if eval_set is None:
        raise NotFoundError(f"the eval set{whose} no longer exists")
    model = checkpoint.model
    label = f"checkpoint {model.name}@{checkpoint.revision}"
    if not model.architecture:
        raise ValidationError(f"model {model.name!r} has no architecture (open_clip model name)")
    attributes = model.attributes or {}
    model_spec: dict[str, Any] = {"architecture": model.architecture}
    if attributes.get("open_clip_config"):
        model_spec["config"] = attributes["open_clip_config"]
    elif attributes.get("open_clip_config_file"):
        model_spec["config_file"] = confined_path(
            attributes["open_clip_config_file"], what=f"model config of {model.name!r}"
        )
    uri = (checkpoint.weights_uri or "").strip()
    if uri.startswith(PRETRAINED_PREFIX):
        model_spec["pretrained"] = uri.removeprefix(PRETRAINED_PREFIX)
    elif uri:
        model_spec["checkpoint"] = confined_path(uri, what=f"weights of {label}")
    elif attributes.get("random_weights"):
        model_spec["random_weights"] = True
    else:
        raise ValidationError(f"{label} has no weights_uri (a file path or openclip:<tag>)")

    data = {k: v for k, v in (eval_set.attributes or {}).items() if k in DATASET_FIELDS}
    if not data.get("path"):
        raise ValidationError(f"eval set {eval_set.name!r} has no data path (attributes.path)")
    for key in PATH_FIELDS:
        if data.get(key):
            data[key] = confined_path(str(data[key]), what=f"{key} of {eval_set.name!r}")
    # the files the data resolves to (CSV rows, folder images, shards) are checked too
    data["allowed_roots"] = [str(root) for root in file_roots.allowed_roots()]
    evaluation = {
        "task": task,
        "model": model_spec,
        "dataset": {"name": eval_set.name, **data},
        "options": dict(options or {}),
    }
    parse_spec(evaluation)  # malformed -> ValidationError now, not on the GPU
    return EvalTarget(
        job_id=job_id if job_id is not None else 0,
        model_name=model.name,
        revision=checkpoint.revision,
        eval_set_name=eval_set.name,
        spec=evaluation,
    )
