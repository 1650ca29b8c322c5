"""Data loaders: fixed order, and no forking inside daemonic (Celery prefork) processes."""

from __future__ import annotations

import os
import types

import pytest
import torch

from backend.evaluation import loading
from backend.evaluation.sources import index_dataset
from backend.evaluation.specs import ZERO_SHOT, RunOptions
from backend.evaluation.testing import dataset_spec

pytestmark = pytest.mark.worker


def test_daemonic_processes_load_in_process(monkeypatch):
    assert loading.loader_workers(3) == 3
    daemon = types.SimpleNamespace(daemon=True)
    monkeypatch.setattr(loading.multiprocessing, "current_process", lambda: daemon)
    assert loading.loader_workers(3) == 0


def test_batches_keep_index_order(bench):
    data = index_dataset(dataset_spec(bench, "csv"), task=ZERO_SHOT)
    options = RunOptions(batch_size=10, num_workers=2)
    to_tensor = lambda image: torch.tensor(image.getpixel((0, 0)))  # noqa: E731
    loader = loading.make_loader(data.samples, to_tensor, options, torch.device("cpu"))
    targets = torch.cat([t for _, t in loader]).tolist()
    assert targets == [s.target for s in data.samples]
    assert len(loader) == -(-bench.n_images // 10)


def test_default_workers_depend_on_the_device():
    assert loading.loader_workers(None, torch.device("cpu")) == min(2, os.cpu_count())
    expected = max(0, min(8, os.cpu_count() - 1))
    assert loading.loader_workers(None, torch.device("cuda")) == expected
