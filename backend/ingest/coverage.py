"""The coverage grid (``coverage_cells`` per checkpoint × eval set, and their sums per model ×
eval set, ``coverage_pairs``), kept in the writing transaction: an upload adds its new
measurements to both (:func:`add_changes`); undo and merges, which move or remove
measurements, recompute the cells and pairs they touched (:func:`refresh`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from sqlalchemy import Connection, Table, delete, func, insert, select

from backend.models import Checkpoint, CoverageCell, CoveragePair, Measurement, UploadOverwrite

GRID = cast(Table, CoverageCell.__table__)
PAIRS = cast(Table, CoveragePair.__table__)
_CHUNK = 5_000


def add_changes(conn: Connection, changes: str, upload_id: int) -> None:
    """Count the measurements an upload is about to write (its changes table: ``target_id``
    NULL for new rows, else the row it updates) into the grid; the upload becomes the last."""
    added = (
        "SELECT checkpoint_id, eval_set_id, "
        "SUM(CASE WHEN target_id IS NULL THEN 1 ELSE 0 END) AS added "
        f"FROM {changes} WHERE 1 = 1 GROUP BY checkpoint_id, eval_set_id"
    )
    conn.exec_driver_sql(
        "INSERT INTO coverage_cells (checkpoint_id, eval_set_id, n_measurements, last_upload_id) "
        f"SELECT checkpoint_id, eval_set_id, added, {int(upload_id)} FROM ({added}) a "
        "WHERE 1 = 1 "
        "ON CONFLICT (checkpoint_id, eval_set_id) DO UPDATE SET "
        "n_measurements = coverage_cells.n_measurements + excluded.n_measurements, "
        "last_upload_id = excluded.last_upload_id"
    )
    # Additions to the pairs (safe beside concurrent uploads): this transaction holds the
    # cells it just wrote, so a cell holding exactly what was added is newly measured.
    conn.exec_driver_sql(
        "INSERT INTO coverage_pairs (model_id, eval_set_id, n_measurements, n_checkpoints) "
        "SELECT k.model_id, a.eval_set_id, SUM(a.added), "
        "SUM(CASE WHEN cc.n_measurements = a.added THEN 1 ELSE 0 END) "
        f"FROM ({added}) a JOIN checkpoints k ON k.id = a.checkpoint_id "
        "JOIN coverage_cells cc "
        "ON cc.checkpoint_id = a.checkpoint_id AND cc.eval_set_id = a.eval_set_id "
        "WHERE a.added > 0 GROUP BY k.model_id, a.eval_set_id "
        "ON CONFLICT (model_id, eval_set_id) DO UPDATE SET "
        "n_measurements = coverage_pairs.n_measurements + excluded.n_measurements, "
        "n_checkpoints = coverage_pairs.n_checkpoints + excluded.n_checkpoints"
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
    _refresh_pairs(conn, column, ids)


def _refresh_pairs(conn: Connection, column: str | None, ids: list[int]) -> None:
    """Recompute from the cells the pairs of the models of the given checkpoints, or of the
    given eval sets (every pair when ``column`` is None)."""
    k = cast(Table, Checkpoint.__table__)
    delete_pairs = delete(PAIRS)
    source = (
        select(k.c.model_id, GRID.c.eval_set_id, func.sum(GRID.c.n_measurements), func.count())
        .join(k, k.c.id == GRID.c.checkpoint_id)
        .where(GRID.c.n_measurements > 0)
    )
    if column == "checkpoint_id":
        models = select(k.c.model_id).where(k.c.id.in_(ids)).distinct()
        delete_pairs = delete_pairs.where(PAIRS.c.model_id.in_(models))
        source = source.where(k.c.model_id.in_(models))
    elif column == "eval_set_id":
        delete_pairs = delete_pairs.where(PAIRS.c.eval_set_id.in_(ids))
        source = source.where(GRID.c.eval_set_id.in_(ids))
    conn.execute(delete_pairs)
    source = source.group_by(k.c.model_id, GRID.c.eval_set_id)
    columns = ["model_id", "eval_set_id", "n_measurements", "n_checkpoints"]
    conn.execute(insert(PAIRS).from_select(columns, source))


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
