"""Torch datasets and data loaders over an :class:`IndexedDataset` (fixed order, no shuffle)."""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable, Sequence

import torch
from torch.utils.data import DataLoader, Dataset

from backend.evaluation.sources import Sample
from backend.evaluation.specs import RunOptions

log = logging.getLogger(__name__)


class SampleDataset(Dataset):
    """Decoded, preprocessed images with their targets (class index or caption)."""

    def __init__(self, samples: Sequence[Sample], transform: Callable):
        self.samples = samples
        self.transform = transform

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, index: int):
        sample = self.samples[index]
        return self.transform(sample.image.open()), sample.target


def loader_workers(requested: int | None, device: torch.device | None = None) -> int:
    """``requested`` loader workers (None: 2 on CPU, where the model needs the cores too; on
    a GPU one per spare core up to 8), or 0 inside a daemonic process (which may not fork)."""
    if requested is None:
        cores = os.cpu_count() or 1
        requested = min(8, cores - 1) if device is not None and device.type == "cuda" else 2
        requested = max(0, min(requested, cores))
    if requested and multiprocessing.current_process().daemon:
        log.warning("daemonic worker process: loading data in-process (num_workers=0)")
        return 0
    return requested


def make_loader(
    samples: Sequence[Sample], transform: Callable, options: RunOptions, device: torch.device
) -> DataLoader:
    """Batches in index order with ``options.num_workers`` workers, pinned memory on CUDA."""
    workers = loader_workers(options.num_workers, device)
    return DataLoader(
        SampleDataset(samples, transform),
        batch_size=options.batch_size,
        shuffle=False,
        drop_last=False,
        num_workers=workers,
        pin_memory=device.type == "cuda",
        persistent_workers=False,
        prefetch_factor=4 if workers else None,
        generator=torch.Generator().manual_seed(options.seed),
    )
