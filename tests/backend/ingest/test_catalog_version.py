"""The catalog's metric counts, kept per process by measurement version, equal the counts
recomputed from the measurements after uploads, value-only re-uploads (which keep the
version, so nothing is recomputed), undo, eval-set merges and their undo."""

from __future__ import annotations

from backend.queries import catalog
from backend.services import merges, uploads

FIRST = """model,revision,eval_set,metric,value
m1,step1,pile,loss,3.2
m1,step1,arc,acc,0.5
m2,final,arc,acc,0.3
m3,final,my-bench,acc,0.4
"""
MORE = """model,revision,eval_set,metric,value
m1,step2,arc,acc,0.6
m3,final,arc,acc_norm,0.2
"""
NEW_VALUES = """model,revision,eval_set,metric,value
m1,step2,arc,acc,0.65
"""


def metrics(session) -> list[tuple]:
    """list_metrics as tuples, in its order."""
    session.rollback()  # a fresh snapshot
    return [
        (m.eval_set, m.kind, m.metric, m.n_measurements, m.n_models)
        for m in catalog.list_metrics(session)
    ]


def recomputed(session) -> list[tuple]:
    """The same, straight from the measurements (cache bypassed)."""
    session.rollback()
    found = []
    rows = catalog._all_metric_counts(session)
    names = {e.id: e for e in catalog.list_eval_sets(session)}
    for set_id, metric, n, n_models in rows:
        found.append((names[set_id].name, names[set_id].kind, metric, n, n_models))
    return sorted(found)


def test_metric_counts_follow_every_change(engine, write, session, monkeypatch):
    calls = []
    compute = catalog._all_metric_counts
    monkeypatch.setattr(catalog, "_all_metric_counts", lambda s: calls.append(1) or compute(s))
    uploads.ingest_file(engine=engine, path=write("a.csv", FIRST))
    assert metrics(session) == recomputed(session)
    assert ("arc", "benchmark", "acc", 2, 2) in metrics(session)
    more = uploads.ingest_file(engine=engine, path=write("b.csv", MORE))
    assert metrics(session) == recomputed(session)
    assert ("arc", "benchmark", "acc", 3, 2) in metrics(session)
    before = len(calls)
    values = uploads.ingest_file(engine=engine, path=write("c.csv", NEW_VALUES))  # values only
    assert metrics(session) == recomputed(session)
    assert len(calls) == before + 1  # recomputed() only: list_metrics answered from the cache
    record = merges.merge(session=session, kind="eval_set", source="my-bench", target="arc")
    session.commit()
    assert metrics(session) == recomputed(session)
    assert ("arc", "benchmark", "acc", 4, 3) in metrics(session)
    merges.undo(session=session, merge_id=record.id)
    session.commit()
    assert metrics(session) == recomputed(session)
    uploads.undo_upload(engine=engine, upload_id=values.upload_id)
    uploads.undo_upload(engine=engine, upload_id=more.upload_id)
    assert metrics(session) == recomputed(session)
    assert ("arc", "benchmark", "acc", 2, 2) in metrics(session)
    assert [m[0] for m in metrics(session)] == sorted(m[0] for m in metrics(session))
