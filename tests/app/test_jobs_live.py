"""Live updates of the Jobs page patch instead of redrawing: an unchanged table sends nothing,
a changed job sends only its own row (so buttons of the other rows stay as they are), and a
new job redraws the table once."""

from __future__ import annotations

import datetime as dt

import dash
from dash import Patch

from app.views import jobs_live
from backend.schemas.jobs import JobPublic


def job(job_id: int, status: str = "running", progress: float = 0.5) -> JobPublic:
    return JobPublic(
        id=job_id,
        kind="zero_shot_classification",
        status=status,
        progress=progress,
        attempts=1,
        cancel_requested=False,
        model_name="tiny-clip-demo",
        revision="step40",
        eval_set_name="demo-colors",
        created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )


def test_nothing_changed_sends_nothing():
    jobs = [job(2), job(1)]
    shown = jobs_live.shown_state(jobs)
    update, now = jobs_live.table_update(jobs, shown)
    assert update is dash.no_update and now == shown


def test_a_changed_job_patches_only_its_row():
    before = [job(3), job(2), job(1)]
    after = [job(3), job(2, "succeeded", 1.0), job(1)]
    update, now = jobs_live.table_update(after, jobs_live.shown_state(before))
    assert isinstance(update, Patch)
    operations = update.to_plotly_json()["operations"]
    assert len(operations) == 1
    (operation,) = operations
    assert operation["location"] == [*jobs_live.ROWS_PATH, 1]  # the second row, no other
    row = operation["params"]["value"]
    assert row.id == "job-row-2" and "job-succeeded" in row.className
    assert now["rows"][1] != jobs_live.shown_state(before)["rows"][1]


def test_a_new_job_redraws_the_table_once():
    before = [job(1)]
    after = [job(2, "queued", 0.0), job(1)]
    update, now = jobs_live.table_update(after, jobs_live.shown_state(before))
    assert not isinstance(update, Patch) and update is not dash.no_update
    assert now["ids"] == [2, 1]
    again, _ = jobs_live.table_update(after, now)
    assert again is dash.no_update
