"""The SQL plan (what Spark runs) on DuckDB, against the reference: it stays checked without
a JVM, now that the DuckDB engine counts with numpy."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from backend.corpus.counts import ShardCounts, add_count_rows
from backend.corpus.duckdb_engine import captions_table
from backend.corpus.plan import DUCKDB, counting_plan
from backend.corpus.reference import count_captions_plain


def test_sql_plan_on_duckdb_equals_the_reference(corpus, vocabulary):
    _paths, captions = corpus
    connection = duckdb.connect()
    forms = vocabulary.forms_rows()
    concept_words = vocabulary.concept_word_rows()
    connection.register(
        "forms",
        pa.table({"form": [f for f, _ in forms], "word_id": [w for _, w in forms]}),
    )
    connection.register(
        "concept_words",
        pa.table(
            {
                "concept_id": [c for c, _, _ in concept_words],
                "word_id": [w for _, w, _ in concept_words],
                "n_words": [n for _, _, n in concept_words],
            }
        ),
    )
    connection.register("captions", captions_table(0, 0, pa.array(captions, pa.string())))
    plan = counting_plan(DUCKDB)
    connection.execute(plan.doc_concepts)
    counts = ShardCounts(0)
    rows = connection.execute(plan.all_counts()).fetchall()
    add_count_rows(rows, {0: counts}, concept_names=vocabulary.sorted_names)
    n, concepts, pairs = count_captions_plain(captions, vocabulary)
    assert counts.n_documents == n
    assert counts.concepts == +concepts
    assert counts.pairs == pairs
