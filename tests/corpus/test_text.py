"""Normalization, stopwords and the lemmatizer: the definition of a token."""

from __future__ import annotations

import random

import pyarrow as pa
import pytest

from backend.corpus.lemmatizer import IRREGULAR, lemmatize, surface_forms
from backend.corpus.text import content_tokens, normalize_array, normalize_text, tokenize


def test_tokenize_lowercases_and_splits_on_non_alphanumerics():
    assert tokenize("A Golden-Retriever, on the BEACH! (2020)") == [
        "a", "golden", "retriever", "on", "the", "beach", "2020",
    ]  # fmt: skip
    assert tokenize("café naïve") == ["caf", "na", "ve"]
    assert tokenize(None) == [] and tokenize("") == []


def test_content_tokens_drop_stopwords():
    assert content_tokens("A photo of the dog and its ball") == ["photo", "dog", "ball"]


def test_normalize_array_matches_normalize_text_and_tokenize():
    texts = ["Hello, World!", None, "", "café—naïve “quoted” 😀 x", "UPPER lower 123_abc"]
    array = pa.array(texts, pa.string())
    normalized = normalize_array(array).to_pylist()
    assert normalized == [normalize_text(t) for t in texts]
    assert [n.split() for n in normalized] == [tokenize(t) for t in texts]
    sliced = normalize_array(array.slice(3, 2)).to_pylist()
    assert sliced == normalized[3:5]


@pytest.mark.parametrize(
    ("word", "lemma"),
    [
        ("dogs", "dog"),
        ("puppies", "puppy"),
        ("pies", "pie"),
        ("glasses", "glass"),
        ("boxes", "box"),
        ("watches", "watch"),
        ("dishes", "dish"),
        ("knives", "knife"),
        ("men", "man"),
        ("children", "child"),
        ("buses", "bus"),
        ("headaches", "headache"),
        ("houses", "house"),
        ("cactus", "cactus"),
        ("tennis", "tennis"),
        ("series", "series"),
        ("running", "running"),
        ("bus", "bus"),
    ],
)
def test_lemmatize_singularizes_nouns(word, lemma):
    assert lemmatize(word) == lemma


def test_surface_forms_invert_lemmatize_exactly():
    """Every token maps into the forms of its lemma (what the engines' join relies on)."""
    rng = random.Random(7)
    letters = "abcehilorsuxyzt"
    tokens = {"".join(rng.choice(letters) for _ in range(rng.randint(1, 7))) for _ in range(30000)}
    tokens |= set(IRREGULAR) | set(IRREGULAR.values())
    for token in tokens:
        lemma = lemmatize(token)
        assert token in surface_forms(lemma), token
        assert all(lemmatize(form) == lemma for form in surface_forms(lemma))
