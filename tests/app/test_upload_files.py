"""The upload page's bridge to the ingest service on SQLite and Postgres: a dropped file is
previewed without writing, imported as one upload, refused with row and column, undone."""

from __future__ import annotations

import base64

from sqlalchemy import func, select

from app.upload_files import import_upload, preview_upload, undo
from backend.models import Measurement, Upload

GOOD = (
    "model,revision,eval_set,metric,value,step\n"
    "pythia-70m,step1000,piqa,acc,0.59,1000\n"
    "pythia-70m,step143000,piqa,acc,0.60,143000\n"
)
BAD = (
    "model,revision,eval_set,metric,value\npythia-70m,final,piqa,acc,0.6\npythia-70m,x,piqa,acc,?\n"
)


def _data_url(text: str) -> str:
    return "data:text/csv;base64," + base64.b64encode(text.encode()).decode()


def _count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def test_preview_counts_and_writes_nothing(engine):
    outcome = preview_upload(engine=engine, contents=_data_url(GOOD), filename="evals.csv")
    assert outcome.ok
    assert outcome.report.format == "long_csv"
    assert outcome.report.counts["measurements"].new == 2
    assert _count(engine, Upload) == 0 and _count(engine, Measurement) == 0


def test_import_then_undo(engine):
    outcome = import_upload(engine=engine, contents=_data_url(GOOD), filename="../../evals.csv")
    assert outcome.ok and outcome.report.upload_id is not None
    assert _count(engine, Measurement) == 2
    with engine.connect() as conn:
        assert conn.execute(select(Upload.filename, Upload.source)).one() == ("evals.csv", "web")
    message = undo(engine=engine, upload_id=outcome.report.upload_id)
    assert "undone" in message and _count(engine, Measurement) == 0
    assert "Could not undo" in undo(engine=engine, upload_id=outcome.report.upload_id)


def test_bad_file_reports_row_and_column_and_writes_nothing(engine):
    outcome = import_upload(engine=engine, contents=_data_url(BAD), filename="bad.csv")
    assert not outcome.ok
    (problem,) = outcome.problems
    assert (problem.row, problem.column) == (3, "value")
    assert _count(engine, Upload) == 0 and _count(engine, Measurement) == 0


def test_contents_that_are_not_base64_are_refused(engine):
    outcome = preview_upload(engine=engine, contents="data:text/csv;base64,@@@", filename="x.csv")
    assert not outcome.ok and "base64" in outcome.problems[0].message
