"""Undo one upload: restore the values it overwrote, delete the rows it created.

Rows an upload overwrote are restored from ``upload_overwrites``; rows it created (and that no
later upload took over) are deleted; models, checkpoints, eval sets and corpora it created are
deleted once nothing refers to them any more. An upload whose rows a later, still committed
upload overwrote cannot be undone before that later one (its values live in that upload's
history).
"""

from __future__ import annotations

from sqlalchemy import Connection, delete, select, update

from backend import models
from backend.exceptions import ConflictError
from backend.ingest import coverage
from backend.ingest.dimensions import DIMENSIONS
from backend.ingest.staging import FACTS

_CHUNK = 5_000

# Dimension rows an undone upload created are deleted when none of these refer to them.
_REFERENCES = {
    "checkpoints": (("measurements", "checkpoint_id"), ("concept_scores", "checkpoint_id")),
    "models": (("checkpoints", "model_id"),),
    "eval_sets": (("measurements", "eval_set_id"), ("concept_scores", "eval_set_id")),
    "corpora": (("concept_frequencies", "corpus_id"), ("concept_pair_frequencies", "corpus_id")),
}


def blocking_uploads(conn: Connection, upload_id: int) -> list[int]:
    """Later uploads that overwrote rows of ``upload_id`` (undo those first)."""
    ov = models.UploadOverwrite.__table__
    query = (
        select(ov.c.upload_id)
        .where(ov.c.previous_upload_id == upload_id, ov.c.upload_id != upload_id)
        .distinct()
        .order_by(ov.c.upload_id)
    )
    return list(conn.execute(query).scalars())


def undo_rows(conn: Connection, upload_id: int) -> dict[str, dict[str, int]]:
    """Restore or delete every row of ``upload_id``; returns restored/deleted counts per table."""
    blockers = blocking_uploads(conn, upload_id)
    if blockers:
        shown = ", ".join(str(b) for b in blockers)
        raise ConflictError(
            f"upload {upload_id} cannot be undone: later upload(s) {shown} changed its rows; "
            "undo those first"
        )
    counts: dict[str, dict[str, int]] = {}
    checkpoints = coverage.touched_checkpoints(conn, upload_id)
    for spec in FACTS:
        table = models.Base.metadata.tables[spec.table]
        restored = _restore(conn, upload_id, table)
        deleted = conn.execute(delete(table).where(table.c.upload_id == upload_id)).rowcount
        if restored or deleted:
            counts[spec.table] = {"restored": restored, "deleted": deleted}
    coverage.refresh(conn, checkpoint_ids=checkpoints)
    for spec in reversed(DIMENSIONS):
        table = spec.table
        restored = _restore(conn, upload_id, table)
        if restored:
            counts.setdefault(table.name, {"restored": 0, "deleted": 0})["restored"] = restored
    for name in ("checkpoints", "models", "eval_sets", "corpora"):
        deleted = _delete_orphans(conn, upload_id, name)
        if deleted:
            counts.setdefault(name, {"restored": 0, "deleted": 0})["deleted"] = deleted
    ov = models.UploadOverwrite.__table__
    conn.execute(delete(ov).where(ov.c.upload_id == upload_id))
    return counts


def _restore(conn: Connection, upload_id: int, table) -> int:
    """Put back the values ``upload_id`` overwrote in ``table``."""
    ov = models.UploadOverwrite.__table__
    query = (
        select(ov.c.row_id, ov.c.previous)
        .where(ov.c.upload_id == upload_id, ov.c.table_name == table.name)
        .order_by(ov.c.id)
    )
    restored = 0
    batch: dict[tuple, list[dict]] = {}
    for row_id, previous in conn.execute(query):
        params = dict(previous)
        columns = tuple(sorted(params))
        params["_row_id"] = row_id
        batch.setdefault(columns, []).append(params)
        restored += 1
        if sum(len(v) for v in batch.values()) >= _CHUNK:
            _apply(conn, table, batch)
            batch = {}
    _apply(conn, table, batch)
    return restored


def _apply(conn: Connection, table, batch: dict[tuple, list[dict]]) -> None:
    from sqlalchemy import bindparam

    for columns, rows in batch.items():
        statement = (
            update(table)
            .where(table.c.id == bindparam("_row_id"))
            .values({c: bindparam(c) for c in columns})
        )
        conn.execute(statement, rows)


def _delete_orphans(conn: Connection, upload_id: int, name: str) -> int:
    tables = models.Base.metadata.tables
    table = tables[name]
    uploads = models.Upload.__table__
    undone = select(uploads.c.id).where(uploads.c.status == "undone")
    # Rows this upload created, and rows of uploads undone earlier that a later upload was
    # still using then (they are orphans now).
    statement = delete(table).where(
        (table.c.upload_id == upload_id) | table.c.upload_id.in_(undone)
    )
    for ref_name, column in _REFERENCES[name]:
        ref = tables[ref_name]
        statement = statement.where(~select(ref.c.id).where(ref.c[column] == table.c.id).exists())
    return conn.execute(statement).rowcount
