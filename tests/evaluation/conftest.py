"""Fixtures of the evaluation tests: synthetic data in three formats and a tiny open_clip
model trained a few contrastive steps (session-scoped; a few seconds on CPU, one thread)."""

from __future__ import annotations

import pytest

pytest.importorskip("torch")
pytest.importorskip("open_clip")

import torch  # noqa: E402

from backend.evaluation import run_evaluation  # noqa: E402
from backend.evaluation.testing import (  # noqa: E402
    train_tiny_checkpoint,
    write_synthetic_benchmark,
    zero_shot_spec,
)


@pytest.fixture(scope="session", autouse=True)
def _one_torch_thread():
    """The CI machine's cores are shared: one intra-op thread."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.fixture(scope="session")
def bench(tmp_path_factory):
    """8 colour classes x 12 images as a folder, CSVs and webdataset shards."""
    return write_synthetic_benchmark(tmp_path_factory.mktemp("evaldata"))


@pytest.fixture(scope="session")
def checkpoint(bench, tmp_path_factory):
    """Weights of the tiny model after a few contrastive training steps."""
    return train_tiny_checkpoint(tmp_path_factory.mktemp("ckpt") / "tiny.pt", bench)


@pytest.fixture(scope="session")
def folder_result(checkpoint, bench):
    """Zero-shot result of the trained tiny model on the image-folder format."""
    return run_evaluation(zero_shot_spec(checkpoint, bench, "image_folder"))
