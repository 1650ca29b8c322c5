"""The numpy counting path (token_match, batch_counts) against the plain-Python reference."""

from __future__ import annotations

import random

import numpy as np
import pyarrow as pa
import pytest

from backend.corpus.batch_counts import CountsAccumulator, concept_table, count_batch
from backend.corpus.reference import count_captions_plain
from backend.corpus.text import tokenize
from backend.corpus.token_match import caption_bytes, form_table, match_forms, token_spans
from backend.corpus.vocabulary import Vocabulary, vocabulary_from_names

LONG = "supercalifragilisticexpialidocious"  # five blocks of 8 bytes
WORDS = [
    "dog", "dogs", "Dog", "cat", "abcdefgh", "abcdefghi", "abcdefghij", "abcdefg",
    "abcdefghabcdefgh", "abcdefghabcdefghx", LONG, LONG + "s", LONG[:-1], LONG.upper(),
    "café", "naïve", "2020", "x1", "the", "a", "glasses", "boxes", "children", "golden",
    "retriever", "retrievers", "hot-dog", "hot", "ÄÖÜ", "e\u0301", "日本", "🙂dog",
]  # fmt: skip
CONCEPTS = [
    "dog", "Cat", "abcdefgh", "abcdefghi", "abcdefghabcdefgh", LONG, "caf", "naive", "2020",
    "x1", "glass", "box", "child", "golden retriever", "hot dog", "Dogs", "dog hot golden",
    "the", "abcdefghij cat",
]  # fmt: skip


def counted(captions: list[str | None], vocabulary: Vocabulary, chunk: int) -> tuple:
    """(documents, concepts, pairs) through the numpy path, ``chunk`` captions per batch."""
    table = concept_table(vocabulary)
    total = CountsAccumulator(table)
    array = pa.array(captions, pa.string())
    for start in range(0, len(captions), chunk):
        total.add(count_batch(array.slice(start, chunk), table))
    counts = total.shard_counts(0)
    return counts.n_documents, dict(counts.concepts), dict(counts.pairs)


def random_captions(n: int, seed: int) -> list[str | None]:
    rng = random.Random(seed)
    captions: list[str | None] = []
    for _ in range(n):
        if rng.random() < 0.03:
            captions.append(None)
            continue
        words = [rng.choice(WORDS) for _ in range(rng.randint(0, 8))]
        glue = [rng.choice([" ", ", ", "", "-", ". "]) for _ in words]  # "" glues two words
        captions.append("".join(w + g for w, g in zip(words, glue, strict=True)).strip(" "))
    return captions


@pytest.mark.parametrize("chunk", [1, 7, 1000])
def test_counts_equal_the_reference(chunk):
    captions = random_captions(1500, seed=chunk)
    vocabulary = vocabulary_from_names(CONCEPTS)
    n, concepts, pairs = count_captions_plain(captions, vocabulary)
    assert counted(captions, vocabulary, chunk) == (
        n,
        {name: k for name, k in concepts.items() if k},
        dict(pairs),
    )
    assert concepts[LONG] > 0 and concepts["abcdefghij cat"] > 0


def test_tokens_are_cut_at_caption_boundaries():
    """Captions are adjacent in the Arrow buffer: 'dog' + 'cat' must not read as 'dogcat'."""
    captions = ["a dog", "cat", "dogcat", "", None, "cat!", "dog"]
    texts = pa.array(captions)
    data, offsets = caption_bytes(texts)
    starts, lengths = token_spans(data, offsets)
    spans = [bytes(data[s : s + n]).decode() for s, n in zip(starts, lengths, strict=True)]
    assert spans == [t for c in captions for t in tokenize(c)]
    vocabulary = vocabulary_from_names(["dog", "cat", "dogcat"])
    assert counted(captions, vocabulary, 100)[1] == {"dog": 2, "cat": 2, "dogcat": 1}


def test_sliced_large_and_chunked_arrays():
    captions = random_captions(300, seed=5)
    vocabulary = vocabulary_from_names(CONCEPTS)
    table = concept_table(vocabulary)
    plain = pa.array(captions, pa.string()).slice(17, 200)
    expected = count_batch(plain, table)
    for texts in (
        pa.array(captions, pa.large_string()).slice(17, 200),
        pa.chunked_array([pa.array(captions[17:100]), pa.array(captions[100:217])]),
    ):
        got = count_batch(texts, table)
        assert got.n_documents == 200
        assert np.array_equal(got.concepts, expected.concepts)
        assert np.array_equal(got.pair_keys, expected.pair_keys)
        assert np.array_equal(got.pair_counts, expected.pair_counts)


def test_many_forms_with_shared_prefixes_match_exactly():
    """Thousands of forms, many sharing their first 8 or 16 bytes, fill the hash table enough
    to collide; every token found is exactly one form."""
    rng = random.Random(3)
    stems = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(8))
             for _ in range(300)]  # fmt: skip
    forms = sorted(
        {s + "".join(rng.choice("abz9") for _ in range(rng.randint(0, 20))) for s in stems * 10}
    )
    table = form_table([(form, i) for i, form in enumerate(forms)])
    tokens = forms + [f + "q" for f in forms[::3]] + [f[:-1] for f in forms[::5] if len(f) > 1]
    captions = [" ".join(tokens[i : i + 9]).upper() for i in range(0, len(tokens), 9)]
    found_captions, found_words = match_forms(pa.array(captions), table)
    index = {form: i for i, form in enumerate(forms)}
    expected = [
        (c, index[t]) for c, caption in enumerate(captions) for t in tokenize(caption) if t in index
    ]
    found = zip(found_captions.tolist(), found_words.tolist(), strict=True)
    assert sorted(found) == sorted(expected)


def test_empty_batch_and_no_hits():
    vocabulary = vocabulary_from_names(["emu"])
    assert counted([], vocabulary, 10) == (0, {}, {})
    assert counted(["", None, "dogs and cats"], vocabulary, 10) == (3, {}, {})
