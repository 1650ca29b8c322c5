"""The one factory that turns a :class:`ModelSpec` into a model, its preprocessing and its
tokenizer (open_clip). Custom configs are registered under their ``architecture`` name;
checkpoints load with ``weights_only=True`` (or from safetensors), never running pickled code.
"""

from __future__ import annotations

import contextlib
import json
import logging
import pickle
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import open_clip
import torch

from backend.evaluation.preflight import read_model_config
from backend.evaluation.specs import ModelSpec
from backend.exceptions import NotFoundError, ValidationError

log = logging.getLogger(__name__)
BUILTIN_MODELS = frozenset(open_clip.list_models())
_CONFIG_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")


@dataclass(frozen=True)
class LoadedModel:
    """A model in eval mode on ``device``, with the image transform and text tokenizer."""

    model: torch.nn.Module
    preprocess: Callable
    tokenizer: Callable
    architecture: str
    device: torch.device


class _DropRandomInitWarning(logging.Filter):
    """Hides open_clip's "initialized randomly" warning when a checkpoint loads next."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "initialized randomly" not in record.getMessage()


@contextlib.contextmanager
def _quiet_random_init(active: bool):
    root = logging.getLogger()
    drop = _DropRandomInitWarning()
    if active:
        root.addFilter(drop)
    try:
        yield
    finally:
        root.removeFilter(drop)


@lru_cache(maxsize=1)
def _config_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="scalescope-openclip-configs-"))


def register_config(name: str, config: dict) -> None:
    """Make ``config`` known to open_clip as ``name`` (a built-in name cannot be redefined)."""
    if name in BUILTIN_MODELS:
        if open_clip.get_model_config(name) == config:
            return
        raise ValidationError(
            f"architecture {name!r} is a built-in open_clip model; name a custom config otherwise"
        )
    if not _CONFIG_NAME.fullmatch(name):
        raise ValidationError(f"custom architecture name {name!r} must be letters, digits, ._-")
    if open_clip.get_model_config(name) == config:
        return
    file = _config_dir() / f"{name}.json"
    file.write_text(json.dumps(config), encoding="utf-8")
    open_clip.add_model_config(file)


def load_weights(model: torch.nn.Module, path: str) -> None:
    """Load a checkpoint file into ``model`` without executing pickled code."""
    try:
        open_clip.load_checkpoint(model, path, weights_only=True)
    except pickle.UnpicklingError as exc:
        first = str(exc).splitlines()[0]
        raise ValidationError(
            f"checkpoint {path!r} holds more than weights (pickled objects); refused: {first}"
        ) from None
    except (RuntimeError, KeyError, ValueError, StopIteration) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ValidationError(f"checkpoint {path!r} does not fit the model: {first}") from None


def build_model(spec: ModelSpec, *, device: torch.device | str = "cpu") -> LoadedModel:
    """Model, preprocess and tokenizer for ``spec``, in eval mode on ``device``."""
    name = spec.architecture
    if spec.config is not None:
        register_config(name, dict(spec.config))
    elif spec.config_file:
        register_config(name, read_model_config(spec.config_file))
    elif spec.schema is None and name not in open_clip.list_models():
        raise ValidationError(f"unknown open_clip architecture {name!r}")
    if spec.pretrained:
        tags = open_clip.list_pretrained_tags_by_model(name)
        if spec.pretrained not in tags:
            known = ", ".join(tags) or "none"
            raise ValidationError(
                f"{name!r} has no pretrained tag {spec.pretrained!r} (known: {known})"
            )
    try:
        with _quiet_random_init(bool(spec.checkpoint_path)):
            model, _, preprocess = open_clip.create_model_and_transforms(
                name, pretrained=spec.pretrained, device="cpu", cache_dir=spec.cache_dir
            )
    except pickle.UnpicklingError as exc:
        first = str(exc).splitlines()[0]
        raise ValidationError(f"weights of {name} hold pickled objects; refused: {first}") from None
    except (OSError, RuntimeError, ValueError) as exc:
        if spec.pretrained or spec.schema:
            what = f"{name}/{spec.pretrained}" if spec.pretrained else name
            raise NotFoundError(f"pretrained weights {what} could not be loaded: {exc}") from None
        raise
    if spec.checkpoint_path:
        load_weights(model, spec.checkpoint_path)
        log.info("loaded weights of %s from %s", name, spec.checkpoint_path)
    device = torch.device(device)
    model = model.to(device).eval()
    return LoadedModel(model, preprocess, open_clip.get_tokenizer(name), name, device)
