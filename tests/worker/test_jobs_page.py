"""The Jobs page in headless Chromium on the real web process (embedded default: SQLite, the
app's own local executor): pick a checkpoint and a benchmark, launch, watch the job run live to
``succeeded``, read its log and metrics; the results are in the database and the coverage."""

from __future__ import annotations

import json

import pytest
from playwright import sync_api
from sqlalchemy import select

from app import ids
from backend import db
from backend.models import Measurement
from tests.browser.conftest import (
    SCREENSHOTS,
    graph_data,
    pick,
    start_server,
    wait_rendered,
)
from tests.worker.conftest import job_row, seed_tiny, wait_for

# In the browser tests' xdist group: one process drives the one Chromium.
pytestmark = [
    pytest.mark.worker,
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.xdist_group("browser"),
]


@pytest.fixture
def jobs_server(tmp_path, tiny_assets, monkeypatch):
    """The web process on a SQLite file holding the tiny model and the synthetic benchmarks."""
    database_url = f"sqlite:///{tmp_path / 'scalescope.db'}"
    db.upgrade(database_url)
    with db.session_scope(db.get_engine(database_url)) as session:
        seed_tiny(session, tiny_assets)
    for key, value in {
        "BROKER_URL": "",
        "LOCAL_EXECUTOR_WORKERS": "1",
        "JOB_HEARTBEAT_TIMEOUT_S": "10",
        "WORKER_ROOTS": json.dumps([str(tiny_assets.root)]),
    }.items():
        monkeypatch.setenv(f"SCALESCOPE_{key}", value)
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    process, url = start_server(database_url, tmp_path / "server.log")
    yield url, database_url
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    new_page = context.new_page()
    errors: list[str] = []
    new_page.on("pageerror", lambda error: errors.append(str(error)))
    yield new_page
    context.close()
    assert not errors, errors


def test_launch_and_watch_a_job_from_the_browser(jobs_server, page, tmp_path, tiny_assets):
    url, database_url = jobs_server
    # A benchmark's data is there when the page offers it (only runnable ones are offered)
    # and gone when the job runs: the job fails fast, shows why, and can be retried.
    vanishing = tiny_assets.root / "nowhere"
    vanishing.mkdir(exist_ok=True)
    page.goto(url + "/jobs")
    wait_rendered(page)
    pick(page, "jobs-checkpoints", "tiny-clip @ step40")
    pick(page, "jobs-eval-sets", "not-there")
    vanishing.rmdir()
    page.click("#jobs-launch")
    failed = page.wait_for_selector("tr.job-failed", timeout=120_000)
    assert "does not exist" in failed.inner_text()
    page.locator("tr.job-failed button", has_text="Retry").click()
    page.wait_for_selector("#jobs-message:has-text('queued again')", timeout=20_000)
    engine = db.get_engine(database_url)
    wait_for(
        lambda: (job := job_row(engine, 1)).status == "failed" and "retried" in job.log_tail,
        timeout=60,
        what="the retried job to fail again",
    )

    page.goto(url + "/jobs")
    wait_rendered(page)
    pick(page, "jobs-checkpoints", "tiny-clip @ step40")
    pick(page, "jobs-eval-sets", "synthetic-colors")
    page.click("#jobs-launch")
    page.wait_for_selector("#jobs-message:has-text('Queued 1 job')", timeout=20_000)
    row = page.locator("tr.job-row").first  # newest first, once the table has refreshed
    sync_api.expect(row).to_contain_text("tiny-clip @ step40 → synthetic-colors", timeout=20_000)
    assert "large" not in row.inner_text()
    row.locator("button", has_text="Log").click()
    page.wait_for_selector("tr.job-succeeded", timeout=180_000)
    page.wait_for_selector(".job-detail:has-text('top1')", timeout=20_000)
    detail = page.inner_text("#jobs-detail")
    assert "succeeded" in detail and "attempt 1" in detail
    with db.session_scope(db.get_engine(database_url)) as session:
        metrics = set(session.scalars(select(Measurement.metric)))
    assert metrics == {"top1", "top5", "mean_per_class_recall"}
    # The results are in the explorers: the model page plots them at the checkpoint's step.
    page.goto(url + "/model/tiny-clip")
    wait_rendered(page)
    traces = graph_data(page, ids.graph_id("/model", "curves"))
    with db.session_scope(db.get_engine(database_url)) as session:
        values = dict(session.execute(select(Measurement.metric, Measurement.value)).all())
    assert len(traces) == 1 and traces[0]["x"] == [40]
    assert any(traces[0]["y"][0] == pytest.approx(v) for v in values.values())
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "jobs.png"), full_page=True)
