"""The Jobs page's views: the launch form's choices, the jobs table with progress bars and
actions, one job's detail with its log tail; plus the actions the page's buttons run (launch,
launch missing, cancel, retry), each one call into ``backend.services.jobs``."""

from __future__ import annotations

from dash import html

from app import ids
from app.access import ui_username
from app.session import ui_session
from backend.exceptions import ScaleScopeError
from backend.queries import jobs as job_queries
from backend.schemas.jobs import JobPublic
from backend.services import jobs as job_service

ACTIVE = ("queued", "running")
RETRYABLE = ("failed", "cancelled")


def launch_choices() -> tuple[list[dict], list[dict]]:
    """Dropdown options: every checkpoint, and every eval set that names its data."""
    with ui_session() as session:
        return (
            job_queries.checkpoint_options(session=session),
            job_queries.eval_set_options(session=session),
        )


def _options(batch_size) -> dict:
    return {"batch_size": int(batch_size)} if batch_size else {}


def launch(*, checkpoint_ids, eval_set_ids, batch_size=None, missing_only=False) -> str:
    """Queue the picked checkpoints × eval sets (only the coverage grid's holes when
    ``missing_only``); a one-line account of what happened."""
    try:
        with ui_session() as session:
            if missing_only:
                submitted = job_service.submit_missing(
                    session=session,
                    checkpoint_ids=checkpoint_ids or None,
                    eval_set_ids=eval_set_ids or None,
                    options=_options(batch_size),
                    created_by=ui_username(),
                )
            else:
                submitted = job_service.submit(
                    session=session,
                    checkpoint_ids=checkpoint_ids or [],
                    eval_set_ids=eval_set_ids or [],
                    options=_options(batch_size),
                    created_by=ui_username(),
                )
    except ScaleScopeError as exc:
        return f"Not launched: {exc}"
    created = sum(s.created for s in submitted)
    if not submitted:
        return "Nothing is missing: every pair is measured or already pending."
    pending = len(submitted) - created
    return f"Queued {created} job(s)" + (f"; {pending} already pending" if pending else "") + "."


def act(*, job_id: int, action: str) -> str:
    """Cancel or retry one job; a one-line account."""
    try:
        with ui_session() as session:
            if action == "cancel":
                job = job_service.cancel(session=session, job_id=job_id)
                return f"Job {job_id}: " + (
                    "cancelled." if job.status == "cancelled" else "asked to stop."
                )
            if action == "retry":
                job_service.retry(session=session, job_id=job_id)
                return f"Job {job_id} queued again."
    except ScaleScopeError as exc:
        return f"Job {job_id}: {exc}"
    raise ValueError(f"unknown job action {action!r}")


def recent_jobs(limit: int = 100) -> tuple[list[JobPublic], dict[str, int]]:
    """The newest jobs and the counts per status."""
    with ui_session() as session:
        return (
            job_queries.job_list(session=session, limit=limit),
            job_service.count_by_status(session=session),
        )


def job_detail(job_id: int | None) -> JobPublic | None:
    """One job, or None (none picked, or it is gone)."""
    if job_id is None:
        return None
    try:
        with ui_session() as session:
            return job_queries.job_detail(session=session, job_id=job_id)
    except ScaleScopeError:
        return None


def target_label(job: JobPublic) -> str:
    """``model @ revision → eval set``; for corpus jobs ``corpus: what``."""
    spec = job.spec or {}
    if job.kind.startswith("corpus_") and spec.get("corpus"):
        if job.kind.endswith("similarity"):
            return f"{spec['eval_set']} vs corpus {spec['corpus']}"
        return f"concept counts of corpus {spec['corpus']}"
    return f"{job.model_name or '?'} @ {job.revision or '?'} → {job.eval_set_name or '?'}"


def progress_bar(job: JobPublic) -> html.Div:
    """A progress bar with the percentage."""
    percent = round(job.progress * 100)
    return html.Div(
        [
            html.Progress(value=str(percent), max="100", className=f"job-progress {job.status}"),
            html.Span(f"{percent}%", className="job-percent"),
        ],
        className="job-progress-cell",
    )


def _button(job: JobPublic, action: str, label: str, danger: bool = False) -> html.Button:
    return html.Button(
        label,
        id=ids.jobs_action_id(job.id, action),
        n_clicks=0,
        className="button button-small" + (" button-danger" if danger else ""),
    )


def _actions(job: JobPublic) -> list:
    buttons = [_button(job, "show", "Log")]
    if job.status in ACTIVE and not job.cancel_requested:
        buttons.append(_button(job, "cancel", "Cancel", danger=True))
    if job.status in RETRYABLE:
        buttons.append(_button(job, "retry", "Retry"))
    return buttons


def counts_view(counts: dict[str, int]) -> html.Div:
    """One badge per status with its count."""
    return html.Div(
        [
            html.Span(f"{status} {n}", className=f"job-count job-status-{status}")
            for status, n in counts.items()
        ],
        className="job-counts",
    )


def jobs_table(jobs: list[JobPublic]) -> html.Table | html.P:
    """The jobs, newest first: target, status, progress, message or error, actions."""
    if not jobs:
        return html.P("No jobs yet. Pick checkpoints and benchmarks above.", className="muted")
    head = html.Thead(
        html.Tr(
            [
                html.Th(label)
                for label in ("#", "Evaluation", "Kind", "Status", "Progress", "Message", "")
            ]
        )
    )
    rows = [
        html.Tr(
            [
                html.Td(str(job.id)),
                html.Td(target_label(job)),
                html.Td(job.kind.replace("_", " ")),
                html.Td(job.status, className=f"job-status job-status-{job.status}"),
                html.Td(progress_bar(job)),
                html.Td(job.error or job.message or "", className="job-message"),
                html.Td(_actions(job), className="job-actions"),
            ],
            className=f"job-row job-{job.status}",
            id=f"job-row-{job.id}",
        )
        for job in jobs
    ]
    return html.Table([head, html.Tbody(rows)], className="data-table")


def detail_view(job: JobPublic | None) -> html.Div:
    """A job's status, error, result metrics and log tail."""
    if job is None:
        return html.Div(html.P("Pick a job's Log to follow it here.", className="muted"))
    parts = [
        html.H3(f"Job {job.id}: {target_label(job)}"),
        html.P(
            f"{job.status} · attempt {job.attempts} · {job.worker or 'no worker yet'}",
            className="job-detail-status",
        ),
    ]
    if job.error:
        parts.append(html.Pre(job.error, className="job-error"))
    metrics = (job.result or {}).get("metrics") or {}
    if metrics:
        parts.append(html.Ul([html.Li(f"{name}: {value:.4g}") for name, value in metrics.items()]))
    parts.append(html.Pre(job.log_tail or "(no log yet)", className="job-log"))
    return html.Div(parts, className="job-detail")
