"""Device choice, mixed precision and seeding."""

from __future__ import annotations

import contextlib
import random

import numpy as np
import torch

from backend.exceptions import ValidationError


def pick_device(requested: str | None = None) -> torch.device:
    """``requested``, or CUDA when present, else CPU; an unavailable request is an error."""
    if not requested:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(requested)
    except RuntimeError:
        raise ValidationError(f"unknown device {requested!r}") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValidationError(f"device {requested!r} requested but CUDA is not available")
    return device


def autocast(device: torch.device, precision: str = "auto"):
    """Autocast (bf16 where supported, else fp16) on CUDA unless ``precision`` is ``fp32``;
    a no-op on CPU."""
    if device.type != "cuda" or precision == "fp32":
        return contextlib.nullcontext()
    dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return torch.autocast("cuda", dtype=dtype)


def seed_everything(seed: int) -> None:
    """Seed python, numpy and torch, and ask cuDNN for deterministic kernels."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False
