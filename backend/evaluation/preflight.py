"""Checks that run before anything heavy loads (torch-free): the files a spec names exist
and are the kind of thing they should be. Missing -> ``NotFoundError``; wrong ->
``ValidationError``."""

from __future__ import annotations

import json
from pathlib import Path

from backend.evaluation.specs import CONFIG_KEYS, CONTRASTIVE, DatasetSpec, ModelSpec
from backend.exceptions import NotFoundError, ValidationError

CHECKPOINT_SUFFIXES = (".pt", ".pth", ".bin", ".ckpt", ".safetensors")
LOCAL_DIR_CONFIG = "open_clip_config.json"
LOCAL_DIR_WEIGHTS = (".safetensors", ".bin", ".pth")  # what open_clip looks for there


def read_model_config(path: str) -> dict:
    """An open_clip model config from a JSON file (plain, or under ``model_cfg``)."""
    file = Path(path)
    if not file.is_file():
        raise NotFoundError(f"model config file {path!r} does not exist")
    try:
        config = json.loads(file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValidationError(f"model config file {path!r} is not valid JSON: {exc}") from None
    if isinstance(config, dict) and "model_cfg" in config:
        config = config["model_cfg"]
    missing = [k for k in CONFIG_KEYS if not isinstance(config, dict) or k not in config]
    if missing:
        raise ValidationError(f"model config file {path!r} lacks {', '.join(missing)}")
    return config


def check_local_dir(folder: str) -> None:
    """A ``local-dir:`` model folder holds ``open_clip_config.json`` and a weights file."""
    path = Path(folder)
    if not path.is_dir():
        raise NotFoundError(f"model folder {folder!r} does not exist")
    if not (path / LOCAL_DIR_CONFIG).is_file():
        raise NotFoundError(f"model folder {folder!r} has no {LOCAL_DIR_CONFIG}")
    config = json.loads((path / LOCAL_DIR_CONFIG).read_text(encoding="utf-8"))
    if "model_cfg" not in config:
        raise ValidationError(f"{LOCAL_DIR_CONFIG} in {folder!r} has no model_cfg")
    if not any(p.suffix in LOCAL_DIR_WEIGHTS for p in path.iterdir()):
        raise NotFoundError(f"model folder {folder!r} has no weights file")


def check_model(spec: ModelSpec) -> None:
    """The checkpoint and config files of ``spec`` exist and look right."""
    if spec.schema == "local-dir":
        check_local_dir(spec.architecture.split(":", 1)[1])
    if spec.checkpoint_path:
        file = Path(spec.checkpoint_path)
        if not file.is_file():
            raise NotFoundError(f"checkpoint {spec.checkpoint!r} does not exist")
        if file.suffix.lower() not in CHECKPOINT_SUFFIXES:
            raise ValidationError(
                f"checkpoint {spec.checkpoint!r} is not a weights file "
                f"({', '.join(CHECKPOINT_SUFFIXES)})"
            )
        if file.stat().st_size == 0:
            raise ValidationError(f"checkpoint {spec.checkpoint!r} is empty")
    if spec.config_file:
        read_model_config(spec.config_file)


def check_dataset(spec: DatasetSpec, *, task: str) -> None:
    """The data of ``spec`` exists in a form ``task`` can use."""
    path = Path(spec.path)
    if spec.format == "image_folder":
        if task == CONTRASTIVE:
            raise ValidationError(
                f"dataset {spec.name!r}: contrastive loss needs captions (csv or webdataset)"
            )
        if not path.is_dir():
            raise NotFoundError(f"image folder {spec.path!r} does not exist")
    elif spec.format == "csv":
        if not path.is_file():
            raise NotFoundError(f"CSV {spec.path!r} does not exist")
    elif not (path.exists() or any(c in spec.path for c in "*?{")):
        raise NotFoundError(f"webdataset {spec.path!r} does not exist")
    for file, what in ((spec.classnames_file, "class names"), (spec.templates_file, "templates")):
        if file and not Path(file).is_file():
            raise NotFoundError(f"{what} file {file!r} does not exist")


def check_inputs(spec) -> None:
    """Model files, then data files, of an evaluation spec."""
    check_model(spec.model)
    check_dataset(spec.dataset, task=spec.task)
