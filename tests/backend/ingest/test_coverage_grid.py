"""The coverage grid kept at ingest equals the coverage recomputed from the measurements, after
uploads (new, overwriting, re-uploaded), undo, eval-set merges and their undo, and a worker's
results written in its own transaction; the migration backfills it."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from backend import db
from backend.ingest.validation import Problems
from backend.ingest.writer import UploadWriter
from backend.queries.coverage import coverage_frame
from backend.schemas import records as rec
from backend.services import merges, uploads

FIRST = """model,revision,eval_set,metric,value
m1,step1,pile,loss,3.2
m1,step1,arc,acc,0.5
m1,step2,arc,acc,0.6
m2,final,arc,acc,0.3
m3,final,my-bench,acc,0.4
"""
SECOND = """model,revision,eval_set,metric,value
m1,step1,arc,acc,0.55
m1,step1,arc,acc_norm,0.52
m3,final,pile,loss,2.9
"""

THIRD = """model,revision,eval_set,metric,value
m2,step9,arc,acc,0.35
m2,step9,arc,acc_norm,0.33
m2,final,arc,acc,0.31
"""

RECOMPUTED = (
    "SELECT checkpoint_id, eval_set_id, COUNT(*), MAX(upload_id) FROM measurements "
    "GROUP BY checkpoint_id, eval_set_id"
)
GRID = "SELECT checkpoint_id, eval_set_id, n_measurements, last_upload_id FROM coverage_cells"
PAIRS_RECOMPUTED = (
    "SELECT c.model_id, m.eval_set_id, COUNT(*), COUNT(DISTINCT m.checkpoint_id) "
    "FROM measurements m JOIN checkpoints c ON c.id = m.checkpoint_id "
    "GROUP BY c.model_id, m.eval_set_id"
)
PAIRS = "SELECT model_id, eval_set_id, n_measurements, n_checkpoints FROM coverage_pairs"


def cells(engine) -> tuple[set, set]:
    """(grid, recomputed) as sets of (checkpoint, eval set, count, last upload)."""
    with engine.connect() as conn:
        return set(map(tuple, conn.execute(text(GRID)))), set(
            map(tuple, conn.execute(text(RECOMPUTED)))
        )


def pairs(engine) -> tuple[set, set]:
    """(kept, recomputed) model × eval set pairs as sets of (model, eval set, measurements,
    checkpoints)."""
    with engine.connect() as conn:
        return set(map(tuple, conn.execute(text(PAIRS)))), set(
            map(tuple, conn.execute(text(PAIRS_RECOMPUTED)))
        )


def assert_grid_right(engine, n_cells: int) -> None:
    grid, recomputed = cells(engine)
    assert grid == recomputed
    assert len(grid) == n_cells
    kept, recomputed_pairs = pairs(engine)
    assert kept == recomputed_pairs


def test_grid_follows_uploads_and_undo(engine, write):
    first = uploads.ingest_file(engine=engine, path=write("a.csv", FIRST))
    assert_grid_right(engine, 5)
    second = uploads.ingest_file(engine=engine, path=write("b.csv", SECOND))
    assert_grid_right(engine, 6)
    grid, _ = cells(engine)
    assert sorted(n for *_, n, _ in grid) == [1, 1, 1, 1, 1, 2]  # m1/step1 x arc: acc, acc_norm
    again = uploads.ingest_file(engine=engine, path=write("b.csv", SECOND))
    assert again.unchanged
    assert_grid_right(engine, 6)
    third = uploads.ingest_file(engine=engine, path=write("c.csv", THIRD))
    assert_grid_right(engine, 7)
    kept, _ = pairs(engine)
    assert sorted((n, k) for *_, n, k in kept) == [(1, 1), (1, 1), (1, 1), (3, 2), (3, 2)]
    uploads.undo_upload(engine=engine, upload_id=third.upload_id)
    assert_grid_right(engine, 6)
    uploads.undo_upload(engine=engine, upload_id=second.upload_id)
    assert_grid_right(engine, 5)
    uploads.undo_upload(engine=engine, upload_id=first.upload_id)
    assert_grid_right(engine, 0)


def test_refused_and_dry_run_uploads_leave_the_grid(engine, write):
    uploads.ingest_file(engine=engine, path=write("a.csv", FIRST))
    before = cells(engine), pairs(engine)
    uploads.ingest_file(engine=engine, path=write("b.csv", SECOND), dry_run=True)
    assert (cells(engine), pairs(engine)) == before


def test_grid_follows_merges_and_their_undo(engine, write, session):
    uploads.ingest_file(engine=engine, path=write("a.csv", FIRST))
    record = merges.merge(session=session, kind="eval_set", source="my-bench", target="arc")
    session.commit()
    assert_grid_right(engine, 5)
    grid = coverage_frame(session, eval_sets=["arc"])
    counts = dict(zip(grid["model"], grid["n_measurements"], strict=True))
    assert counts == {"m1": 2, "m2": 1, "m3": 1}
    merges.undo(session=session, merge_id=record.id)
    session.commit()
    assert_grid_right(engine, 5)


def test_worker_style_writer_in_callers_transaction(engine):
    """Results written by ``UploadWriter`` inside a transaction the caller owns (as the worker
    does) keep the grid too, and a rollback takes the grid cells with it."""
    records = [rec.MeasurementRecord("m9", "final", "arc", f"acc{i}", 0.1 * i) for i in range(3)]
    for commit in (False, True):
        with engine.connect() as conn, conn.begin() as transaction:
            upload_id = conn.execute(
                text(
                    "INSERT INTO uploads (source, format, status, counts) "
                    "VALUES ('job', 'eval_job', 'committed', '{}') RETURNING id"
                )
            ).scalar_one()
            writer = UploadWriter(conn, upload_id=upload_id, problems=Problems("job"), batch_rows=2)
            writer.add_all(records)
            writer.finish()
            if not commit:
                transaction.rollback()
        assert_grid_right(engine, 1 if commit else 0)


def test_coverage_frame_counts_checkpoints_and_measurements(engine, write, session):
    uploads.ingest_file(engine=engine, path=write("a.csv", FIRST))
    uploads.ingest_file(engine=engine, path=write("b.csv", SECOND))
    grid = coverage_frame(session, missing=True)
    row = grid[(grid["model"] == "m1") & (grid["eval_set"] == "arc")].iloc[0]
    assert (row["n_measurements"], row["n_checkpoints"]) == (3, 2)
    assert not grid[(grid["model"] == "m3") & (grid["eval_set"] == "arc")].iloc[0]["measured"]


def test_migration_backfills_the_grid(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    db.upgrade(url, "0008")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO models (id, name, attributes) VALUES (1, 'm', '{}')"))
        conn.execute(text("INSERT INTO checkpoints (id, model_id, revision) VALUES (1, 1, 'a')"))
        conn.execute(text("INSERT INTO checkpoints (id, model_id, revision) VALUES (2, 1, 'b')"))
        conn.execute(
            text(
                "INSERT INTO eval_sets (id, name, kind, attributes) "
                "VALUES (1, 'e', 'benchmark', '{}')"
            )
        )
        for i, (checkpoint, metric) in enumerate([(1, "x"), (1, "y"), (2, "x")]):
            conn.execute(
                text(
                    "INSERT INTO measurements (id, checkpoint_id, eval_set_id, metric, value) "
                    "VALUES (:i, :c, 1, :m, 0.5)"
                ),
                {"i": i + 1, "c": checkpoint, "m": metric},
            )
    db.upgrade(url)
    with engine.connect() as conn:
        assert sorted(conn.execute(text(GRID)).all()) == [(1, 1, 2, None), (2, 1, 1, None)]
        assert conn.execute(text(PAIRS)).all() == [(1, 1, 3, 2)]
    engine.dispose()


def test_a_value_the_table_refuses_is_an_ingest_error_not_a_crash(engine):
    """Dimension rows are staged by COPY into unbounded columns; the table's own limits (a
    family longer than its 100 characters) then refuse the upload with a located error."""
    import pytest

    from backend.exceptions import IngestError

    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite does not enforce VARCHAR lengths")
    records = [
        rec.ModelRecord("m-long", family="f" * 150),
        rec.MeasurementRecord("m-long", "final", "arc", "acc", 0.5),
    ]
    with pytest.raises(IngestError, match="refused"):
        uploads.ingest_records(engine=engine, records=records, format="test", source="api")
    assert cells(engine) == (set(), set())
    assert pairs(engine) == (set(), set())
