"""Zero-shot classification: a classifier from averaged, normalized text embeddings of the
prompt templates, then top-1 / top-k accuracy, mean per-class recall and per-class accuracy.

Accuracies are fractions with binomial standard errors sqrt(p(1-p)/n); mean per-class recall
averages the recall of the classes that have samples.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Sequence

import torch

from backend.evaluation.device import autocast
from backend.evaluation.errors import EvaluationCancelled
from backend.evaluation.factory import LoadedModel
from backend.evaluation.loading import make_loader
from backend.evaluation.results import (
    MEAN_PER_CLASS_RECALL,
    TOP1,
    ClassScore,
    EvaluationResult,
    MetricValue,
)
from backend.evaluation.sources import IndexedDataset
from backend.evaluation.specs import ZERO_SHOT, RunOptions
from backend.evaluation.templates import fill

TEXT_BATCH = 512


@torch.inference_mode()
def build_classifier(
    loaded: LoadedModel,
    classnames: Sequence[str],
    templates: Sequence[str],
    *,
    precision: str = "auto",
    should_cancel: Callable[[], bool] | None = None,
) -> torch.Tensor:
    """Class weights ``(embed_dim, n_classes)``: per class, the mean of the normalized text
    embeddings of its prompts, normalized again (float32). Prompts go through the text tower
    in chunks of whole classes (about ``TEXT_BATCH`` prompts)."""
    per_chunk = max(1, TEXT_BATCH // len(templates))
    means = []
    with autocast(loaded.device, precision):
        for start in range(0, len(classnames), per_chunk):
            if should_cancel is not None and should_cancel():
                raise EvaluationCancelled("cancelled while building the classifier")
            chunk = classnames[start : start + per_chunk]
            prompts = [fill(t, c) for c in chunk for t in templates]
            tokens = loaded.tokenizer(prompts).to(loaded.device)
            embeddings = loaded.model.encode_text(tokens, normalize=True).float()
            means.append(embeddings.reshape(len(chunk), len(templates), -1).mean(dim=1))
    return torch.nn.functional.normalize(torch.cat(means), dim=-1).T.contiguous()


def image_features(
    loaded: LoadedModel,
    data: IndexedDataset,
    options: RunOptions,
    *,
    should_cancel: Callable[[], bool],
) -> Iterator[tuple[float, torch.Tensor, torch.Tensor]]:
    """``(fraction done, normalized float32 features on the device, targets)`` per batch, in
    index order; checks ``should_cancel`` before each batch."""
    device = loaded.device
    loader = make_loader(data.samples, loaded.preprocess, options, device)
    seen = 0
    with torch.inference_mode():
        for index, (images, targets) in enumerate(loader):
            if should_cancel():
                raise EvaluationCancelled(f"cancelled after {seen} of {len(data.samples)} images")
            with autocast(device, options.precision):
                features = loaded.model.encode_image(
                    images.to(device, non_blocking=True), normalize=True
                )
            seen += len(targets)
            yield (index + 1) / len(loader), features.float(), targets


def _accuracy(name: str, correct: int, n: int) -> MetricValue:
    p = correct / n
    return MetricValue(name, p, n, math.sqrt(p * (1 - p) / n))


def run_zero_shot(
    loaded: LoadedModel,
    data: IndexedDataset,
    options: RunOptions,
    *,
    progress: Callable[[float, str], None],
    should_cancel: Callable[[], bool],
) -> EvaluationResult:
    """Evaluate ``loaded`` on ``data``; progress runs from 0.05 to 1.0 over the batches."""
    n_classes = len(data.classnames)
    k = min(options.top_k, n_classes)
    started = time.perf_counter()
    classifier = build_classifier(
        loaded,
        data.classnames,
        data.templates,
        precision=options.precision,
        should_cancel=should_cancel,
    )
    progress(0.05, f"classifier for {n_classes} classes x {len(data.templates)} templates")
    hits = torch.zeros(n_classes, dtype=torch.long)
    counts = torch.zeros(n_classes, dtype=torch.long)
    topk_hits = 0
    batches = image_features(loaded, data, options, should_cancel=should_cancel)
    with torch.inference_mode():
        for fraction, features, targets in batches:
            ranked = (features @ classifier).topk(k, dim=1).indices.cpu()
            correct = ranked == targets[:, None]
            top1 = correct[:, 0].long()
            hits += torch.bincount(targets, weights=top1, minlength=n_classes).long()
            counts += torch.bincount(targets, minlength=n_classes)
            topk_hits += int(correct.any(dim=1).sum())
            progress(0.05 + 0.95 * fraction, f"{int(counts.sum())} images")
    seconds = time.perf_counter() - started
    n = int(counts.sum())
    present = counts > 0
    recall = (hits[present].double() / counts[present].double()).mean().item()
    metrics = [_accuracy(TOP1, int(hits.sum()), n)]
    if 1 < k < n_classes:  # top-k of k >= n_classes is 1 by construction
        metrics.append(_accuracy(f"top{k}", topk_hits, n))
    metrics.append(MetricValue(MEAN_PER_CLASS_RECALL, recall, n))
    per_class = tuple(
        ClassScore(name, int(h) / int(c), int(c))
        for name, h, c in zip(data.classnames, hits, counts, strict=True)
        if c > 0
    )
    return EvaluationResult(
        task=ZERO_SHOT,
        dataset=data.name,
        metrics=tuple(metrics),
        per_class=per_class,
        n_samples=n,
        device=str(loaded.device),
        seconds=seconds,
        details={
            "n_classes": n_classes,
            "n_templates": len(data.templates),
            "top_k": k,
            "batch_size": options.batch_size,
            "architecture": loaded.architecture,
        },
    )
