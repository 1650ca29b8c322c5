"""Live updates of the Jobs page that patch instead of redraw: each tick compares what the
table shows (job ids and a signature per row) with the database and sends only the rows that
changed (``dash.Patch``), so a click on a button of another row is never lost to a redraw."""

from __future__ import annotations

import dash
from dash import Patch

from app.views import jobs as views
from backend.schemas.jobs import JobPublic

ROWS_PATH = ("props", "children", 1, "props", "children")  # Table -> Tbody -> rows


def row_signature(job: JobPublic) -> str:
    """What a row shows; equal signatures mean the row need not be sent again."""
    return "|".join(
        str(part)
        for part in (
            job.status,
            round(job.progress * 100),
            job.message,
            job.error,
            job.cancel_requested,
            job.model_name,
            job.eval_set_name,
        )
    )


def shown_state(jobs: list[JobPublic]) -> dict:
    """What the table shows now: job ids in order, and each row's signature."""
    return {"ids": [job.id for job in jobs], "rows": [row_signature(job) for job in jobs]}


def table_update(jobs: list[JobPublic], shown: dict | None):
    """The jobs table's new children (a whole table when the list of jobs changed, a Patch of
    the changed rows otherwise, ``no_update`` when nothing changed) and the new shown state."""
    now = shown_state(jobs)
    if not shown or shown.get("ids") != now["ids"] or not jobs:
        if shown == now:
            return dash.no_update, now
        return views.jobs_table(jobs), now
    changed = [i for i, sig in enumerate(now["rows"]) if shown["rows"][i] != sig]
    if not changed:
        return dash.no_update, now
    patch = Patch()
    rows = patch
    for step in ROWS_PATH:
        rows = rows[step]
    for index in changed:
        rows[index] = views.job_row(jobs[index])
    return patch, now


def counts_update(counts: dict[str, int], shown: dict | None):
    """The status badges, or ``no_update`` when the counts are unchanged."""
    if shown == counts:
        return dash.no_update, counts
    return views.counts_view(counts), counts


def detail_update(job: JobPublic | None, shown: str | None):
    """The followed job's detail, or ``no_update`` when it is unchanged."""
    signature = job.model_dump_json() if job is not None else ""
    if shown == signature:
        return dash.no_update, signature
    return views.detail_view(job), signature


def refresh(*, selected: int | None, shown: dict):
    """One tick: (table, counts, detail, new shown state), each unchanged part ``no_update``."""
    jobs, counts = views.recent_jobs()
    table, table_shown = table_update(jobs, shown.get("table"))
    badges, counts_shown = counts_update(counts, shown.get("counts"))
    detail, detail_shown = detail_update(views.job_detail(selected), shown.get("detail"))
    now = {"table": table_shown, "counts": counts_shown, "detail": detail_shown}
    return table, badges, detail, (dash.no_update if now == shown else now)
