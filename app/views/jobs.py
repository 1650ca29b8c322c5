"""The Jobs page's views: the launch form's choices, the jobs table with progress bars and
actions, one job's detail with its log tail; plus the actions the page's buttons run (launch,
launch missing, cancel, retry), each one call into ``backend.services.jobs``."""

from __future__ import annotations

from dash import dcc, html

from app import ids
from app.access import ui_username
from app.natural import natural_key
from app.session import ui_session
from app.tables import model_href
from app.views import jobs_help
from backend.catalog.aliases import display_name
from backend.catalog.units import format_value
from backend.exceptions import ScaleScopeError
from backend.queries import jobs as job_queries
from backend.schemas.jobs import JobPublic
from backend.services import jobs as job_service
from backend.services import runnable_pairs
from backend.services.runnable_pairs import Runnability

REGISTER_HELP = f"#{jobs_help.ANCHOR}"

ACTIVE = ("queued", "running")
RETRYABLE = ("failed", "cancelled")


def runnability() -> Runnability:
    """Which checkpoints and benchmarks can be evaluated here, and why the others cannot."""
    with ui_session() as session:
        return runnable_pairs.runnability(session=session)


def launch_choices(found: Runnability) -> tuple[list[dict], list[dict]]:
    """Dropdown options: the runnable checkpoints and benchmarks, in natural order."""

    def options(labels: dict[int, str]) -> list[dict]:
        ordered = sorted(labels.items(), key=lambda item: natural_key(item[1]))
        return [{"label": label, "value": key} for key, label in ordered]

    return options(found.checkpoints), options(found.eval_sets)


def runnability_view(found: Runnability) -> html.Div:
    """What can run, what cannot and why, and how to fix it (the extra, or registering weights
    and datasets)."""
    parts: list = []
    if found.missing_extra:
        extra = found.missing_extra
        parts.append(
            html.P(
                [
                    "Evaluations need the ",
                    html.Strong(f"'{extra}' extra"),
                    " (torch, open_clip), which this install lacks. Install it with ",
                    html.Code(f"pip install 'scalescope[{extra}]'"),
                    " and restart, or set SCALESCOPE_BROKER_URL so that workers run the jobs.",
                ],
                className="jobs-extra-missing",
                role="alert",
            )
        )
    n_checkpoints, n_sets = len(found.checkpoints), len(found.eval_sets)
    parts.append(
        html.P(
            f"{n_checkpoints} checkpoint(s) and {n_sets} benchmark(s) can be evaluated here.",
            className="jobs-runnable-summary",
        )
    )
    if found.blocked:
        items = [
            html.Li(
                f"{b.reason} ({b.count:,}"
                + (f", e.g. {', '.join(b.examples[:3])}" if b.examples else "")
                + ")"
            )
            for b in found.blocked
        ]
        parts.append(
            html.Details(
                [
                    html.Summary("Not offered, and why"),
                    html.Ul(items, className="jobs-blocked"),
                    html.P(
                        [
                            "To evaluate your own checkpoints, give each one a weights_uri "
                            "and each benchmark a data path: ",
                            html.A("how to register weights and datasets", href=REGISTER_HELP),
                            ".",
                        ]
                    ),
                ],
                className="jobs-blocked-details",
            )
        )
    parts.append(jobs_help.register_help())
    return html.Div(parts, className="jobs-runnability")


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
        return (
            "Nothing to launch: every runnable checkpoint × benchmark is measured or already "
            "pending (see 'Not offered, and why' for the others)."
        )
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


def result_link(job: JobPublic):
    """A link to where a finished evaluation's result shows (its model page), or ''."""
    if job.status != "succeeded" or job.kind.startswith("corpus_") or not job.model_name:
        return ""
    return dcc.Link("see the result", href=model_href(job.model_name), className="job-result")


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
        return html.P(
            "No jobs yet. Pick a checkpoint and a benchmark above and press Launch "
            "(or Launch missing for every runnable pair without a result).",
            className="muted",
        )
    head = html.Thead(
        html.Tr(
            [
                html.Th(label)
                for label in ("#", "Evaluation", "Kind", "Status", "Progress", "Message", "")
            ]
        )
    )
    return html.Table([head, html.Tbody([job_row(job) for job in jobs])], className="data-table")


def job_row(job: JobPublic) -> html.Tr:
    """One job's row: target, kind, status, progress, message (and result link), actions."""
    return html.Tr(
        [
            html.Td(str(job.id)),
            html.Td(target_label(job)),
            html.Td(job.kind.replace("_", " ")),
            html.Td(job.status, className=f"job-status job-status-{job.status}"),
            html.Td(progress_bar(job)),
            html.Td(
                [job.error or job.message or "", " ", result_link(job)],
                className="job-message",
            ),
            html.Td(_actions(job), className="job-actions"),
        ],
        className=f"job-row job-{job.status}",
        id=f"job-row-{job.id}",
    )


def _metric_name(metric: str) -> str:
    """``top-1 accuracy (top1)``; the stored name alone when it has no display name."""
    shown = display_name("metric", metric)
    return metric if shown == metric else f"{shown} ({metric})"


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
        parts.append(
            html.Ul(
                [
                    html.Li(f"{_metric_name(name)}: {format_value(name, value)}")
                    for name, value in metrics.items()
                ],
                className="job-metrics",
            )
        )
    if result_link(job):
        parts.append(html.P(result_link(job)))
    parts.append(html.Pre(job.log_tail or "(no log yet)", className="job-log"))
    return html.Div(parts, className="job-detail")
