"""Concept vocabularies from names, word lists and counts."""

from __future__ import annotations

import json

import pytest

from backend.corpus.vocabulary import (
    read_word_list,
    vocabulary_from_counts,
    vocabulary_from_names,
)
from backend.exceptions import IngestError, ValidationError


def test_names_become_lemmatized_content_words():
    vocab = vocabulary_from_names(["Golden Retrievers", "the", "dog", "dog", " Photo of a dog "])
    assert [(c.name, c.words) for c in vocab.concepts] == [
        ("Golden Retrievers", ("golden", "retriever")),
        ("dog", ("dog",)),
        ("Photo of a dog", ("dog", "photo")),
    ]
    assert vocab.skipped == ("the",)
    forms = dict(vocab.forms_rows())
    assert vocab.words[forms["retrievers"]] == "retriever"
    assert vocab.words[forms["dogs"]] == vocab.words[forms["dog"]] == "dog"
    assert vocab.sorted_names == ["Golden Retrievers", "Photo of a dog", "dog"]


def test_empty_vocabulary_is_refused():
    with pytest.raises(ValidationError, match="vocabulary is empty"):
        vocabulary_from_names(["the", "of a", ""])
    with pytest.raises(ValidationError, match="vocabulary is empty"):
        vocabulary_from_counts({"dog": 2}, min_count=3)


def test_vocabulary_from_counts_keeps_words_at_or_above_min_count():
    vocab = vocabulary_from_counts({"dog": 5, "cat": 3, "emu": 2}, min_count=3)
    assert vocab.names == ["cat", "dog"]


def test_word_lists(tmp_path):
    (tmp_path / "a.txt").write_text("# classes\ndog\n\ngolden retriever\n")
    (tmp_path / "b.json").write_text(json.dumps({"dog": 1, "cat": 2}))
    (tmp_path / "c.json").write_text("[1, 2]")
    (tmp_path / "d.json").write_text("{oops")
    assert read_word_list(tmp_path / "a.txt") == ["dog", "golden retriever"]
    assert read_word_list(tmp_path / "b.json") == ["dog", "cat"]
    with pytest.raises(IngestError, match="c.json"):
        read_word_list(tmp_path / "c.json")
    with pytest.raises(IngestError, match="d.json, row 1"):
        read_word_list(tmp_path / "d.json")
    with pytest.raises(IngestError, match="missing.txt"):
        read_word_list(tmp_path / "missing.txt")
