"""The write path: counts, idempotent re-upload, dry run, undo with restore, provenance."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from backend import db
from backend.exceptions import ConflictError, NotFoundError
from backend.schemas import records as rec
from backend.services import uploads
from tests.backend.ingest.conftest import count, snapshot

LONG = """model,revision,eval_set,metric,value,stderr,unit,step,n_params
m1,step1,pile,loss,3.2,,,1,1e6
m1,step1,arc,acc,55.5,1.2,percent,1,1e6
m2,,arc,acc,0.3,,,,
"""


def _values(engine):
    with engine.connect() as conn:
        return dict(
            conn.execute(
                text(
                    "SELECT mo.name || '/' || c.revision || '/' || e.name || '/' || m.metric, "
                    "m.value FROM measurements m JOIN checkpoints c ON c.id = m.checkpoint_id "
                    "JOIN models mo ON mo.id = c.model_id JOIN eval_sets e ON e.id = m.eval_set_id"
                )
            ).all()
        )


def test_upload_counts_units_and_idempotent_reupload(engine, write):
    path = write("long.csv", LONG)
    first = uploads.ingest_file(engine=engine, path=path, source="cli", created_by="ada")
    assert first.format == "long_csv"
    assert first.counts["measurements"].new == 3
    assert first.counts["models"].new == 2
    values = _values(engine)
    assert values["m1/step1/arc/acc"] == pytest.approx(0.555)  # percent -> fraction
    assert values["m2/final/arc/acc"] == pytest.approx(0.3)  # blank revision -> final
    before = snapshot(engine)
    again = uploads.ingest_file(engine=engine, path=path)
    assert again.counts["measurements"].unchanged == 3
    assert sum(c.new + c.updated for c in again.counts.values()) == 0
    # The same file again changes nothing, not even the list of uploads (issue 13).
    assert again.unchanged and again.upload_id is None
    assert snapshot(engine) == before
    with db.session_scope(engine) as session:
        listed = uploads.list_uploads(session=session, limit=10, offset=0)
        assert [u.id for u in listed] == [first.upload_id]
        assert listed[0].created_by == "ada" and listed[0].source == "cli"
        assert listed[0].counts["measurements"]["new"] == 3


def test_dry_run_writes_nothing(engine, write):
    before = snapshot(engine)
    report = uploads.ingest_file(engine=engine, path=write("long.csv", LONG), dry_run=True)
    assert report.upload_id is None and report.counts["measurements"].new == 3
    assert snapshot(engine) == before


def test_undo_restores_overwritten_values_then_deletes(engine, write):
    first = uploads.ingest_file(engine=engine, path=write("a.csv", LONG))
    second = uploads.ingest_file(
        engine=engine, path=write("b.csv", LONG.replace("3.2", "3.1").replace("1e6", "2e6"))
    )
    assert second.counts["measurements"].updated == 1
    assert second.counts["models"].updated == 1
    assert _values(engine)["m1/step1/pile/loss"] == 3.1
    with pytest.raises(ConflictError, match=f"later upload.*{second.upload_id}"):
        uploads.undo_upload(engine=engine, upload_id=first.upload_id)
    undone = uploads.undo_upload(engine=engine, upload_id=second.upload_id)
    assert undone["measurements"] == {"restored": 1, "deleted": 0}
    assert _values(engine)["m1/step1/pile/loss"] == 3.2
    with engine.connect() as conn:
        assert conn.execute(text("SELECT n_params FROM models WHERE name='m1'")).scalar() == 1e6
    with pytest.raises(ConflictError, match="already been undone"):
        uploads.undo_upload(engine=engine, upload_id=second.upload_id)
    uploads.undo_upload(engine=engine, upload_id=first.upload_id)
    for table in ("measurements", "checkpoints", "models", "eval_sets", "upload_overwrites"):
        assert count(engine, table) == 0
    with pytest.raises(NotFoundError):
        uploads.undo_upload(engine=engine, upload_id=9999)


def test_ingest_records_from_a_job_keeps_rows_shared_with_other_uploads(engine, write):
    uploads.ingest_file(engine=engine, path=write("a.csv", LONG))
    job_records = [
        rec.MeasurementRecord("m1", "step1", "cifar10", "acc", 0.9, n=10_000, unit="fraction"),
        rec.ConceptFrequencyRecord("laion400m", "lemmatized", "dog", 120),
        rec.concept_pair(
            corpus="laion400m", method="lemmatized", first="dog", second="cat", count=7
        ),
    ]
    report = uploads.ingest_records(engine=engine, records=job_records, format="eval_job")
    assert report.counts["measurements"].new == 1
    assert report.counts["checkpoints"].unchanged == 1
    assert report.counts["concept_pair_frequencies"].new == 1
    uploads.undo_upload(engine=engine, upload_id=report.upload_id)
    assert count(engine, "measurements") == 3 and count(engine, "checkpoints") == 2
    assert count(engine, "corpora") == 0


def test_concurrent_jobs_creating_the_same_eval_set(engine):
    """Two evaluation jobs finishing together both create eval set 'new-bench': one row."""
    import threading

    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def job(step: int) -> None:
        records = [
            rec.MeasurementRecord("m", f"step{step}", "new-bench", f"acc{i}", 0.5)
            for i in range(50)
        ]
        try:
            barrier.wait()
            uploads.ingest_records(engine=engine, records=records, format="eval_job", job_id=None)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=job, args=(step,)) for step in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert count(engine, "eval_sets") == 1 and count(engine, "models") == 1
    assert count(engine, "checkpoints") == 2 and count(engine, "measurements") == 100


def test_two_writers_in_one_transaction(engine):
    """The worker writes through ``UploadWriter`` inside its own transaction, possibly twice."""
    from sqlalchemy import insert

    from backend import models
    from backend.ingest.store import UploadWriter
    from backend.ingest.validation import Problems

    with engine.begin() as conn:
        for step in (1, 2):
            upload_id = conn.execute(
                insert(models.Upload)
                .values(source="job", format="eval_job", counts={})
                .returning(models.Upload.id)
            ).scalar_one()
            writer = UploadWriter(
                conn, upload_id=upload_id, problems=Problems("job"), batch_rows=10
            )
            writer.add_all(
                rec.MeasurementRecord("m", f"step{step}", "e", f"acc{i}", 0.1 * i)
                for i in range(25)
            )
            assert writer.finish()["measurements"].new == 25
    assert count(engine, "measurements") == 50


def test_undo_removes_dimensions_left_over_by_an_earlier_undo(engine, write):
    first = uploads.ingest_file(engine=engine, path=write("a.csv", LONG))
    extra = "model,revision,eval_set,metric,value\nm2,final,arc,acc_norm,0.35\n"
    second = uploads.ingest_file(engine=engine, path=write("b.csv", extra))
    uploads.undo_upload(engine=engine, upload_id=first.upload_id)
    # m2/final and arc were created by the first upload and are still used by the second
    assert count(engine, "checkpoints") == 1 and count(engine, "eval_sets") == 1
    uploads.undo_upload(engine=engine, upload_id=second.upload_id)
    for table in ("measurements", "checkpoints", "models", "eval_sets"):
        assert count(engine, table) == 0, table


def test_bulk_copy_path_round_trips_values_exactly(engine, write, monkeypatch):
    """Above the threshold Postgres gets new rows by COPY; values survive exactly (the
    re-upload finds every row unchanged) and undo still works."""
    from backend.ingest import facts

    monkeypatch.setattr(facts, "BULK_THRESHOLD_ROWS", 10)
    lines = [f"m{i % 7},final,e{i % 11},acc{i},{1 / (i + 3)!r},{i / 1e9!r}," for i in range(300)]
    path = write("many.csv", "model,revision,eval_set,metric,value,stderr,n\n" + "\n".join(lines))
    first = uploads.ingest_file(engine=engine, path=path)
    assert first.counts["measurements"].new == 300 == count(engine, "measurements")
    again = uploads.ingest_file(engine=engine, path=path)
    assert again.counts["measurements"].unchanged == 300
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT value FROM measurements WHERE metric = 'acc4'"))
        assert stored.scalar_one() == 1 / 7
    uploads.undo_upload(engine=engine, upload_id=first.upload_id)
    assert count(engine, "measurements") == 0
