"""Upload: drop an evaluation file, preview what it would import (detected format, counts,
problems with row and column), import it, and see it in the uploads list with undo.

The file never travels through a Dash callback: ``frontend_assets/upload.js`` streams it to
``POST /api/uploads`` (a dry run for the preview, then the import, with a progress bar), so the
API's size limit and access policy apply, and puts the API's answer in a store that the
callback below shows."""

from __future__ import annotations

import dash
from dash import ALL, Input, Output, State, callback, ctx, dcc, html
from dash.exceptions import PreventUpdate

from app import ids
from app.access import can, requires_role
from app.session import ui_engine, ui_session
from app.tables import problem_rows, report_rows, upload_rows
from app.upload_files import UploadOutcome, reply_outcome, undo
from app.views import upload_undo
from backend.config import get_settings
from backend.ingest.formats import adapters
from backend.queries.uploads import count_uploads, list_uploads

PATH = "/upload"
#: Uploads the page lists, newest first (each row is a dozen components for the browser to lay
#: out; the API and ``scalescope uploads list`` list them all)
UPLOADS_SHOWN = 20
dash.register_page(__name__, path=PATH, title="Upload · ScaleScope", nav_label="Upload", order=60)

COUNT_COLUMNS = [
    ("table", "Table"),
    ("new", "New"),
    ("updated", "Updated"),
    ("unchanged", "Unchanged"),
]


def _table(rows: list[dict], columns: list[tuple[str, str]], table_id: str | None = None):
    head = html.Thead(html.Tr([html.Th(label) for _, label in columns]))
    body = html.Tbody([html.Tr([html.Td(str(row[key])) for key, _ in columns]) for row in rows])
    return html.Table([head, body], className="data-table", id=table_id or "")


def preview_view(outcome: UploadOutcome, filename: str) -> html.Div:
    """What the file would import, or why it is refused (row and column of every problem)."""
    if not outcome.ok:
        return html.Div(
            [
                html.H3(f"{filename}: refused — nothing was written", className="bad"),
                _table(
                    problem_rows(outcome.problems),
                    [("row", "Row"), ("column", "Column"), ("message", "Problem")],
                    ids.UPLOAD_PROBLEMS,
                ),
            ],
            className="upload-preview upload-preview-bad",
        )
    report = outcome.report
    return html.Div(
        [
            html.H3(f"{filename}: ready to import", className="ok"),
            html.P(
                [
                    "Detected format ",
                    html.Code(report.format, id=ids.UPLOAD_FORMAT),
                    f" · {report.records:,} records",
                ]
            ),
            _table(
                report_rows(report),
                COUNT_COLUMNS,
                ids.UPLOAD_COUNTS,
            ),
        ],
        className="upload-preview upload-preview-ok",
    )


def uploads_view() -> html.Div:
    """The newest uploads, with an undo button on every committed one (for editors) and,
    when there are more, where to find them all."""
    editor = can("editor")
    with ui_session() as session:
        rows = upload_rows(list_uploads(session, limit=UPLOADS_SHOWN))
        total = count_uploads(session)
    if not rows:
        return html.P("No uploads yet.", className="muted")
    columns = [
        ("id", "#"),
        ("created_at", "When"),
        ("filename", "File"),
        ("format", "Format"),
        ("source", "Source"),
        ("written", "Rows written"),
        ("status", "Status"),
    ]
    head = html.Thead(html.Tr([html.Th(label) for _, label in columns] + [html.Th("")]))
    body = []
    for row in rows:
        action = (
            html.Button(
                "Undo",
                id=ids.upload_undo_id(row["id"]),
                n_clicks=0,
                className="button button-small button-danger",
            )
            if row["status"] == "committed" and editor
            else ""
        )
        cells = [html.Td(str(row[key])) for key, _ in columns] + [html.Td(action)]
        body.append(html.Tr(cells, className=f"upload-row upload-{row['status']}"))
    table = html.Table([head, html.Tbody(body)], className="data-table", id=ids.UPLOADS_TABLE)
    if total <= len(rows):
        return table
    more = html.P(
        [
            f"The {len(rows)} newest of {total:,} uploads; ",
            html.Code("scalescope uploads list"),
            " or ",
            html.A("GET /api/uploads", href="/api/uploads"),
            " lists them all.",
        ],
        className="muted",
    )
    return html.Div([table, more])


def read_only_note() -> html.P:
    """Why a viewer sees no upload actions."""
    return html.P(
        [
            "Uploading and undoing need the editor role. ",
            html.A("Log in", href="/login?next=/upload"),
        ],
        className="banner",
        id=ids.UPLOAD_READ_ONLY,
    )


def layout(**_query) -> html.Div:
    """Drop zone, preview, import button, result, uploads list (actions for editors only)."""
    if not can("editor"):
        return html.Div(
            [
                html.H1("Upload results"),
                read_only_note(),
                html.H2("Uploads"),
                html.Div(uploads_view(), id=ids.UPLOAD_LIST),
            ]
        )
    formats = [html.Li([html.Code(a.name), " — ", a.description]) for a in adapters().values()]
    return html.Div(
        [
            html.H1("Upload results"),
            html.P(
                "Drop an evaluation file to see what it would import. Nothing is written until "
                "you press Import, and every upload can be undone.",
                className="lead",
            ),
            html.Details([html.Summary("Accepted formats"), html.Ul(formats)]),
            dcc.Upload(
                id=ids.UPLOAD_DROP,
                children=html.Div(["Drag and drop a file here, or ", html.A("choose one")]),
                multiple=False,
                className="dropzone",
            ),
            html.Progress(id=ids.UPLOAD_PROGRESS, max=100, value=0, hidden=True),
            html.P(
                f"Files up to {get_settings().max_upload_bytes / 2**20:,.0f} MB; they are sent "
                "to POST /api/uploads as they are read.",
                className="muted",
            ),
            dcc.Store(id=ids.UPLOAD_REPLY),
            dcc.Loading(html.Div(id=ids.UPLOAD_PREVIEW)),
            html.Div(
                [
                    html.Button(
                        "Import",
                        id=ids.UPLOAD_CONFIRM,
                        n_clicks=0,
                        disabled=True,
                        className="button",
                    ),
                    html.Span(id=ids.UPLOAD_RESULT, role="status", className="upload-result"),
                ],
                className="toolbar",
            ),
            html.H2("Uploads"),
            upload_undo.confirm_panel(),
            dcc.Store(id=ids.UPLOAD_UNDO_PENDING),
            html.Div(uploads_view(), id=ids.UPLOAD_LIST),
        ]
    )


def reply_view(reply: dict) -> tuple:
    """What the page shows for the API's answer to a streamed upload: the preview of a dry
    run (and whether Import stays disabled), or the import's result and the uploads list."""
    outcome, filename = reply_outcome(reply), str(reply.get("filename") or "upload")
    if reply.get("dry_run"):
        return preview_view(outcome, filename), not outcome.ok, "", dash.no_update
    if outcome.ok and outcome.report.unchanged:
        message = f"{filename} changes nothing (already imported); no upload was recorded."
    elif outcome.ok:
        message = f"Imported {filename} as upload {outcome.report.upload_id}."
    else:
        message = f"{filename} was refused: {outcome.problems[0]}"
    return dash.no_update, True, message, uploads_view()


@callback(
    Output(ids.UPLOAD_PREVIEW, "children"),
    Output(ids.UPLOAD_CONFIRM, "disabled"),
    Output(ids.UPLOAD_RESULT, "children"),
    Output(ids.UPLOAD_LIST, "children"),
    Input(ids.UPLOAD_REPLY, "data"),
    prevent_initial_call=True,
)
def show_reply(reply):
    """Show the API's answer to the streamed upload (the API wrote, under its own policy)."""
    if not isinstance(reply, dict):
        raise PreventUpdate
    return reply_view(reply)


@callback(
    Output(ids.UPLOAD_UNDO_ASK, "hidden"),
    Output(ids.UPLOAD_UNDO_TEXT, "children"),
    Output(ids.UPLOAD_UNDO_PENDING, "data"),
    Input({"type": ids.UPLOAD_UNDO, "upload": ALL}, "n_clicks"),
    prevent_initial_call=True,
)
def ask_undo(_clicks):
    """Ask before undoing the upload whose button was pressed, saying what it removes."""
    if not ctx.triggered_id or not ctx.triggered[0].get("value"):
        raise PreventUpdate
    return upload_undo.ask(ctx.triggered_id["upload"])


@callback(
    Output(ids.UPLOAD_UNDO_ASK, "hidden", allow_duplicate=True),
    Output(ids.UPLOAD_UNDO_PENDING, "data", allow_duplicate=True),
    Input(ids.UPLOAD_UNDO_NO, "n_clicks"),
    prevent_initial_call=True,
)
def keep_upload(_clicks):
    """Keep the upload: close the question."""
    return True, None


@callback(
    Output(ids.UPLOAD_RESULT, "children", allow_duplicate=True),
    Output(ids.UPLOAD_LIST, "children", allow_duplicate=True),
    Output(ids.UPLOAD_UNDO_ASK, "hidden", allow_duplicate=True),
    Output(ids.UPLOAD_UNDO_PENDING, "data", allow_duplicate=True),
    Input(ids.UPLOAD_UNDO_YES, "n_clicks"),
    State(ids.UPLOAD_UNDO_PENDING, "data"),
    prevent_initial_call=True,
)
@requires_role("editor")
def undo_upload(clicks, upload_id):
    """Undo the upload the user confirmed."""
    if not clicks or upload_id is None:
        raise PreventUpdate
    message = undo(engine=ui_engine(), upload_id=int(upload_id))
    return message, uploads_view(), True, None
