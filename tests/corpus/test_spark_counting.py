"""The Spark engine (the SQL plan) gives the same counts as the DuckDB engine (numpy) and the
reference (local mode)."""

from __future__ import annotations

import pytest

from backend.corpus.counting import count_corpus
from backend.corpus.duckdb_engine import DuckDBEngine
from backend.corpus.readers import resolve_shards
from backend.corpus.reference import count_captions_plain
from backend.exceptions import IngestError
from tests.corpus.conftest import write_parquet

# One JVM for the module: slow, and kept on one xdist worker (CI runs --dist loadgroup).
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("spark")]


@pytest.fixture(scope="session")
def spark_engine():
    """One Spark engine (and session) for the whole test session."""
    pytest.importorskip("pyspark")
    from backend.corpus.spark_engine import SparkEngine

    return SparkEngine(master="local[2]", shards_per_step=4)


def test_spark_counts_equal_duckdb_and_the_reference(corpus, vocabulary, spark_engine):
    paths, captions = corpus
    shards = resolve_shards([str(p) for p in paths])
    spark = count_corpus(shards=shards, vocabulary=vocabulary, engine=spark_engine)
    duck = count_corpus(shards=shards, vocabulary=vocabulary, engine=DuckDBEngine(threads=2))
    n, concepts, pairs = count_captions_plain(captions, vocabulary)
    assert spark == duck
    assert spark.n_documents == n
    assert spark.concepts == {name: concepts[name] for name in vocabulary.names}
    assert spark.pairs == dict(pairs)


def test_spark_reports_a_missing_column(tmp_path, vocabulary, spark_engine):
    path = write_parquet(tmp_path / "p.parquet", ["a dog"], column="text")
    with pytest.raises(IngestError, match="p.parquet, column 'caption': no such column"):
        count_corpus(shards=resolve_shards([path]), vocabulary=vocabulary, engine=spark_engine)
