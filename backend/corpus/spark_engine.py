"""The distributed counting engine: Apache Spark (local mode here, a cluster in production).

Spark runs the same statements as DuckDB (:mod:`backend.corpus.plan`, Spark dialect) on the same
normalized captions: shards are spread over the executors one per partition, and each executor
reads its shards with :func:`backend.corpus.readers.iter_text_batches` and normalizes them with
:func:`backend.corpus.text.normalize_array` inside ``mapInArrow``, so no CSV or tar parser of
Spark's own can disagree with the embedded engine. Executors need this package importable and
the shard paths readable (a shared filesystem on a cluster).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from functools import lru_cache

from backend.corpus.counts import ShardCounts, add_count_rows
from backend.corpus.plan import SPARK, counting_plan
from backend.corpus.readers import Shard
from backend.corpus.vocabulary import Vocabulary
from backend.exceptions import IngestError, IngestProblem

_CAPTIONS_DDL = "shard INT, doc BIGINT, text STRING"


@lru_cache(maxsize=2)
def spark_session(master: str = "local[*]"):
    """The process-wide SparkSession for ``master`` (started once; Python workers use this
    interpreter)."""
    from pyspark.sql import SparkSession

    # PySpark starts its Python workers with $PYSPARK_PYTHON (default: python3 on the PATH);
    # they must run this interpreter, which has pyarrow and this package.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master(master)
        .appName("scalescope-corpus")
        .config("spark.pyspark.python", sys.executable)
        .config("spark.pyspark.driver.python", sys.executable)
        .config("spark.sql.shuffle.partitions", str(os.cpu_count() or 2))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


def _read_partition(column: str, batch_rows: int):
    """The mapInArrow function: shard rows in, normalized caption batches out."""

    def read(batches: Iterator) -> Iterator:
        import numpy as np
        import pyarrow as pa

        from backend.corpus.readers import Shard, iter_text_batches
        from backend.corpus.text import normalize_array

        for batch in batches:
            for index, path, fmt in zip(
                *(batch.column(i).to_pylist() for i in range(3)), strict=True
            ):
                first = 0
                for texts in iter_text_batches(Shard(index, path, fmt), column, batch_rows):
                    n = len(texts)
                    yield pa.RecordBatch.from_arrays(
                        [
                            pa.array(np.full(n, index, dtype=np.int32)),
                            pa.array(np.arange(first, first + n, dtype=np.int64)),
                            normalize_array(texts).cast(pa.string()),
                        ],
                        names=["shard", "doc", "text"],
                    )
                    first += n

    return read


class SparkEngine:
    """Counts a group of shards per Spark job; see the module docstring."""

    name = "spark"

    def __init__(
        self, *, master: str = "local[*]", shards_per_step: int = 16, batch_rows: int = 262_144
    ):
        self.master = master
        self.shards_per_step = shards_per_step
        self.batch_rows = batch_rows
        self.plan = counting_plan(SPARK)
        self._vocabulary_key: str | None = None

    @property
    def spark(self):
        return spark_session(self.master)

    def _use_vocabulary(self, vocabulary: Vocabulary) -> None:
        key = vocabulary.fingerprint()
        if key == self._vocabulary_key:
            return
        forms = self.spark.createDataFrame(vocabulary.forms_rows(), "form STRING, word_id INT")
        concept_words = self.spark.createDataFrame(
            vocabulary.concept_word_rows(), "concept_id INT, word_id INT, n_words INT"
        )
        forms.createOrReplaceTempView("forms")
        concept_words.createOrReplaceTempView("concept_words")
        self._vocabulary_key = key

    def _captions(self, shards: Sequence[Shard], column: str):
        rows = [(s.index, s.path, s.format) for s in shards]
        one_per_partition = self.spark.sparkContext.parallelize(rows, len(rows))
        listing = self.spark.createDataFrame(
            one_per_partition, "shard INT, path STRING, format STRING"
        )
        return listing.mapInArrow(_read_partition(column, self.batch_rows), _CAPTIONS_DDL)

    def count(
        self, shards: Sequence[Shard], vocabulary: Vocabulary, *, column: str, pairs: bool = True
    ) -> list[ShardCounts]:
        """Count documents per concept (and pair) in each shard, in one Spark job group."""
        self._use_vocabulary(vocabulary)
        counts = {s.index: ShardCounts(s.index) for s in shards}
        spark = self.spark
        captions = self._captions(shards, column).persist()  # read each shard once
        try:
            captions.createOrReplaceTempView("captions")
            spark.sql(self.plan.doc_concepts)
            rows = spark.sql(self.plan.all_counts(pairs=pairs)).collect()
            add_count_rows(rows, counts, concept_names=vocabulary.sorted_names)
        except Exception as exc:  # noqa: BLE001 - Spark wraps executor errors in its own types
            raise _as_ingest_error(exc, shards) from exc
        finally:
            spark.sql("UNCACHE TABLE IF EXISTS doc_concepts")
            spark.catalog.dropTempView("doc_concepts")
            captions.unpersist()
        return [counts[s.index] for s in shards]

    def distinct_tokens(self, shards: Sequence[Shard], *, column: str) -> set[str]:
        """Every distinct normalized token of the shards (stopwords included)."""
        try:
            self._captions(shards, column).createOrReplaceTempView("captions")
            return {row["token"] for row in self.spark.sql(self.plan.distinct_tokens).collect()}
        except Exception as exc:  # noqa: BLE001
            raise _as_ingest_error(exc, shards) from exc

    def close(self) -> None:
        """Nothing to release per engine; the session is shared by the process."""


def _as_ingest_error(exc: Exception, shards: Sequence[Shard]) -> Exception:
    """An executor's IngestError comes back as text inside Spark's exception: recover it."""
    text = str(exc)
    marker = "IngestError: "
    if marker in text:
        line = text[text.rindex(marker) + len(marker) :].splitlines()[0].strip()
        return IngestError(IngestProblem(line))
    if isinstance(exc, IngestError):
        return exc
    names = ", ".join(s.name for s in shards[:5])
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return IngestError(IngestProblem(f"the Spark job over {names} failed: {first}"))
