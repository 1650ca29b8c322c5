"""Fixtures of the worker tests: a tiny open_clip checkpoint trained a few steps on synthetic
images (so accuracy is clearly above chance), its rows in a database, and helpers to wait for a
job and to run real worker processes."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from backend import db
from backend.models import Checkpoint, EvalJob, EvalSet, Model

# Evaluation data and checkpoints of the tests lie under this root (the workers' only root).
N_CLASSES = 8


@dataclass(frozen=True)
class TinyAssets:
    """Files of the tiny model and the synthetic benchmarks."""

    root: Path
    checkpoint: Path
    small: object  # SyntheticBenchmark: a few images per class
    large: object  # SyntheticBenchmark: enough images that a batch-size-1 run takes a while


@pytest.fixture(scope="session")
def tiny_assets(tmp_path_factory) -> TinyAssets:
    """Train the tiny model once per test session (a few seconds on one CPU thread)."""
    pytest.importorskip("open_clip")
    import torch

    from backend.evaluation.testing import train_tiny_checkpoint, write_synthetic_benchmark

    torch.set_num_threads(1)
    root = tmp_path_factory.mktemp("worker-data")
    small = write_synthetic_benchmark(root / "small", per_class=6)
    large = write_synthetic_benchmark(root / "large", per_class=500, seed=1)
    checkpoint = train_tiny_checkpoint(root / "tiny.pt", small, steps=40, batch_size=16)
    return TinyAssets(root=root, checkpoint=checkpoint, small=small, large=large)


@dataclass(frozen=True)
class TinyRows:
    """Ids of the rows :func:`seed_tiny` wrote."""

    checkpoint_id: int
    folder_id: int  # zero-shot benchmark, image folder (small)
    captions_id: int  # captioned validation set, CSV (small): contrastive loss
    large_id: int  # zero-shot benchmark, image folder (large)
    missing_id: int  # a benchmark whose data path does not exist


def seed_tiny(session, assets: TinyAssets) -> TinyRows:
    """The tiny model, its checkpoint and the eval sets pointing at the synthetic data."""
    from backend.evaluation.testing import TINY_ARCH, TINY_CONFIG, TRAIN_TEMPLATES

    model = Model(
        name="tiny-clip", architecture=TINY_ARCH, attributes={"open_clip_config": TINY_CONFIG}
    )
    session.add(model)
    session.flush()
    checkpoint = Checkpoint(
        model_id=model.id, revision="step40", step=40, weights_uri=str(assets.checkpoint)
    )
    templates = list(TRAIN_TEMPLATES)
    folder = EvalSet(
        name="synthetic-colors",
        kind="benchmark",
        task="zero_shot_classification",
        n_classes=N_CLASSES,
        attributes={
            "path": str(assets.small.folder),
            "format": "image_folder",
            "templates": templates,
        },
    )
    captions = EvalSet(
        name="synthetic-captions",
        kind="validation",
        attributes={"path": str(assets.small.captions_csv), "format": "csv"},
    )
    large = EvalSet(
        name="synthetic-colors-large",
        kind="benchmark",
        attributes={
            "path": str(assets.large.folder),
            "format": "image_folder",
            "templates": templates,
        },
    )
    missing = EvalSet(
        name="not-there",
        kind="benchmark",
        attributes={"path": str(assets.root / "nowhere"), "format": "image_folder"},
    )
    session.add_all([checkpoint, folder, captions, large, missing])
    session.commit()
    return TinyRows(checkpoint.id, folder.id, captions.id, large.id, missing.id)


def wait_for(predicate: Callable[[], object], *, timeout: float, what: str, step: float = 0.1):
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def job_row(engine, job_id: int) -> EvalJob:
    """A fresh copy of one job row."""
    with db.session_scope(engine) as session:
        job = session.get(EvalJob, job_id)
        session.expunge(job)
        return job


def wait_for_status(engine, job_id: int, statuses, *, timeout: float) -> EvalJob:
    """Wait until job ``job_id`` is in one of ``statuses``; the row then."""
    statuses = {statuses} if isinstance(statuses, str) else set(statuses)

    def reached():
        job = job_row(engine, job_id)
        return job if job.status in statuses else None

    try:
        return wait_for(reached, timeout=timeout, what=f"job {job_id} to be {statuses}")
    except AssertionError:
        job = job_row(engine, job_id)
        raise AssertionError(
            f"job {job_id} is {job.status} after {timeout} s (wanted {statuses}): "
            f"{job.message}\n{job.error}\n{job.log_tail[-2000:]}"
        ) from None


def worker_env(**settings: str) -> dict[str, str]:
    """The environment of a worker process: this one, one CPU thread, ``SCALESCOPE_*``."""
    env = dict(os.environ)
    env.update({"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"})
    env.update({f"SCALESCOPE_{k.upper()}": v for k, v in settings.items()})
    return env


def editor_headers(session, username: str = "jobs-editor") -> dict[str, str]:
    """An editor with an API token (launching jobs needs the editor role)."""
    from backend.services import auth

    auth.create_user(session=session, username=username, password=None, role="editor")
    token = auth.create_token(session=session, username=username, name="tests")
    session.commit()
    return {"Authorization": f"Bearer {token.secret}"}
