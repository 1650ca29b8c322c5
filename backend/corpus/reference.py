"""The papers' plain-Python counter: one regex and a dictionary loop per caption.

This is how the frequency papers count (tokenize each caption with a regex, drop stopwords,
lemmatize, then look every concept up in the caption's word set). It is slow, and kept for two
reasons: it is the readable specification the engines are tested against, and it is the
baseline of ``bench/bench_corpus.py``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from itertools import combinations

from backend.corpus.lemmatizer import lemmatize
from backend.corpus.text import content_tokens
from backend.corpus.vocabulary import Vocabulary


def count_captions_plain(
    captions: Iterable[str | None], vocabulary: Vocabulary, *, pairs: bool = True
) -> tuple[int, Counter[str], Counter[tuple[str, str]]]:
    """(documents, documents per concept, documents per concept pair) of ``captions``."""
    by_word: dict[str, list[tuple[str, frozenset[str]]]] = {}
    for concept in vocabulary.concepts:
        entry = (concept.name, frozenset(concept.words))
        by_word.setdefault(concept.words[0], []).append(entry)
    n_documents = 0
    concept_counts: Counter[str] = Counter()
    pair_counts: Counter[tuple[str, str]] = Counter()
    for caption in captions:
        n_documents += 1
        words = {lemmatize(token) for token in content_tokens(caption)}
        found = sorted(
            name for word in words for name, needed in by_word.get(word, ()) if needed <= words
        )
        concept_counts.update(found)
        if pairs:
            pair_counts.update(combinations(found, 2))
    return n_documents, concept_counts, pair_counts
