"""Undo in two steps: the Undo button of an upload asks first, saying what undoing removes
(the rows the upload added, per table, and how many rows it changed get their earlier values
back); only "Yes, undo" writes."""

from __future__ import annotations

from dash import html

from app import ids
from app.session import ui_session
from backend.exceptions import NotFoundError
from backend.queries.uploads import get_upload
from backend.schemas.uploads import UploadPublic

# Table names as a reader says them, in the order they matter to one.
TABLE_NAMES = {
    "measurements": "measurements",
    "models": "models",
    "checkpoints": "checkpoints",
    "eval_sets": "eval sets",
    "corpora": "corpora",
    "concept_frequencies": "concept counts",
    "concept_pair_frequencies": "concept-pair counts",
    "concept_scores": "per-concept scores",
    "train_test_similarities": "similarity rows",
}


def _count(counts: dict, key: str) -> int:
    return int(counts.get(key, 0)) if isinstance(counts, dict) else 0


def undo_question(upload: UploadPublic) -> str:
    """``Undo upload 3 (results.csv)? It removes 120 measurements, 4 checkpoints and 1 model
    that it added; 2 rows it changed get their earlier values back.``"""
    counts = upload.counts or {}
    order = [t for t in TABLE_NAMES if t in counts] + [t for t in counts if t not in TABLE_NAMES]
    added = [
        f"{_count(counts[t], 'new'):,} {TABLE_NAMES.get(t, t.replace('_', ' '))}"
        for t in order
        if _count(counts[t], "new")
    ]
    changed = sum(_count(c, "updated") for c in counts.values())
    what = f"upload {upload.id}" + (f" ({upload.filename})" if upload.filename else "")
    removes = ("It removes " + _join(added) + " that it added" if added else "It added no rows") + (
        f"; {changed:,} rows it changed get their earlier values back." if changed else "."
    )
    return f"Undo {what}? {removes}"


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def ask(upload_id: int) -> tuple[bool, str, int | None]:
    """The confirmation panel's state for ``upload_id``: (hidden, question, pending id)."""
    try:
        with ui_session() as session:
            upload = get_upload(session, upload_id=upload_id)
    except NotFoundError:
        return True, "", None
    if upload.status != "committed":
        return True, "", None
    return False, undo_question(upload), upload.id


def confirm_panel() -> html.Div:
    """The hidden panel that asks before undoing (text and pending id set by ``ask``)."""
    return html.Div(
        [
            html.P(id=ids.UPLOAD_UNDO_TEXT),
            html.Div(
                [
                    html.Button(
                        "Yes, undo it",
                        id=ids.UPLOAD_UNDO_YES,
                        n_clicks=0,
                        className="button button-danger",
                    ),
                    html.Button(
                        "Keep it",
                        id=ids.UPLOAD_UNDO_NO,
                        n_clicks=0,
                        className="button button-secondary",
                    ),
                ],
                className="toolbar",
            ),
        ],
        id=ids.UPLOAD_UNDO_ASK,
        hidden=True,
        role="alertdialog",
        className="confirm-panel",
    )
