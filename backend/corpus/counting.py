"""Count concepts and concept pairs over a caption corpus: shards in, corpus counts out.

The engine (DuckDB or Spark, see :mod:`backend.corpus.engines`) counts a few shards per step;
between steps this runner saves per-shard checkpoints, reports progress and honours a cancel
request, so a cancelled or crashed run resumes from its finished shards.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

from backend.corpus.checkpoints import CheckpointStore, run_key
from backend.corpus.counts import METHOD, CorpusCounts, ShardCounts, merge_shard_counts
from backend.corpus.lemmatizer import lemmatize
from backend.corpus.readers import DEFAULT_COLUMN, Shard
from backend.corpus.text import STOPWORDS
from backend.corpus.vocabulary import Vocabulary, vocabulary_from_counts, vocabulary_from_names
from backend.exceptions import ScaleScopeError, ValidationError

#: progress(done_shards, total_shards, message)
ProgressCallback = Callable[[int, int, str], None]


class CountingCancelled(ScaleScopeError):
    """A counting run stopped between shards because cancellation was requested."""


class CountingEngine(Protocol):
    """What the runner needs from an engine."""

    name: str
    shards_per_step: int

    def count(
        self, shards: Sequence[Shard], vocabulary: Vocabulary, *, column: str, pairs: bool = True
    ) -> list[ShardCounts]: ...

    def distinct_tokens(self, shards: Sequence[Shard], *, column: str) -> set[str]: ...


def count_corpus(
    *,
    shards: Sequence[Shard],
    vocabulary: Vocabulary,
    engine: CountingEngine,
    column: str = DEFAULT_COLUMN,
    pairs: bool = True,
    checkpoint_dir: str | Path | None = None,
    progress: ProgressCallback | None = None,
    should_cancel: Callable[[], bool] | None = None,
) -> CorpusCounts:
    """Documents per concept and per co-occurring pair over all ``shards``."""
    if not shards:
        raise ValidationError("no caption shards to count")
    store = None
    if checkpoint_dir is not None:
        key = run_key(
            method=METHOD,
            vocabulary_fingerprint=vocabulary.fingerprint(),
            column=column,
            pairs=pairs,
        )
        store = CheckpointStore(checkpoint_dir, key)
    parts: list[ShardCounts] = []
    todo: list[Shard] = []
    for shard in shards:
        saved = store.load(shard) if store else None
        if saved is None:
            todo.append(shard)
        else:
            parts.append(saved)
    resumed = len(parts)
    total = len(shards)
    if progress:
        progress(resumed, total, f"{resumed} of {total} shards done before this run")
    step = max(1, engine.shards_per_step)
    for start in range(0, len(todo), step):
        if should_cancel and should_cancel():
            raise CountingCancelled(f"cancelled after {len(parts)} of {total} shards")
        group = todo[start : start + step]
        for shard, counts in zip(
            group, engine.count(group, vocabulary, column=column, pairs=pairs), strict=True
        ):
            if store:
                store.save(shard, counts)
            parts.append(counts)
        if progress:
            progress(len(parts), total, f"counted {group[-1].name} ({engine.name})")
    n_documents, concepts, pair_counts = merge_shard_counts(parts, concept_names=vocabulary.names)
    return CorpusCounts(
        method=METHOD,
        n_documents=n_documents,
        n_shards=total,
        concepts=concepts,
        pairs=pair_counts if pairs else {},
        skipped_concepts=vocabulary.skipped,
        resumed_shards=resumed,
    )


def discover_vocabulary(
    *,
    shards: Sequence[Shard],
    engine: CountingEngine,
    min_count: int,
    column: str = DEFAULT_COLUMN,
) -> Vocabulary:
    """Every lemma found in at least ``min_count`` documents, as one-word concepts.

    Two passes of the same plan: the distinct tokens give the lemmas; counting those lemmas
    (without pairs) gives their document counts.
    """
    tokens = engine.distinct_tokens(shards, column=column)
    lemmas = sorted({lemmatize(t) for t in tokens if t not in STOPWORDS})
    if not lemmas:
        raise ValidationError("the concept vocabulary is empty: the captions have no content word")
    every = vocabulary_from_names(lemmas)
    counts = count_corpus(
        shards=shards, vocabulary=every, engine=engine, column=column, pairs=False
    )
    return vocabulary_from_counts(counts.concepts, min_count=min_count)
