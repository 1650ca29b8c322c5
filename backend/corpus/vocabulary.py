"""Concept vocabularies: which concepts to count, and the word tables the engines join against.

A concept is a name as the user gave it (a benchmark class name such as ``"golden retriever"``)
and the set of its content words after :mod:`backend.corpus.text` normalization and
lemmatization (``{"golden", "retriever"}``). A document mentions a concept when every one of
those words occurs in it, anywhere and in any order (the papers' rule for multi-word concepts).

A vocabulary comes from a benchmark's class names or a word list
(:func:`vocabulary_from_names`, :func:`read_word_list`), or from the corpus itself: every lemma
in at least ``min_count`` documents (:func:`vocabulary_from_counts`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from backend.corpus.lemmatizer import lemmatize, surface_forms
from backend.corpus.text import STOPWORDS, content_tokens
from backend.exceptions import IngestError, IngestProblem, ValidationError


@dataclass(frozen=True)
class Concept:
    """A concept name and its content-word lemmas (sorted, distinct)."""

    name: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class Vocabulary:
    """The concepts to count; ``skipped`` lists names that have no content word at all."""

    concepts: tuple[Concept, ...]
    skipped: tuple[str, ...] = ()

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.concepts]

    @property
    def words(self) -> list[str]:
        """Every distinct content word of the vocabulary, sorted."""
        return sorted({w for c in self.concepts for w in c.words})

    @property
    def sorted_names(self) -> list[str]:
        """Concept names in id order (the plan's ``concept_id`` indexes this list)."""
        return sorted(self.names)

    def forms_rows(self) -> list[tuple[str, int]]:
        """(token, word id) rows: each surface form that lemmatizes to a vocabulary word; the
        word id indexes :attr:`words`."""
        return [
            (form, word_id)
            for word_id, word in enumerate(self.words)
            for form in sorted(surface_forms(word))
            if form not in STOPWORDS
        ]

    def concept_word_rows(self) -> list[tuple[int, int, int]]:
        """(concept id, word id, number of the concept's words) rows."""
        word_ids = {w: i for i, w in enumerate(self.words)}
        concept_ids = {name: i for i, name in enumerate(self.sorted_names)}
        return [
            (concept_ids[c.name], word_ids[w], len(c.words)) for c in self.concepts for w in c.words
        ]

    def fingerprint(self) -> str:
        """A hash of the concepts and their words (keys checkpoints of a counting run)."""
        payload = json.dumps([[c.name, list(c.words)] for c in self.concepts])
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


def concept_words(name: str) -> tuple[str, ...]:
    """The sorted distinct content-word lemmas of a concept name."""
    return tuple(sorted({lemmatize(token) for token in content_tokens(name)}))


def vocabulary_from_names(names: Iterable[str]) -> Vocabulary:
    """A vocabulary of the given concept names (class names, words); duplicates kept once."""
    concepts: list[Concept] = []
    skipped: list[str] = []
    seen: set[str] = set()
    for raw in names:
        name = str(raw).strip()
        if not name or name in seen:
            continue
        seen.add(name)
        words = concept_words(name)
        if words:
            concepts.append(Concept(name, words))
        else:
            skipped.append(name)
    if not concepts:
        detail = f" (only stopwords: {', '.join(map(repr, skipped[:5]))})" if skipped else ""
        raise ValidationError(f"the concept vocabulary is empty{detail}")
    return Vocabulary(tuple(concepts), tuple(skipped))


def vocabulary_from_counts(counts: Mapping[str, int], *, min_count: int) -> Vocabulary:
    """The words counted in at least ``min_count`` documents, as one-word concepts."""
    kept = sorted(word for word, n in counts.items() if n >= min_count)
    if not kept:
        raise ValidationError(f"the concept vocabulary is empty: no word is in {min_count}+ docs")
    return vocabulary_from_names(kept)


def read_word_list(path: str | Path) -> list[str]:
    """Concept names from a file: ``.json`` (a list, or an object whose keys are the names)
    or text with one name per line (``#`` starts a comment line)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise IngestError(IngestProblem(f"unreadable word list: {exc}", file=str(path))) from exc
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            problem = IngestProblem(f"invalid JSON: {exc.msg}", file=str(path), row=exc.lineno)
            raise IngestError(problem) from exc
        if isinstance(data, dict):
            return [str(k) for k in data]
        if isinstance(data, list) and all(isinstance(x, str) for x in data):
            return list(data)
        raise IngestError(
            IngestProblem("expected a JSON list of names or an object", file=str(path))
        )
    return [
        line.strip()
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
