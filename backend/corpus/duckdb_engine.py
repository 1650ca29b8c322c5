"""The embedded counting engine: DuckDB reads, numpy counts, in this process.

Streaming (a shard is read ``batch_rows`` documents at a time, Parquet through DuckDB's own
reader, so memory does not grow with the shard), vectorized (each batch is cut into slices of
``chunk_rows`` captions that :func:`backend.corpus.batch_counts.count_batch` counts with numpy
and Arrow kernels, no Python loop per caption or token) and parallel (``threads`` slices at a
time, default all cores; the kernels release the GIL, and the next batch is read meanwhile).
``memory_limit`` and ``temp_directory`` bound DuckDB's own work (reading, distinct tokens).

The counts are those of the SQL plan of :mod:`backend.corpus.plan` that Spark runs and of the
plain-Python reference; the tests hold all three to the same numbers.
"""

from __future__ import annotations

import ctypes
import os
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

import duckdb
import numpy as np
import pyarrow as pa

from backend.corpus.batch_counts import (
    BatchCounts,
    ConceptTable,
    CountsAccumulator,
    concept_table,
    count_batch,
)
from backend.corpus.counts import ShardCounts
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


_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameters


def keep_freed_memory() -> None:
    """Let glibc reuse freed memory instead of handing it back to the system at once.

    The numpy temporaries of a slice are a few MB each; by default glibc maps such blocks
    afresh and unmaps them on free, so every slice page-faults its memory back in (a third of
    the counting time). Process-wide: blocks up to 32 MB come from the heap and up to 256 MB of
    freed heap stays mapped. Nothing happens where the C library is not glibc.
    """
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):
        return
    mallopt(_M_MMAP_THRESHOLD, 32 << 20)
    mallopt(_M_TRIM_THRESHOLD, 256 << 20)


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
        batch_rows: int = 262_144,
        chunk_rows: int = 16_384,
    ):
        self.threads = max(1, int(threads or os.cpu_count() or 1))
        self.batch_rows = batch_rows
        self.chunk_rows = chunk_rows
        self.plan = counting_plan(DUCKDB)
        self.connection = duckdb.connect()
        self.connection.execute(f"SET threads = {self.threads}")
        self.connection.execute(f"SET memory_limit = '{memory_limit}'")
        self.connection.execute("SET preserve_insertion_order = false")
        if temp_directory:
            self.connection.execute(f"SET temp_directory = '{temp_directory}'")
        self._table: tuple[str, ConceptTable] | None = None
        keep_freed_memory()

    def _concept_table(self, vocabulary: Vocabulary) -> ConceptTable:
        key = vocabulary.fingerprint()
        if self._table is None or self._table[0] != key:
            self._table = (key, concept_table(vocabulary))
        return self._table[1]

    def count(
        self, shards: Sequence[Shard], vocabulary: Vocabulary, *, column: str, pairs: bool = True
    ) -> list[ShardCounts]:
        """Count documents per concept (and pair) in each shard."""
        table = self._concept_table(vocabulary)
        with ThreadPoolExecutor(self.threads, thread_name_prefix="count") as pool:
            return [
                self._count_shard(shard, table, pool, column=column, pairs=pairs)
                for shard in shards
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

    def _count_shard(
        self,
        shard: Shard,
        table: ConceptTable,
        pool: ThreadPoolExecutor,
        *,
        column: str,
        pairs: bool,
    ) -> ShardCounts:
        """Slices of each batch go to the pool; at most two batches are in flight."""
        total = CountsAccumulator(table)
        pending: deque[Future[BatchCounts]] = deque()
        limit = 2 * max(1, -(-self.batch_rows // self.chunk_rows))
        for texts in self._batches(shard, column):
            for start in range(0, len(texts), self.chunk_rows):
                piece = texts.slice(start, self.chunk_rows)
                pending.append(pool.submit(count_batch, piece, table, pairs=pairs))
            while len(pending) > limit:
                total.add(pending.popleft().result())
        while pending:
            total.add(pending.popleft().result())
        return total.shard_counts(shard.index)

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
