"""Count one batch of captions with numpy: documents per concept and per concept pair.

:func:`backend.corpus.token_match.match_forms` gives the (caption, word) hits of a batch; a
caption mentions a concept when it has all of the concept's words (the rule of
:mod:`backend.corpus.vocabulary`, the same as :func:`backend.corpus.reference.count_captions_plain`
and the SQL of :mod:`backend.corpus.plan`). Each caption counts once per concept and once per
pair of concepts it mentions, however often the words occur.

Integers throughout: a mention (a caption and a concept it mentions) is the key
``caption << 32 | concept`` and a pair ``concept_a << 32 | concept_b``, so sorting keys sorts by
caption first; concept ids follow the sorted names, so ``concept_a < concept_b`` is the order of
the names.
:class:`CountsAccumulator` sums batches and turns the sums into a shard's
:class:`~backend.corpus.counts.ShardCounts` once, at the end.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from backend.corpus.counts import ShardCounts
from backend.corpus.token_match import FormTable, form_table, match_forms
from backend.corpus.vocabulary import Vocabulary

_LOW = np.int64(0xFFFFFFFF)  # keys hold two ids: high << 32 | low


@dataclass(frozen=True)
class WordConcepts:
    """Each word's concepts: those of word ``w`` are ``concepts[start[w]:start[w + 1]]``."""

    start: np.ndarray
    concepts: np.ndarray

    def expand(self, captions: np.ndarray, words: np.ndarray) -> np.ndarray:
        """``caption << 32 | concept`` for each (caption, word) hit and each of its word's
        concepts."""
        per_word = self.start[words + 1] - self.start[words]
        first = np.cumsum(per_word) - per_word
        at = np.repeat(self.start[words] - first, per_word) + np.arange(int(per_word.sum()))
        return (np.repeat(captions, per_word) << 32) | self.concepts[at]


def _word_concepts(rows: np.ndarray, n_words: int) -> WordConcepts:
    rows = rows[np.lexsort((rows[:, 0], rows[:, 1]))]  # (concept, word) rows by word
    return WordConcepts(np.searchsorted(rows[:, 1], np.arange(n_words + 1)), rows[:, 0])


@dataclass(frozen=True)
class ConceptTable:
    """A vocabulary as arrays: its forms, the one-word concepts of each word (``single``) and
    the concepts of several words each word is part of (``several``, ``in_several``)."""

    forms: FormTable
    names: list[str]  # concept names in id order
    single: WordConcepts
    several: WordConcepts | None
    in_several: np.ndarray  # bool per word
    concept_size: np.ndarray  # words per concept


def concept_table(vocabulary: Vocabulary) -> ConceptTable:
    """The arrays :func:`count_batch` needs for ``vocabulary``."""
    rows = np.array(vocabulary.concept_word_rows(), dtype=np.int64).reshape(-1, 3)
    n_words = len(vocabulary.words)
    size = np.zeros(len(vocabulary.names), dtype=np.int64)
    size[rows[:, 0]] = rows[:, 2]
    several = rows[rows[:, 2] > 1]
    in_several = np.zeros(n_words, dtype=bool)
    in_several[several[:, 1]] = True
    return ConceptTable(
        forms=form_table(vocabulary.forms_rows()),
        names=vocabulary.sorted_names,
        single=_word_concepts(rows[rows[:, 2] == 1], n_words),
        several=_word_concepts(several, n_words) if len(several) else None,
        in_several=in_several,
        concept_size=size,
    )


@dataclass
class BatchCounts:
    """Counts of one batch: documents, documents per concept id, documents per pair key."""

    n_documents: int
    concepts: np.ndarray
    pair_keys: np.ndarray
    pair_counts: np.ndarray


def distinct(keys: np.ndarray, *, counts: bool = False) -> Any:
    """The distinct values of sorted ``keys`` (and how often each occurs, when ``counts``);
    numpy's own ``unique`` hashes, which is slower on these integer keys."""
    first = np.empty(len(keys), dtype=bool)
    first[:1] = True
    np.not_equal(keys[1:], keys[:-1], out=first[1:])
    values = keys[first]
    if not counts:
        return values
    starts = np.flatnonzero(first)
    return values, np.diff(np.append(starts, len(keys)))


def mentions(captions: np.ndarray, words: np.ndarray, table: ConceptTable) -> np.ndarray:
    """Sorted distinct ``caption << 32 | concept`` keys of the concepts each caption mentions,
    from its (caption, word) hits (in any order, repeats allowed)."""
    keys = table.single.expand(captions, words)
    if table.several is not None:  # a concept of n words needs n distinct words in the caption
        part = table.in_several[words]
        hits = distinct(np.sort((captions[part] << 32) | words[part]))
        wanted = np.sort(table.several.expand(hits >> 32, hits & _LOW))
        candidates, seen = distinct(wanted, counts=True)
        complete = candidates[seen == table.concept_size[candidates & _LOW]]
        keys = np.concatenate([keys, complete])
    return distinct(np.sort(keys))


def pair_keys(keys: np.ndarray) -> np.ndarray:
    """``concept_a << 32 | concept_b`` for every two concepts of one caption (``a < b``),
    from sorted mention keys."""
    captions, concepts = keys >> 32, keys & _LOW
    bounds = np.concatenate([[0], np.flatnonzero(np.diff(captions)) + 1, [len(keys)]])
    group_end = np.repeat(bounds[1:], np.diff(bounds))
    later = group_end - np.arange(len(keys)) - 1  # mentions after each one in its caption
    total = int(later.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    first = np.repeat(np.arange(len(keys)), later)
    step = np.arange(total) - np.repeat(np.cumsum(later) - later, later)
    return (concepts[first] << 32) | concepts[first + 1 + step]


def count_batch(texts: pa.Array, table: ConceptTable, *, pairs: bool = True) -> BatchCounts:
    """Documents of ``texts``: how many, per concept, and (when ``pairs``) per concept pair."""
    n_concepts = len(table.names)
    captions, words = match_forms(texts, table.forms)
    keys = mentions(captions, words, table)
    concepts = np.bincount(keys & _LOW, minlength=n_concepts)
    empty = np.zeros(0, dtype=np.int64)
    pair_counts: tuple[np.ndarray, np.ndarray] = (empty, empty)
    if pairs and len(keys):
        pair_counts = distinct(np.sort(pair_keys(keys)), counts=True)
    return BatchCounts(len(texts), concepts, *pair_counts)


@dataclass
class CountsAccumulator:
    """Sums the :class:`BatchCounts` of one shard."""

    table: ConceptTable
    n_documents: int = 0
    concepts: np.ndarray | None = None
    pair_parts: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)

    def add(self, batch: BatchCounts) -> None:
        self.n_documents += batch.n_documents
        if self.concepts is None:
            self.concepts = batch.concepts.copy()
        else:
            self.concepts += batch.concepts
        if len(batch.pair_keys):
            self.pair_parts.append((batch.pair_keys, batch.pair_counts))
        if len(self.pair_parts) > 32:  # keep memory bounded on long shards
            self.pair_parts = [self._pairs()]

    def _pairs(self) -> tuple[np.ndarray, np.ndarray]:
        if not self.pair_parts:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty
        keys = np.concatenate([k for k, _ in self.pair_parts])
        counts = np.concatenate([c for _, c in self.pair_parts])
        order = np.argsort(keys, kind="stable")
        keys, counts = keys[order], counts[order]
        first = np.flatnonzero(np.diff(keys, prepend=-1))
        return keys[first], np.add.reduceat(counts, first)

    def shard_counts(self, shard: int) -> ShardCounts:
        """The sums as one shard's counts, keyed by concept names."""
        names = self.table.names
        counts = ShardCounts(shard, self.n_documents)
        if self.concepts is not None:
            counts.concepts.update(
                {names[i]: int(self.concepts[i]) for i in np.flatnonzero(self.concepts)}
            )
        keys, values = self._pairs()
        first, second = keys >> 32, keys & _LOW
        counts.pairs = Counter(
            {
                (names[a], names[b]): n
                for a, b, n in zip(first.tolist(), second.tolist(), values.tolist(), strict=True)
            }
        )
        return counts
