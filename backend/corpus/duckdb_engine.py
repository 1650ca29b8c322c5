"""The embedded counting engine: DuckDB in this process.

Vectorized (DuckDB runs :mod:`backend.corpus.plan` on Arrow batches), streaming (a shard is read
``batch_rows`` documents at a time, so memory does not grow with the shard), bounded
(``memory_limit``; DuckDB spills to ``temp_directory`` beyond it) and parallel (``threads``,
default all cores).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence

import duckdb
import numpy as np
import pyarrow as pa

from backend.corpus.counts import ShardCounts, add_count_rows
from backend.corpus.plan import DUCKDB, counting_plan
from backend.corpus.readers import Shard, check_columns, iter_text_batches
from backend.corpus.text import normalize_array
from backend.corpus.vocabulary import Vocabulary
from backend.exceptions import IngestError, IngestProblem

CAPTIONS_SCHEMA = pa.schema([("shard", pa.int32()), ("doc", pa.int64()), ("text", pa.string())])
_SCAN_CHUNK_ROWS = 65_536  # Arrow batches DuckDB's threads scan in parallel


def captions_table(shard_index: int, first_doc: int, texts: pa.Array) -> pa.Table:
    """Normalized captions of one batch as the plan's ``captions`` table."""
    n = len(texts)
    table = pa.Table.from_arrays(
        [
            pa.array(np.full(n, shard_index, dtype=np.int32)),
            pa.array(np.arange(first_doc, first_doc + n, dtype=np.int64)),
            normalize_array(texts).cast(pa.string()),
        ],
        schema=CAPTIONS_SCHEMA,
    )
    return pa.Table.from_batches(table.to_batches(max_chunksize=_SCAN_CHUNK_ROWS), CAPTIONS_SCHEMA)


def vocabulary_tables(vocabulary: Vocabulary) -> tuple[pa.Table, pa.Table]:
    """The plan's ``forms`` and ``concept_words`` tables."""
    forms = vocabulary.forms_rows()
    rows = vocabulary.concept_word_rows()
    forms_table = pa.table(
        {"form": [f for f, _ in forms], "word_id": [w for _, w in forms]},
        schema=pa.schema([("form", pa.string()), ("word_id", pa.int32())]),
    )
    concept_table = pa.table(
        {
            "concept_id": [c for c, _, _ in rows],
            "word_id": [w for _, w, _ in rows],
            "n_words": [n for _, _, n in rows],
        },
        schema=pa.schema(
            [("concept_id", pa.int32()), ("word_id", pa.int32()), ("n_words", pa.int32())]
        ),
    )
    return forms_table, concept_table


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class DuckDBEngine:
    """Counts shards one at a time with DuckDB; see the module docstring."""

    name = "duckdb"
    shards_per_step = 1

    def __init__(
        self,
        *,
        threads: int | None = None,
        memory_limit: str = "2GB",
        temp_directory: str | None = None,
        batch_rows: int = 1_000_000,
    ):
        self.batch_rows = batch_rows
        self.plan = counting_plan(DUCKDB)
        self.connection = duckdb.connect()
        self.connection.execute(f"SET threads = {int(threads or os.cpu_count() or 1)}")
        self.connection.execute(f"SET memory_limit = '{memory_limit}'")
        self.connection.execute("SET preserve_insertion_order = false")
        if temp_directory:
            self.connection.execute(f"SET temp_directory = '{temp_directory}'")
        self._vocabulary_key: str | None = None

    def _use_vocabulary(self, vocabulary: Vocabulary) -> None:
        key = vocabulary.fingerprint()
        if key == self._vocabulary_key:
            return
        forms, concept_words = vocabulary_tables(vocabulary)
        self.connection.register("forms_arrow", forms)
        self.connection.execute("CREATE OR REPLACE TEMP TABLE forms AS SELECT * FROM forms_arrow")
        self.connection.register("concept_words_arrow", concept_words)
        self.connection.execute(
            "CREATE OR REPLACE TEMP TABLE concept_words AS SELECT * FROM concept_words_arrow"
        )
        self._vocabulary_key = key

    def count(
        self, shards: Sequence[Shard], vocabulary: Vocabulary, *, column: str, pairs: bool = True
    ) -> list[ShardCounts]:
        """Count documents per concept (and pair) in each shard."""
        self._use_vocabulary(vocabulary)
        names = vocabulary.sorted_names
        return [
            self._count_shard(shard, column=column, pairs=pairs, names=names) for shard in shards
        ]

    def _batches(self, shard: Shard, column: str) -> Iterator[pa.Array]:
        """The shard's captions; Parquet through DuckDB's own (parallel) reader, the other
        formats through :mod:`backend.corpus.readers`. Both give the same strings."""
        if shard.format != "parquet":
            yield from iter_text_batches(shard, column, self.batch_rows)
            return
        check_columns(shard, column)
        reader_connection = self.connection.cursor()  # a second connection streams the file
        try:
            relation = reader_connection.sql(
                f"SELECT {_quote(column)} FROM read_parquet({_literal(shard.path)})"
            )
            reader = relation.to_arrow_reader(self.batch_rows)
            for batch in reader:
                yield batch.column(0)
        except duckdb.Error as exc:
            problem = IngestProblem(f"unreadable shard: {exc}", file=shard.path)
            raise IngestError(problem) from exc
        finally:
            reader_connection.close()

    def _count_shard(self, shard: Shard, *, column: str, pairs: bool, names: list[str]):
        counts = ShardCounts(shard.index)
        first_doc = 0
        con = self.connection
        for texts in self._batches(shard, column):
            con.register("captions", captions_table(shard.index, first_doc, texts))
            first_doc += len(texts)
            con.execute(self.plan.doc_concepts)
            rows = con.execute(self.plan.all_counts(pairs=pairs)).fetchall()
            add_count_rows(rows, {shard.index: counts}, concept_names=names)
            con.unregister("captions")
        return counts

    def distinct_tokens(self, shards: Sequence[Shard], *, column: str) -> set[str]:
        """Every distinct normalized token of the shards (stopwords included)."""
        tokens: set[str] = set()
        for shard in shards:
            for texts in self._batches(shard, column):
                self.connection.register("captions", captions_table(shard.index, 0, texts))
                rows = self.connection.execute(self.plan.distinct_tokens).fetchall()
                tokens.update(token for (token,) in rows)
                self.connection.unregister("captions")
        return tokens

    def close(self) -> None:
        self.connection.close()
