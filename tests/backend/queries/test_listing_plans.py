"""The measurement listing's query plans on Postgres, per filter combination.

A seeded, ANALYZEd database with sequential scans discouraged (``enable_seqscan = off``: a
sequential scan then means that no index can serve the query). Every statement that
``list_measurements`` runs is EXPLAINed (FORMAT JSON) and must:

- read ``measurements`` through an index, never by a sequential scan;
- filter eval sets by id (an index condition), never by joining ``eval_sets`` and comparing
  names row by row (the plan that walked and discarded most of the table);
- count without joining a name table when no model filter asks for one (the count is
  bounded unless an exact total is asked for: both are checked);
- page without sorting every match: either the walk in model-name order (an Incremental Sort
  whose presorted key is the model name) or a sort of the page's own models (``model_id``
  restricted to a list: the first models by name, or those the page spans) — never a plain
  Sort over all matching rows.
"""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import event, insert, text

from backend import db
from backend.models import Checkpoint, EvalSet, Measurement, Model
from backend.queries import measurements
from backend.queries.measurements import list_measurements
from backend.schemas.measurements import MeasurementFilter

pytestmark = pytest.mark.postgres

N_MODELS, N_CHECKPOINTS, SPARSE_MODELS = 60, 20, 6
FILTERS = {
    "none": {},
    "eval_set": {"eval_sets": ["val0"]},
    "eval_set sparse": {"eval_sets": ["late"]},
    "eval_sets two": {"eval_sets": ["val0", "late"]},
    "metric": {"metrics": ["loss"]},
    "metric sparse": {"metrics": ["acc1"]},
    "eval_set + metric": {"eval_sets": ["val1"], "metrics": ["loss"]},
    "model": {"models": ["m-059"]},
    "family": {"families": ["fam2"]},
    "pretraining_data": {"pretraining_data": ["data1"]},
    "tokenizer": {"tokenizers": ["gpt2"]},
    "step range": {"min_step": 500, "max_step": 900},
    "tokens range": {"min_tokens": 1e5, "max_tokens": 5e5},
    "final_only": {"final_only": True},
    "final_only + eval_set": {"final_only": True, "eval_sets": ["val1"]},
    "data + eval_set + metric": {
        "pretraining_data": ["data0"],
        "eval_sets": ["late"],
        "metrics": ["acc0"],
    },
}


def _seed(session) -> None:
    session.execute(
        insert(Model),
        [
            {"id": m + 1, "name": f"m-{m:03d}", "family": f"fam{m % 4}", "tokenizer": "gpt2",
             "pretraining_data": f"data{m % 3}", "attributes": {}}
            for m in range(N_MODELS)
        ],
    )  # fmt: skip
    session.execute(
        insert(Checkpoint),
        [
            {"id": m * N_CHECKPOINTS + c + 1, "model_id": m + 1, "revision": f"step{c * 100}",
             "step": c * 100, "tokens_seen": c * 100 * 1024.0}
            for m in range(N_MODELS)
            for c in range(N_CHECKPOINTS)
        ],
    )  # fmt: skip
    names = ["val0", "val1", "late"]
    session.execute(
        insert(EvalSet), [{"id": i + 1, "name": n, "attributes": {}} for i, n in enumerate(names)]
    )
    rows = [
        {"checkpoint_id": ckpt, "eval_set_id": e, "metric": metric, "value": 1.0}
        for ckpt in range(1, N_MODELS * N_CHECKPOINTS + 1)
        for e in (1, 2)
        for metric in ("loss", "perplexity")
    ]
    first_late = (N_MODELS - SPARSE_MODELS) * N_CHECKPOINTS + 1
    rows += [
        {"checkpoint_id": ckpt, "eval_set_id": 3, "metric": f"acc{k}", "value": 0.5}
        for ckpt in range(first_late, N_MODELS * N_CHECKPOINTS + 1)
        for k in range(2)
    ]
    session.execute(insert(Measurement), rows)
    session.commit()
    session.execute(text("ANALYZE"))


def _nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", ()):
        yield from _nodes(child)


def _statements(session, flt: MeasurementFilter) -> list[str]:
    """The SQL (parameters inlined) of every statement ``list_measurements`` runs."""
    seen: list[tuple[str, object]] = []

    def grab(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", grab)
    try:  # the first models' page or per-model counts, bounded and exact totals
        list_measurements(session, flt=flt, limit=10)
        list_measurements(session, flt=flt, limit=10, exact_total=True)
    finally:
        event.remove(engine, "before_cursor_execute", grab)
    return seen


def _problems(plan: dict, statement: str, flt: MeasurementFilter) -> list[str]:
    nodes = list(_nodes(plan))
    problems = []
    for node in nodes:
        relation = node.get("Relation Name")
        if node["Node Type"] == "Seq Scan" and relation == "measurements":
            problems.append("sequential scan of measurements")
        if relation == "eval_sets" and "name" in node.get("Filter", ""):
            problems.append("eval sets compared by name row by row")
        if "eval_set_id = eval_sets.id" in node.get("Join Filter", ""):
            problems.append("measurements joined to eval sets, then filtered")
    relations = {node.get("Relation Name") for node in nodes}
    is_count = "count(" in statement.lower() and "GROUP BY" not in statement
    if is_count and not _model_filtered(flt) and relations & {"models", "eval_sets"}:
        problems.append(f"the count joins names: {sorted(relations - {None})}")
    if "LIMIT" in statement and "measurements" in relations:
        for node in nodes:
            if node["Node Type"] != "Sort":
                continue
            if not re.search(r"model_id = (ANY|\d)", json.dumps(plan)):
                problems.append(f"the page sorts every match: {node.get('Sort Key')}")
    return problems


def _model_filtered(flt: MeasurementFilter) -> bool:
    return any((flt.models, flt.families, flt.pretraining_data, flt.architectures, flt.tokenizers))


def test_listing_plans_use_indexes_and_never_sort_every_match(postgres_url, monkeypatch):
    monkeypatch.setattr(measurements, "FIRST_MODELS", 8)  # fewer than the models: both ways
    engine = db.get_engine(postgres_url)
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE models, eval_sets, uploads RESTART IDENTITY CASCADE"))
    session = db.new_session(engine)
    try:
        _seed(session)
        session.execute(text("SET enable_seqscan = off"))
        failures = {}
        for name, spec in FILTERS.items():
            flt = MeasurementFilter(**spec)
            statements = [s for s in _statements(session, flt) if "measurements" in s[0]]
            assert statements, name
            raw = session.connection().connection.driver_connection
            for statement, parameters in statements:
                with raw.cursor() as cursor:
                    cursor.execute(f"EXPLAIN (FORMAT JSON) {statement}", parameters)
                    plan = cursor.fetchone()[0][0]["Plan"]
                problems = _problems(plan, statement, flt)
                if problems:
                    failures.setdefault(name, []).extend(problems)
        assert not failures, failures
        page = list_measurements(session, flt=MeasurementFilter(eval_sets=["late"]), limit=10)
        assert page.total == SPARSE_MODELS * N_CHECKPOINTS * 2 and page.total_exact
        assert [item.model for item in page.items] == ["m-054"] * 10
    finally:
        session.rollback()
        session.close()
