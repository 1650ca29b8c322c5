"""The fast frame reader: columnar and row reads agree, NULLs become NaN, empty reads work,
text with NULLs or the separator in it reads the same."""

from __future__ import annotations

import numpy as np
from sqlalchemy import case, null, select

from backend.models import Checkpoint, Measurement
from backend.queries._read import read_frame
from tests.backend.queries.seed import N_MEASUREMENTS, seed


def _stmt():
    return select(
        Measurement.id.label("id"),
        Checkpoint.revision.label("revision"),
        Checkpoint.step.label("step"),
        Checkpoint.flops.label("flops"),
        Measurement.value.label("value"),
        Measurement.stderr.label("stderr"),
    ).join(Checkpoint, Checkpoint.id == Measurement.checkpoint_id)


def test_columnar_and_row_reads_agree(session):
    seed(session)
    rows = read_frame(session, _stmt()).sort_values("id").reset_index(drop=True)
    columns = read_frame(session, _stmt(), columnar=True).sort_values("id").reset_index(drop=True)
    assert len(rows) == len(columns) == N_MEASUREMENTS
    assert list(columns.columns) == ["id", "revision", "step", "flops", "value", "stderr"]
    assert rows["revision"].tolist() == columns["revision"].tolist()
    for name in ("id", "step", "flops", "value", "stderr"):
        np.testing.assert_array_equal(rows[name].astype(float), columns[name].astype(float))
    # flops are never stored, stderr only for accuracies: NULL reads as NaN.
    assert columns["flops"].isna().all()
    assert columns["stderr"].isna().sum() == 9
    assert columns["value"].dtype.kind == "f" and columns["step"].dtype.kind in "if"


def test_empty_reads(session):
    for columnar in (False, True):
        frame = read_frame(session, _stmt().where(Measurement.value > 1e9), columnar=columnar)
        assert frame.empty
        assert list(frame.columns) == ["id", "revision", "step", "flops", "value", "stderr"]


def test_text_with_null_or_separator_reads_the_same(session):
    """A text column is joined into one string on Postgres; NULLs and values holding the
    separator take the array read instead and come back unchanged."""
    seed(session)
    checkpoint = session.scalars(select(Checkpoint).order_by(Checkpoint.id)).first()
    checkpoint.revision = "a\x1fb"  # the separator inside a value
    session.flush()
    note = case((Measurement.stderr.is_(None), null()), else_=Checkpoint.revision).label("note")
    for stmt in (_stmt(), _stmt().add_columns(note)):
        rows = read_frame(session, stmt).sort_values("id").reset_index(drop=True)
        columns = read_frame(session, stmt, columnar=True).sort_values("id").reset_index(drop=True)
        assert rows["revision"].tolist() == columns["revision"].tolist()
        assert "a\x1fb" in columns["revision"].tolist()
    assert columns["note"].isna().sum() == 9
    assert rows["note"].tolist() == columns["note"].tolist()


def test_sqlite_cursor_read_is_what_sqlalchemy_reads(session, monkeypatch):
    """On SQLite the rows come from the sqlite3 cursor itself; with a filter (an IN list
    too) they equal SQLAlchemy's, and a column SQLAlchemy converts (a date) goes through it."""
    from backend.models import Upload
    from backend.queries import _read

    seed(session)
    if session.get_bind().dialect.name != "sqlite":
        return
    stmt = _stmt().where(Checkpoint.step.in_([100, 300]), Measurement.value > 0.05)
    assert _read._sqlite_rows(session.connection(), stmt) is not None
    fast = read_frame(session, stmt)
    monkeypatch.setattr(_read, "_sqlite_rows", lambda connection, stmt: None)
    slow = read_frame(session, stmt)
    assert len(fast) > 0
    assert fast.equals(slow)
    monkeypatch.undo()
    dated = select(Upload.id.label("id"), Upload.created_at.label("at"))
    assert _read._sqlite_rows(session.connection(), dated) is None
