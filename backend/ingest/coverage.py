"""The coverage grid (``coverage_cells``), kept in the writing transaction: an upload adds its
new measurements to it (:func:`add_changes`); undo and merges, which move or remove
measurements, recompute the cells they touched (:func:`refresh`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from sqlalchemy import Connection, Table, delete, func, insert, select

from backend.models import CoverageCell, Measurement, UploadOverwrite

GRID = cast(Table, CoverageCell.__table__)
_CHUNK = 5_000


def add_changes(conn: Connection, changes: str, upload_id: int) -> None:
    """Count the measurements an upload is about to write (its changes table: ``target_id``
    NULL for new rows, else the row it updates) into the grid; the upload becomes the last."""
    conn.exec_driver_sql(
        "INSERT INTO coverage_cells (checkpoint_id, eval_set_id, n_measurements, last_upload_id) "
        "SELECT checkpoint_id, eval_set_id, "
        f"SUM(CASE WHEN target_id IS NULL THEN 1 ELSE 0 END), {int(upload_id)} "
        f"FROM {changes} WHERE 1 = 1 GROUP BY checkpoint_id, eval_set_id "
        "ON CONFLICT (checkpoint_id, eval_set_id) DO UPDATE SET "
        "n_measurements = coverage_cells.n_measurements + excluded.n_measurements, "
        "last_upload_id = excluded.last_upload_id"
    )


def refresh(
    conn: Connection,
    *,
    checkpoint_ids: Iterable[int] | None = None,
    eval_set_ids: Iterable[int] | None = None,
) -> None:
    """Recompute the cells of the given checkpoints, or of the given eval sets, from the
    measurements (every cell when neither is given)."""
    if checkpoint_ids is not None:
        _refresh_chunks(conn, "checkpoint_id", sorted(set(checkpoint_ids)))
    elif eval_set_ids is not None:
        _refresh_chunks(conn, "eval_set_id", sorted(set(eval_set_ids)))
    else:
        _refresh_where(conn, None, [])


def _refresh_chunks(conn: Connection, column: str, ids: list[int]) -> None:
    for start in range(0, len(ids), _CHUNK):
        _refresh_where(conn, column, ids[start : start + _CHUNK])


def _refresh_where(conn: Connection, column: str | None, ids: list[int]) -> None:
    m = cast(Table, Measurement.__table__)
    delete_cells = delete(GRID)
    source = select(m.c.checkpoint_id, m.c.eval_set_id, func.count(), func.max(m.c.upload_id))
    if column is not None:
        delete_cells = delete_cells.where(GRID.c[column].in_(ids))
        source = source.where(m.c[column].in_(ids))
    conn.execute(delete_cells)
    source = source.group_by(m.c.checkpoint_id, m.c.eval_set_id)
    columns = ["checkpoint_id", "eval_set_id", "n_measurements", "last_upload_id"]
    conn.execute(insert(GRID).from_select(columns, source))


def touched_checkpoints(conn: Connection, upload_id: int) -> set[int]:
    """Checkpoints whose measurements ``upload_id`` wrote or overwrote (undo refreshes them)."""
    m = cast(Table, Measurement.__table__)
    ov = cast(Table, UploadOverwrite.__table__)
    written = select(m.c.checkpoint_id).where(m.c.upload_id == upload_id)
    overwritten = select(m.c.checkpoint_id).where(
        m.c.id.in_(
            select(ov.c.row_id).where(
                ov.c.upload_id == upload_id, ov.c.table_name == "measurements"
            )
        )
    )
    return set(conn.execute(written.union(overwritten)).scalars())
