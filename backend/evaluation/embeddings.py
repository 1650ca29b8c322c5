"""Per-image outputs for the train-test similarity analysis (Mayilvahanan et al. 2024): the
normalized CLIP image embedding of every test image with its label and zero-shot prediction,
and a torch ``scorer`` that runs the corpus similarity products on a GPU.

``embed_dataset`` returns numpy arrays in the dataset's index order, so row ``i`` of the
embeddings, the targets and the predictions describe the same image.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from backend.evaluation.device import pick_device, seed_everything
from backend.evaluation.factory import build_model
from backend.evaluation.preflight import check_inputs
from backend.evaluation.sources import index_dataset
from backend.evaluation.specs import ZeroShotSpec, parse_spec
from backend.evaluation.zeroshot import build_classifier, image_features


@dataclass(frozen=True)
class ImageEmbeddings:
    """Row ``i``: image ``i``'s unit-length embedding, class index and zero-shot prediction."""

    vectors: np.ndarray  # (n, embed_dim) float32
    targets: np.ndarray  # (n,) int64
    predictions: np.ndarray  # (n,) int64
    classnames: tuple[str, ...]

    @property
    def correct(self) -> np.ndarray:
        """Whether each image was classified right (top-1)."""
        return self.predictions == self.targets


def _no_progress(fraction: float, message: str) -> None:
    """Ignore progress."""


def embed_dataset(
    spec: ZeroShotSpec | dict,
    *,
    progress: Callable[[float, str], None] = _no_progress,
    should_cancel: Callable[[], bool] = lambda: False,
) -> ImageEmbeddings:
    """Embeddings, labels and zero-shot predictions of every image of a zero-shot spec."""
    spec = parse_spec(spec)
    if not isinstance(spec, ZeroShotSpec):
        raise TypeError("embed_dataset needs a zero-shot classification spec")
    check_inputs(spec)
    device = pick_device(spec.options.device)
    data = index_dataset(spec.dataset, task=spec.task)
    seed_everything(spec.options.seed)
    loaded = build_model(spec.model, device=device)
    classifier = build_classifier(
        loaded, data.classnames, data.templates, precision=spec.options.precision
    )
    vectors, targets, predictions = [], [], []
    batches = image_features(loaded, data, spec.options, should_cancel=should_cancel)
    with torch.inference_mode():
        for fraction, features, batch_targets in batches:
            predictions.append((features @ classifier).argmax(dim=1).cpu())
            vectors.append(features.cpu())
            targets.append(batch_targets)
            progress(fraction, f"{sum(len(t) for t in targets)} images embedded")
    return ImageEmbeddings(
        vectors=torch.cat(vectors).numpy(),
        targets=torch.cat(targets).numpy().astype(np.int64),
        predictions=torch.cat(predictions).numpy().astype(np.int64),
        classnames=data.classnames,
    )


def torch_scorer(device: str | None = None):
    """A ``scorer(queries, chunk, k) -> (top-k similarities, top-k rows)`` for
    ``backend.corpus.similarity.max_similarity`` that multiplies on ``device`` (CUDA when
    present); the queries move to the device once, chunks as they come."""
    target = pick_device(device)
    cached: list = [None, None]  # [the queries array (kept alive), its device tensor]

    def scorer(queries: np.ndarray, chunk: np.ndarray, k: int):
        if cached[0] is not queries:
            tensor = torch.from_numpy(np.ascontiguousarray(queries, np.float32)).to(target)
            cached[:] = [queries, tensor]
        rows = torch.from_numpy(np.ascontiguousarray(chunk, np.float32)).to(target)
        with torch.inference_mode():
            top = (cached[1] @ rows.T).topk(min(k, len(rows)), dim=1)
        return top.values.cpu().numpy(), top.indices.cpu().numpy()

    return scorer
