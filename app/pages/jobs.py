"""Jobs: launch evaluations of checkpoints on benchmarks (or every hole of the coverage grid),
watch them run live, read their log, cancel or retry them."""

from __future__ import annotations

import dash
from dash import ALL, Input, Output, State, callback, ctx, dcc, html
from dash.exceptions import PreventUpdate

from app import ids
from app.access import requires_role
from app.views import jobs as views
from app.views import jobs_live

PATH = "/jobs"
REFRESH_MS = 2000
dash.register_page(__name__, path=PATH, title="Jobs · ScaleScope", nav_label="Jobs", order=65)


def layout(**_query) -> html.Div:
    """Launch form (runnable pairs only, and why the others are not offered), live jobs
    table, the followed job's log."""
    found = views.runnability()
    checkpoints, eval_sets = views.launch_choices(found)
    jobs, counts = views.recent_jobs()
    form = html.Div(
        [
            html.Label("Checkpoints", htmlFor=ids.JOBS_CHECKPOINTS),
            dcc.Dropdown(
                id=ids.JOBS_CHECKPOINTS,
                options=checkpoints,
                multi=True,
                placeholder="pick checkpoints (only those with weights are listed)",
            ),
            html.Label("Benchmarks", htmlFor=ids.JOBS_EVAL_SETS),
            dcc.Dropdown(
                id=ids.JOBS_EVAL_SETS,
                options=eval_sets,
                multi=True,
                placeholder="pick benchmarks (only those with data here are listed)",
            ),
            html.Label("Batch size", htmlFor=ids.JOBS_BATCH_SIZE),
            dcc.Input(id=ids.JOBS_BATCH_SIZE, type="number", min=1, step=1, placeholder="64"),
            html.Div(
                [
                    html.Button("Launch", id=ids.JOBS_LAUNCH, n_clicks=0, className="button"),
                    html.Button(
                        "Launch missing",
                        id=ids.JOBS_LAUNCH_MISSING,
                        n_clicks=0,
                        className="button button-secondary",
                        title="every picked (or any) runnable checkpoint × benchmark without a "
                        "result",
                    ),
                    html.Span(id=ids.JOBS_MESSAGE, role="status"),
                ],
                className="toolbar",
            ),
        ],
        className="jobs-form",
    )
    return html.Div(
        [
            html.H1("Evaluation jobs"),
            html.P(
                "Launch zero-shot or contrastive-loss evaluations on the workers; results land "
                "as measurements in the explorers.",
                className="lead",
            ),
            html.Div(views.runnability_view(found), id=ids.JOBS_RUNNABLE),
            form,
            html.H2("Jobs"),
            html.Div(views.counts_view(counts), id=ids.JOBS_COUNTS),
            html.Div(views.jobs_table(jobs), id=ids.JOBS_TABLE),
            html.H2("Log"),
            html.Div(views.detail_view(None), id=ids.JOBS_DETAIL),
            dcc.Store(id=ids.JOBS_SELECTED),
            dcc.Store(id=ids.JOBS_REFRESH, data=0),
            dcc.Store(
                id=ids.JOBS_SHOWN,
                data={"table": jobs_live.shown_state(jobs), "counts": counts, "detail": ""},
            ),
            dcc.Interval(id=ids.JOBS_TICK, interval=REFRESH_MS),
        ]
    )


@callback(
    Output(ids.JOBS_MESSAGE, "children"),
    Output(ids.JOBS_REFRESH, "data"),
    Input(ids.JOBS_LAUNCH, "n_clicks"),
    Input(ids.JOBS_LAUNCH_MISSING, "n_clicks"),
    State(ids.JOBS_CHECKPOINTS, "value"),
    State(ids.JOBS_EVAL_SETS, "value"),
    State(ids.JOBS_BATCH_SIZE, "value"),
    State(ids.JOBS_REFRESH, "data"),
    prevent_initial_call=True,
)
@requires_role("editor")
def launch(_launch, _missing, checkpoint_ids, eval_set_ids, batch_size, refresh):
    """Queue the picked pairs (or the missing ones)."""
    message = views.launch(
        checkpoint_ids=checkpoint_ids,
        eval_set_ids=eval_set_ids,
        batch_size=batch_size,
        missing_only=ctx.triggered_id == ids.JOBS_LAUNCH_MISSING,
    )
    return message, (refresh or 0) + 1


@callback(
    Output(ids.JOBS_MESSAGE, "children", allow_duplicate=True),
    Output(ids.JOBS_REFRESH, "data", allow_duplicate=True),
    Output(ids.JOBS_SELECTED, "data"),
    Input({"type": ids.JOBS_ACTION, "job": ALL, "action": ALL}, "n_clicks"),
    State(ids.JOBS_REFRESH, "data"),
    State(ids.JOBS_SELECTED, "data"),
    prevent_initial_call=True,
)
@requires_role("editor", writes=lambda: _action_writes())
def job_action(_clicks, refresh, selected):
    """Show a job's log, cancel it or retry it."""
    if not ctx.triggered_id or not ctx.triggered[0].get("value"):
        raise PreventUpdate
    job_id, action = ctx.triggered_id["job"], ctx.triggered_id["action"]
    if action == "show":
        return dash.no_update, dash.no_update, job_id
    return views.act(job_id=job_id, action=action), (refresh or 0) + 1, selected or job_id


def _action_writes() -> bool:
    """Whether the pressed jobs-table button changes a job (cancel, retry; not "Log")."""
    trigger = ctx.triggered_id
    return not (isinstance(trigger, dict) and trigger.get("action") == "show")


@callback(
    Output(ids.JOBS_TABLE, "children"),
    Output(ids.JOBS_COUNTS, "children"),
    Output(ids.JOBS_DETAIL, "children"),
    Output(ids.JOBS_SHOWN, "data"),
    Input(ids.JOBS_TICK, "n_intervals"),
    Input(ids.JOBS_REFRESH, "data"),
    Input(ids.JOBS_SELECTED, "data"),
    State(ids.JOBS_SHOWN, "data"),
)
def refresh_jobs(_tick, _refresh, selected, shown):
    """Live progress: patch the rows, counts and followed job that changed."""
    return jobs_live.refresh(selected=selected, shown=shown or {})
