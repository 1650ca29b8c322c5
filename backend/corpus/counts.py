"""Counting results: per shard (what an engine returns and a checkpoint keeps) and per corpus."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

#: The counting method recorded with every stored frequency (normalization, stopwords and
#: lemmatizer of this package, document counts). Bump it when any of them changes.
METHOD = "scalescope-lemmatized-v1"


@dataclass
class ShardCounts:
    """Documents of one shard: how many, and how many mention each concept / concept pair."""

    shard: int
    n_documents: int = 0
    concepts: Counter[str] = field(default_factory=Counter)
    pairs: Counter[tuple[str, str]] = field(default_factory=Counter)

    def to_json(self) -> dict:
        return {
            "shard": self.shard,
            "n_documents": self.n_documents,
            "concepts": dict(self.concepts),
            "pairs": [[a, b, n] for (a, b), n in sorted(self.pairs.items())],
        }

    @classmethod
    def from_json(cls, data: dict) -> ShardCounts:
        return cls(
            shard=int(data["shard"]),
            n_documents=int(data["n_documents"]),
            concepts=Counter({k: int(v) for k, v in data["concepts"].items()}),
            pairs=Counter({(a, b): int(n) for a, b, n in data["pairs"]}),
        )


@dataclass(frozen=True)
class CorpusCounts:
    """Document counts of a whole corpus under one method.

    ``concepts`` has every vocabulary concept (zero when no document mentions it); ``pairs``
    has the co-occurring pairs only, keyed ``(concept_a, concept_b)`` with ``concept_a <
    concept_b``.
    """

    method: str
    n_documents: int
    n_shards: int
    concepts: dict[str, int]
    pairs: dict[tuple[str, str], int]
    skipped_concepts: tuple[str, ...] = ()
    resumed_shards: int = 0


def add_count_rows(
    rows: Iterable[tuple], counts: dict[int, ShardCounts], *, concept_names: list[str]
) -> None:
    """Add the rows of :meth:`CountingPlan.all_counts` to the per-shard counts; concept ids
    index ``concept_names``."""
    for kind, shard, concept_a, concept_b, n in rows:
        part = counts[int(shard)]
        if kind == "document":
            part.n_documents += int(n)
        elif kind == "concept":
            part.concepts[concept_names[concept_a]] += int(n)
        else:
            part.pairs[(concept_names[concept_a], concept_names[concept_b])] += int(n)


def merge_shard_counts(
    parts: Iterable[ShardCounts], *, concept_names: Iterable[str]
) -> tuple[int, dict[str, int], dict[tuple[str, str], int]]:
    """Sum shard counts: documents, per concept (zeros included), per pair."""
    n_documents = 0
    concepts: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    for part in parts:
        n_documents += part.n_documents
        concepts.update(part.concepts)
        pairs.update(part.pairs)
    every = {name: int(concepts.get(name, 0)) for name in concept_names}
    return n_documents, every, dict(sorted(pairs.items()))
