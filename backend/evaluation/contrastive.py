"""Image–text contrastive (CLIP) loss on a captioned set.

Per batch of B pairs with logits ``s * img @ txt.T`` (``s`` = the model's learned logit scale),
each pair's loss is the mean of its image->text and text->image cross-entropies; the reported
value is the mean over all pairs (nats), with stderr = std / sqrt(n). The loss depends on the
batch size (more negatives, higher loss): it is recorded in ``details``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import torch
import torch.nn.functional as F

from backend.evaluation.device import autocast
from backend.evaluation.errors import EvaluationCancelled
from backend.evaluation.factory import LoadedModel
from backend.evaluation.loading import make_loader
from backend.evaluation.results import CONTRASTIVE_LOSS, EvaluationResult, MetricValue
from backend.evaluation.sources import IndexedDataset
from backend.evaluation.specs import CONTRASTIVE, RunOptions


def pair_losses(
    image_features: torch.Tensor, text_features: torch.Tensor, logit_scale: torch.Tensor
) -> torch.Tensor:
    """Per-pair symmetric InfoNCE loss of one batch of normalized features."""
    logits = logit_scale * image_features @ text_features.T
    labels = torch.arange(len(logits), device=logits.device)
    image_to_text = F.cross_entropy(logits, labels, reduction="none")
    text_to_image = F.cross_entropy(logits.T, labels, reduction="none")
    return (image_to_text + text_to_image) / 2


def run_contrastive(
    loaded: LoadedModel,
    data: IndexedDataset,
    options: RunOptions,
    *,
    progress: Callable[[float, str], None],
    should_cancel: Callable[[], bool],
) -> EvaluationResult:
    """Mean contrastive loss of ``loaded`` on ``data`` in batches of ``options.batch_size``."""
    device = loaded.device
    model = loaded.model
    started = time.perf_counter()
    total = total_sq = 0.0
    n = 0
    loader = make_loader(data.samples, loaded.preprocess, options, device)
    n_batches = len(loader)
    with torch.inference_mode():
        scale = model.logit_scale.exp().float()
        for index, (images, captions) in enumerate(loader):
            if should_cancel():
                raise EvaluationCancelled(f"cancelled after {n} of {len(data.samples)} pairs")
            tokens = loaded.tokenizer(list(captions)).to(device)
            with autocast(device, options.precision):
                image_features = model.encode_image(
                    images.to(device, non_blocking=True), normalize=True
                )
                text_features = model.encode_text(tokens, normalize=True)
            losses = pair_losses(image_features.float(), text_features.float(), scale).double()
            total += float(losses.sum())
            total_sq += float((losses**2).sum())
            n += len(losses)
            progress((index + 1) / n_batches, f"{n} pairs")
    seconds = time.perf_counter() - started
    mean = total / n
    variance = max(total_sq / n - mean**2, 0.0) * n / max(n - 1, 1)
    metric = MetricValue(CONTRASTIVE_LOSS, mean, n, math.sqrt(variance / n))
    return EvaluationResult(
        task=CONTRASTIVE,
        dataset=data.name,
        metrics=(metric,),
        n_samples=n,
        device=str(device),
        seconds=seconds,
        details={
            "batch_size": options.batch_size,
            "logit_scale": float(scale),
            "architecture": loaded.architecture,
        },
    )
