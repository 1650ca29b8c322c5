"""Concept and pair counts of the DuckDB engine against the plain-Python reference."""

from __future__ import annotations

from collections import Counter

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from backend.corpus.counting import CountingCancelled, count_corpus, discover_vocabulary
from backend.corpus.duckdb_engine import DuckDBEngine
from backend.corpus.lemmatizer import lemmatize
from backend.corpus.readers import resolve_shards
from backend.corpus.reference import count_captions_plain
from backend.corpus.text import STOPWORDS, content_tokens
from backend.corpus.vocabulary import vocabulary_from_names
from backend.exceptions import IngestError, ValidationError
from tests.corpus.conftest import write_csv, write_parquet, write_webdataset


@pytest.fixture(scope="module")
def engine():
    engine = DuckDBEngine(threads=2, memory_limit="512MB", batch_rows=300, chunk_rows=128)
    yield engine
    engine.close()


def test_hand_counted_example(tmp_path, engine):
    captions = [
        "Two dogs and a Golden Retriever.",  # dog, golden retriever
        "a golden cat",  # cat (golden alone is not the concept)
        "Retrievers, golden hour; a DOG",  # dog, golden retriever (any order)
        None,  # a document with no words
        "the the the",  # only stopwords
        "cats & dogs & cats",  # cat, dog (each once per document)
    ]
    shard = write_parquet(tmp_path / "s.parquet", captions)
    vocab = vocabulary_from_names(["dog", "cat", "golden retriever", "emu"])
    counts = count_corpus(shards=resolve_shards([shard]), vocabulary=vocab, engine=engine)
    assert counts.n_documents == 6
    assert counts.concepts == {"dog": 3, "cat": 2, "golden retriever": 2, "emu": 0}
    assert counts.pairs == {("dog", "golden retriever"): 2, ("cat", "dog"): 1}


def test_every_format_matches_the_reference(corpus, vocabulary, engine):
    paths, captions = corpus
    shards = resolve_shards([str(p) for p in paths])
    assert [s.format for s in shards] == ["parquet", "csv", "tar", "txt"]
    counts = count_corpus(shards=shards, vocabulary=vocabulary, engine=engine)
    n, concepts, pairs = count_captions_plain(captions, vocabulary)
    assert counts.n_documents == n == 2800
    assert counts.concepts == {name: concepts[name] for name in vocabulary.names}
    assert counts.pairs == dict(pairs)
    assert min(counts.concepts.values()) > 0 and len(counts.pairs) > 50
    assert counts.skipped_concepts == ("The",)


def test_checkpoints_resume_and_cancel(corpus, vocabulary, engine, tmp_path):
    paths, captions = corpus
    shards = resolve_shards([str(p) for p in paths])
    seen: list[tuple[int, int]] = []
    calls = iter([False, False, True])
    with pytest.raises(CountingCancelled, match="after 2 of 4"):
        count_corpus(
            shards=shards,
            vocabulary=vocabulary,
            engine=engine,
            checkpoint_dir=tmp_path,
            progress=lambda done, total, _msg: seen.append((done, total)),
            should_cancel=lambda: next(calls),
        )
    assert seen == [(0, 4), (1, 4), (2, 4)]
    resumed = count_corpus(
        shards=shards, vocabulary=vocabulary, engine=engine, checkpoint_dir=tmp_path
    )
    assert resumed.resumed_shards == 2
    n, concepts, pairs = count_captions_plain(captions, vocabulary)
    assert resumed.n_documents == n
    assert resumed.concepts == {name: concepts[name] for name in vocabulary.names}
    assert resumed.pairs == dict(pairs)


def test_discovered_vocabulary_is_every_lemma_above_min_count(corpus, engine):
    paths, captions = corpus
    shards = resolve_shards([str(p) for p in paths[:2]])
    vocab = discover_vocabulary(shards=shards, engine=engine, min_count=200)
    per_lemma: Counter[str] = Counter()
    for caption in captions[:1400]:
        per_lemma.update({lemmatize(t) for t in content_tokens(caption)} - STOPWORDS)
    assert vocab.names == sorted(w for w, n in per_lemma.items() if n >= 200)
    assert "dog" in vocab.names and "car" in vocab.names


def test_missing_column_names_file_and_column(tmp_path, engine, vocabulary):
    parquet = write_parquet(tmp_path / "p.parquet", ["a dog"], column="text")
    csv_file = write_csv(tmp_path / "c.csv", ["a dog"], column="text")
    tar = write_webdataset(tmp_path / "w.tar", ["a dog"])
    for path, column in ((parquet, "caption"), (csv_file, "caption"), (tar, "json")):
        with pytest.raises(IngestError) as info:
            count_corpus(
                shards=resolve_shards([path]), vocabulary=vocabulary, engine=engine, column=column
            )
        problem = info.value.problems[0]
        assert problem.file == str(path) and problem.column == column


def test_unreadable_shard_and_bad_paths(tmp_path, engine, vocabulary):
    broken = tmp_path / "broken.parquet"
    pq.write_table(pa.table({"caption": ["a dog"] * 100}), broken)
    broken.write_bytes(broken.read_bytes()[:50])
    with pytest.raises(IngestError, match="broken.parquet: unreadable shard"):
        count_corpus(shards=resolve_shards([broken]), vocabulary=vocabulary, engine=engine)
    bad_text = tmp_path / "bad.txt"
    bad_text.write_bytes(b"a dog\n\xff\xfe cat\n")
    with pytest.raises(IngestError, match="bad.txt, row 2: not UTF-8"):
        count_corpus(shards=resolve_shards([bad_text]), vocabulary=vocabulary, engine=engine)
    with pytest.raises(IngestError, match="no caption shard matches"):
        resolve_shards([str(tmp_path / "*.csv")])
    (tmp_path / "notes.md").write_text("x")
    with pytest.raises(IngestError, match="notes.md: not a caption shard"):
        resolve_shards([tmp_path / "notes.md"])
    with pytest.raises(ValidationError, match="no caption shards"):
        count_corpus(shards=[], vocabulary=vocabulary, engine=engine)
