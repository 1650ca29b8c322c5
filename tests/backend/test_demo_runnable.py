"""The demo's runnable evaluation: with the worker extra, a tiny checkpoint and a labelled
image set are made under the data directory's datasets folder (a worker root) and registered
with a weights_uri and a data path, once; the light install registers nothing and says which
extra to add."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from sqlalchemy import func, select

from backend.config import get_settings
from backend.demo import runnable
from backend.models import Checkpoint, EvalSet, Model
from backend.services import file_roots, runnable_pairs


@pytest.fixture(autouse=True)
def _data_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("SCALESCOPE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SCALESCOPE_WORKER_ROOTS", "[]")
    monkeypatch.setenv("SCALESCOPE_BROKER_URL", "")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.skipif(importlib.util.find_spec("open_clip") is None, reason="worker extra")
def test_the_runnable_demo_is_made_once_under_a_worker_root(engine, session, tmp_path):
    made = runnable.prepare(engine=engine)
    assert made.root == tmp_path / "datasets" / "demo-tiny"
    assert made.weights.is_file() and len(list(made.images.iterdir())) == runnable.N_CLASSES
    file_roots.check_readable(made.weights, what="weights")  # a job may read it
    again = runnable.prepare(engine=engine)
    assert (again.checkpoint_id, again.eval_set_id) == (made.checkpoint_id, made.eval_set_id)
    assert session.scalar(select(func.count()).select_from(Model)) == 1
    checkpoint = session.get(Checkpoint, made.checkpoint_id)
    assert Path(checkpoint.weights_uri) == made.weights
    eval_set = session.get(EvalSet, made.eval_set_id)
    assert eval_set.attributes["path"] == str(made.images) and eval_set.kind == "benchmark"
    found = runnable_pairs.runnability(session=session)
    assert found.checkpoints == {made.checkpoint_id: f"{runnable.MODEL_NAME} @ step40"}
    assert found.eval_sets == {made.eval_set_id: runnable.EVAL_SET_NAME}


def test_the_light_install_registers_nothing(engine, session, monkeypatch, tmp_path):
    monkeypatch.setattr(runnable, "missing_modules", lambda extra: ["torch", "open_clip"])
    assert runnable.prepare(engine=engine) is None
    assert session.scalar(select(func.count()).select_from(Model)) == 0
    assert not (tmp_path / "datasets").exists()
