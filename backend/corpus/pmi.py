"""PMI of concept pairs from a corpus's counts (the formula lives in backend.analysis)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from backend.analysis.frequency import pmi
from backend.corpus.counts import CorpusCounts


@dataclass(frozen=True)
class PairPMI:
    """One co-occurring pair: its document count and smoothed PMI."""

    concept_a: str
    concept_b: str
    count: int
    pmi: float


def pair_pmi(counts: CorpusCounts, *, k: float = 1.0) -> list[PairPMI]:
    """Smoothed PMI of every co-occurring pair: log((c12 + 1) N / ((c1 + k)(c2 + k)))."""
    if not counts.pairs:
        return []
    pairs = list(counts.pairs.items())
    c12 = np.array([n for _, n in pairs], dtype=float)
    c1 = np.array([counts.concepts.get(a, 0) for (a, _), _ in pairs], dtype=float)
    c2 = np.array([counts.concepts.get(b, 0) for (_, b), _ in pairs], dtype=float)
    values = pmi(c12, c1, c2, k=k, total=float(max(counts.n_documents, 1)))
    return [PairPMI(a, b, int(n), float(v)) for ((a, b), n), v in zip(pairs, values, strict=True)]
