"""Reads kept per process under the data version: a later upload (one that only changes a
model's columns too), an undo and a merge each bring a fresh read."""

from __future__ import annotations

from backend import db
from backend.queries import catalog, coverage, data_version, frames
from backend.schemas.measurements import MeasurementFilter
from backend.services import merges, uploads


def _rows(family: str, value: float, data: str = "web") -> list[dict]:
    return [
        {
            "model": "m-1",
            "eval_set": "toy-val",
            "metric": "loss",
            "value": value,
            "family": family,
            "pretraining_data": data,
        }
    ]


def _read(engine):
    with db.new_session(engine) as session:
        return (
            frames.models_frame(session)[["model", "family", "pretraining_data"]].to_dict(
                "records"
            ),
            catalog.attribute_values(session)["family"],
        )


def test_kept_reads_follow_every_write(engine):
    uploads.ingest_rows(engine=engine, rows=_rows("old", 1.0), filename="a.json")
    first = _read(engine)
    assert first[1] == ["old"]
    with db.new_session(engine) as session:
        version = data_version.data_version(session)
        # the second read is the kept one (same version, no recomputation)
        calls = []
        data_version.by_data_version(session, "probe", lambda: calls.append(1) or 1)
        data_version.by_data_version(session, "probe", lambda: calls.append(1) or 1)
        assert calls == [1]
    # same measurement, same value: only the model's family changes (measurement version kept)
    second = uploads.ingest_rows(engine=engine, rows=_rows("new", 1.0), filename="b.json")
    with db.new_session(engine) as session:
        assert data_version.data_version(session) != version
        assert data_version.measurement_version(session) == version[:4]
    assert _read(engine) == (
        [{"model": "m-1", "family": "new", "pretraining_data": "web"}],
        ["new"],
    )
    uploads.undo_upload(engine=engine, upload_id=second.upload_id)
    assert _read(engine) == first
    with db.session_scope(engine) as session:
        merges.merge(session=session, kind="pretraining_data", source="web", target="books")
    assert _read(engine)[0] == [{"model": "m-1", "family": "old", "pretraining_data": "books"}]


def test_copies_are_handed_out(engine):
    uploads.ingest_rows(engine=engine, rows=_rows("old", 1.0), filename="a.json")
    with db.new_session(engine) as session:
        frame = frames.models_frame(session)
        frame["family"] = "changed"
        catalog.attribute_values(session)["family"].append("changed")
    assert _read(engine) == (
        [{"model": "m-1", "family": "old", "pretraining_data": "web"}],
        ["old"],
    )


def test_bounded(engine, monkeypatch):
    monkeypatch.setattr(data_version, "MAX_ENTRIES", 3)
    uploads.ingest_rows(engine=engine, rows=_rows("old", 1.0), filename="a.json")
    with db.new_session(engine) as session:
        for n in range(10):
            data_version.by_data_version(session, ("probe", n), lambda n=n: n)
    assert len(data_version._cache) <= 3


def test_coverage_grid_follows_uploads(engine):
    uploads.ingest_rows(engine=engine, rows=_rows("old", 1.0), filename="a.json")
    with db.new_session(engine) as session:
        assert coverage.read_coverage(session).eval_sets == ["toy-val"]
        coverage.read_coverage(session).eval_sets.append("not kept")
    rows = [dict(_rows("old", 2.0)[0], eval_set="toy-bench", metric="acc")]
    report = uploads.ingest_rows(engine=engine, rows=rows, filename="b.json")
    with db.new_session(engine) as session:
        grid = coverage.read_coverage(session)
        assert grid.eval_sets == ["toy-bench", "toy-val"] and len(grid.cells) == 2
    uploads.undo_upload(engine=engine, upload_id=report.upload_id)
    with db.new_session(engine) as session:
        assert len(coverage.read_coverage(session).cells) == 1


def test_compute_span_follows_uploads(engine):
    from backend.queries.compute_span import compute_decades
    from backend.schemas.measurements import MetricRef

    def rows(n_params):
        return [
            dict(_rows("old", 1.0)[0], model=f"m-{i}", n_params=n_params * 10**i, tokens_seen=1e9)
            for i in range(3)
        ]

    refs = [MetricRef(eval_set="toy-val", metric="loss")]
    uploads.ingest_rows(engine=engine, rows=rows(1e6), filename="a.json")
    with db.new_session(engine) as session:
        assert compute_decades(session, refs) == {"toy-val:loss": 2.0}
    uploads.ingest_rows(engine=engine, rows=rows(1e7)[:1], filename="b.json")  # m-0 grows
    with db.new_session(engine) as session:
        assert round(compute_decades(session, refs)["toy-val:loss"], 9) == 1.0


def test_plot_frames_follow_a_value_only_reupload(engine, monkeypatch):
    from backend.schemas.measurements import MetricRef

    loss = MetricRef(eval_set="toy-val", metric="loss")
    uploads.ingest_rows(engine=engine, rows=_rows("old", 1.0), filename="a.json")
    with db.new_session(engine) as session:
        assert frames.metric_frame(session, metric=loss)["value"].tolist() == [1.0]
        pair = frames.metric_pair_frame(session, x=loss, y=loss)
        assert pair[["x", "y"]].values.tolist() == [[1.0, 1.0]]
    uploads.ingest_rows(engine=engine, rows=_rows("old", 2.0), filename="b.json")
    with db.new_session(engine) as session:
        assert frames.metric_frame(session, metric=loss)["value"].tolist() == [2.0]
        assert frames.metric_pair_frame(session, x=loss, y=loss)["x"].tolist() == [2.0]
    monkeypatch.setattr(data_version, "MAX_LARGE", 2)
    with db.new_session(engine) as session:
        for final in (True, False):
            for name in ("m-1", "other"):
                flt = MeasurementFilter(final_only=final, models=[name])
                frames.metric_frame(session, metric=loss, flt=flt)
    assert len(data_version._large) <= 2


def test_a_model_s_measurements_follow_a_value_only_reupload(engine):
    from backend.queries.measurements import measurements_frame

    flt = MeasurementFilter(models=["m-1"])
    uploads.ingest_rows(engine=engine, rows=_rows("old", 1.0), filename="a.json")
    with db.new_session(engine) as session:
        assert measurements_frame(session, flt=flt)["value"].tolist() == [1.0]
    uploads.ingest_rows(engine=engine, rows=_rows("old", 3.0), filename="b.json")
    with db.new_session(engine) as session:
        assert measurements_frame(session, flt=flt)["value"].tolist() == [3.0]


def test_frequency_frame_follows_a_new_upload(session):
    from sqlalchemy import update

    from backend.models import ConceptFrequency, Upload
    from backend.queries.frequencies import frequency_frame
    from tests.backend.queries.seed import seed

    seed(session)

    def counts():
        frame = frequency_frame(session, corpus="laion", method="lemmatized", eval_set="bench")
        return dict(zip(frame["concept"], frame["count"], strict=True))

    assert counts() == {"cat": 1000, "dog": 10}
    session.add(Upload(format="test", filename="recount.csv"))  # counts arrive as an upload
    session.execute(update(ConceptFrequency).values(count=ConceptFrequency.count + 1))
    session.commit()
    assert counts() == {"cat": 1001, "dog": 11}


def test_an_upload_committed_after_a_newer_one_renews_the_version(engine):
    """Two uploads at once: the one with the lower id commits last (its measurement ids may be
    lower too), so neither the newest upload nor the newest measurement moves."""
    from backend.models import Upload

    with db.session_scope(engine) as session:
        session.add(Upload(id=10, format="long_csv", source="api"))
    with db.new_session(engine) as session:
        before = data_version.data_version(session)
    with db.session_scope(engine) as session:
        session.add(Upload(id=5, format="long_csv", source="api"))
    with db.new_session(engine) as session:
        assert data_version.data_version(session) != before
