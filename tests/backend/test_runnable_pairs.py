"""Which (checkpoint, benchmark) pairs can run, and "Launch missing" queueing only those, on
SQLite and Postgres: checkpoints without weights, datasets without a path or whose files are
not here, paths outside the worker roots and a missing extra are left out, with the reason."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from backend.config import get_settings
from backend.exceptions import ValidationError
from backend.models import Checkpoint, EvalJob, EvalSet, Measurement, Model
from backend.services import jobs, runnable_pairs

pytestmark = pytest.mark.usefixtures("local_job_queue")  # Launch missing queues jobs


@pytest.fixture(autouse=True)
def _data_dir(monkeypatch, tmp_path):
    """Jobs run here (no broker); the data directory's datasets folder is the only root."""
    monkeypatch.setenv("SCALESCOPE_BROKER_URL", "")
    monkeypatch.setenv("SCALESCOPE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SCALESCOPE_WORKER_ROOTS", "[]")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def rows(session, tmp_path):
    """Checkpoints and benchmarks, some runnable, some not (each for one reason)."""
    data = tmp_path / "datasets"
    (data / "colors").mkdir(parents=True)
    (data / "tiny.pt").write_bytes(b"weights")
    outside = tmp_path / "elsewhere.pt"
    outside.write_bytes(b"weights")
    clip = Model(name="clip", architecture="ViT-B-32")
    bare = Model(name="bare-model")  # no architecture
    session.add_all([clip, bare])
    session.flush()
    checkpoints = {
        "file": Checkpoint(model_id=clip.id, revision="file", weights_uri=str(data / "tiny.pt")),
        "tag": Checkpoint(model_id=clip.id, revision="tag", weights_uri="openclip:openai"),
        "none": Checkpoint(model_id=clip.id, revision="none"),
        "outside": Checkpoint(model_id=clip.id, revision="outside", weights_uri=str(outside)),
        "gone": Checkpoint(model_id=clip.id, revision="gone", weights_uri=str(data / "x.pt")),
        "no-arch": Checkpoint(model_id=bare.id, revision="main", weights_uri="openclip:openai"),
    }
    sets = {
        "here": EvalSet(name="colors", kind="benchmark", attributes={"path": str(data / "colors")}),
        "no-path": EvalSet(name="imagenet", kind="benchmark"),
        "not-here": EvalSet(
            name="cifar", kind="benchmark", attributes={"path": str(data / "cifar")}
        ),
        "validation": EvalSet(
            name="captions", kind="validation", attributes={"path": str(data / "colors")}
        ),
    }
    session.add_all([*checkpoints.values(), *sets.values()])
    session.commit()
    return checkpoints, sets


def test_runnability_sorts_checkpoints_and_benchmarks_with_reasons(session, rows):
    checkpoints, sets = rows
    found = runnable_pairs.runnability(session=session)
    assert set(found.checkpoints) == {checkpoints["file"].id, checkpoints["tag"].id}
    assert set(found.eval_sets) == {sets["here"].id}  # benchmarks only
    reasons = {b.reason: b.examples for b in found.blocked}
    assert reasons[runnable_pairs.NO_WEIGHTS] == ["clip @ none"]
    assert reasons[runnable_pairs.NO_ARCHITECTURE] == ["bare-model @ main"]
    assert reasons[runnable_pairs.NO_DATASET] == ["imagenet"]
    outside = [r for r in reasons if "outside the worker roots" in r]
    assert len(outside) == 1 and reasons[outside[0]] == ["clip @ outside"]
    assert "elsewhere.pt" not in outside[0]  # one reason for every such file, not per path
    assert sum(b.count for b in found.blocked) == 6  # 4 checkpoints and 2 benchmarks
    not_found = {r: names for r, names in reasons.items() if "not found" in r}
    assert sorted(n for names in not_found.values() for n in names) == ["cifar", "clip @ gone"]
    assert found.missing_extra is None or found.missing_extra == "worker"


def test_launch_missing_queues_only_runnable_holes(session, rows, monkeypatch):
    monkeypatch.setattr(runnable_pairs, "missing_extra", lambda: None)  # as if torch were here
    monkeypatch.setattr("backend.services.jobs.require_runnable", lambda *a, **k: None)
    checkpoints, sets = rows
    session.add(
        Measurement(
            checkpoint_id=checkpoints["tag"].id,
            eval_set_id=sets["here"].id,
            metric="top1",
            value=0.5,
        )
    )
    session.commit()
    found = runnable_pairs.runnability(session=session)
    submitted = jobs.submit_missing(session=session)
    assert [(s.job.checkpoint_id, s.job.eval_set_id) for s in submitted] == [
        (checkpoints["file"].id, sets["here"].id)
    ]
    assert session.scalar(select(func.count()).select_from(EvalJob)) == 1
    again = jobs.submit_missing(session=session)
    assert again == []  # the hole is pending now
    assert found.blocked


def test_launch_missing_without_the_extra_queues_nothing_and_names_it(session, rows, monkeypatch):
    monkeypatch.setattr(runnable_pairs, "missing_modules", lambda extra: ["torch"])
    monkeypatch.setattr("backend.extras.missing_modules", lambda extra: ["torch"])
    found = runnable_pairs.runnability(session=session)
    assert found.missing_extra == "worker" and not found.any_runnable
    with pytest.raises(ValidationError, match="'worker' extra"):
        jobs.submit_missing(session=session)
    assert session.scalar(select(func.count()).select_from(EvalJob)) == 0


def test_picked_eval_sets_are_checked_too(session, rows):
    _, sets = rows
    found = runnable_pairs.runnability(session=session, eval_set_ids=[sets["not-here"].id])
    assert found.eval_sets == {} and not found.any_runnable
    with pytest.raises(ValidationError, match="at least one"):
        jobs.submit(session=session, checkpoint_ids=[], eval_set_ids=[])
