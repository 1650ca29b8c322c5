"""A first-time researcher on the Jobs page of the demo (worker extra installed, jobs run by
the embedded local executor, no broker): the demo's tiny runnable evaluation is offered,
launches from the page, shows its progress and finishes, and its result appears on the model
page; "Launch missing" never queues a pair that cannot run and says why the others are left
out."""

from __future__ import annotations

import importlib.util
import subprocess

import pytest
from sqlalchemy import select

from app import ids
from backend import db
from backend.demo import runnable
from backend.models import Checkpoint, EvalJob, EvalSet, Measurement, Model
from tests.browser.conftest import LiveServer, graph_data, pick, start_server, visit

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("open_clip") is None, reason="needs the worker extra"
)
CHECKPOINT = f"{runnable.MODEL_NAME} @ {runnable.REVISION}"


@pytest.fixture(scope="module")
def jobs_server(tmp_path_factory):
    """The demo's runnable evaluation, a checkpoint without weights and a benchmark without
    data, served with the local executor on a data directory of its own."""
    folder = tmp_path_factory.mktemp("jobs-server")
    data_dir = folder / "data"
    database_url = f"sqlite:///{folder / 'scalescope.db'}"
    db.upgrade(database_url)
    engine = db.get_engine(database_url)
    runnable.prepare(engine=engine, root=data_dir / "datasets" / "demo-tiny")
    with db.session_scope(engine) as session:
        model = Model(name="pythia-160m", architecture="ViT-B-32")
        session.add(model)
        session.flush()
        session.add(Checkpoint(model_id=model.id, revision="step1000", step=1000))
        session.add(EvalSet(name="imagenet-sketch", kind="benchmark"))
        session.commit()
    env = {
        "SCALESCOPE_DATA_DIR": str(data_dir),
        "SCALESCOPE_BROKER_URL": "",
        "SCALESCOPE_WORKER_ROOTS": "[]",
        "SCALESCOPE_LOCAL_EXECUTOR_WORKERS": "1",
        "OMP_NUM_THREADS": "1",
    }
    process, url = start_server(database_url, folder / "server.log", extra_env=env)
    yield LiveServer(url=url, database_url=database_url)
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def _runnable_pair(session, job: EvalJob) -> bool:
    checkpoint = session.get(Checkpoint, job.checkpoint_id)
    eval_set = session.get(EvalSet, job.eval_set_id)
    return bool(checkpoint.weights_uri) and bool((eval_set.attributes or {}).get("path"))


def test_the_demo_evaluation_launches_finishes_and_shows_on_the_model_page(page, jobs_server):
    visit(page, jobs_server, "/jobs", screenshot="jobs-first-visit")
    assert "1 checkpoint(s) and 1 benchmark(s) can be evaluated here" in page.inner_text(
        f"#{ids.JOBS_RUNNABLE}"
    )
    pick(page, ids.JOBS_CHECKPOINTS, CHECKPOINT)
    pick(page, ids.JOBS_EVAL_SETS, runnable.EVAL_SET_NAME)
    page.click(f"#{ids.JOBS_LAUNCH}")
    page.wait_for_function(
        f"() => document.getElementById('{ids.JOBS_MESSAGE}').innerText.startsWith('Queued')",
        timeout=30_000,
    )
    row = page.locator(".job-row", has_text=runnable.EVAL_SET_NAME).first
    row.locator(".job-status-succeeded").wait_for(timeout=240_000)
    assert row.locator(".job-percent").inner_text() == "100%"
    with db.session_scope(jobs_server.engine()) as session:
        top1 = session.scalar(
            select(Measurement.value)
            .join(EvalSet, EvalSet.id == Measurement.eval_set_id)
            .where(EvalSet.name == runnable.EVAL_SET_NAME, Measurement.metric == "top1")
        )
    assert top1 is not None and top1 > 1 / runnable.N_CLASSES  # trained: above chance
    row.get_by_text("see the result").click()
    page.wait_for_url(f"**/model/{runnable.MODEL_NAME}*")
    traces = graph_data(page, ids.graph_id("/model", "curves"))
    ys = [y for trace in traces for y in (trace["y"] or [])]
    assert any(abs(y - top1) < 1e-9 or abs(y - 100 * top1) < 1e-6 for y in ys), (ys, top1)


def test_launch_missing_never_queues_a_pair_that_cannot_run(page, jobs_server):
    visit(page, jobs_server, "/jobs")
    page.click("summary:has-text('Not offered, and why')")
    reasons = page.inner_text(".jobs-blocked")
    assert "no weights" in reasons and "pythia-160m @ step1000" in reasons
    assert "dataset not available" in reasons and "imagenet-sketch" in reasons
    page.click(f"#{ids.JOBS_LAUNCH_MISSING}")
    page.wait_for_function(
        f"() => /^(Queued|Nothing to launch)/.test("
        f"document.getElementById('{ids.JOBS_MESSAGE}').innerText)",
        timeout=30_000,
    )
    with db.session_scope(jobs_server.engine()) as session:
        jobs = session.scalars(select(EvalJob)).all()
        assert jobs and all(_runnable_pair(session, job) for job in jobs)
