"""Benchmark: concept counting and train-test similarity on synthetic corpora.

    .venv/bin/python bench/bench_corpus.py                     # 10M captions, 1M embeddings
    .venv/bin/python bench/bench_corpus.py --captions 1000000 --embeddings 100000   # quick

Counting: ``--captions`` synthetic captions (Zipf-distributed pseudo-words, plurals, capitals,
punctuation; about 10 words each) in Parquet shards of 1M rows, a vocabulary of ``--concepts``
concepts (80 % one word, 20 % two words). The DuckDB engine (DuckDB reads, numpy counts) counts
all of them, once with 1 thread and once with 2 (captions/s include reading Parquet; CPU-s per
1M captions say what a loaded machine cannot: the rate on free cores). The papers'
plain-Python approach (one regex + dictionary loop per caption,
:func:`backend.corpus.reference.count_captions_plain`) runs on the first ``--python-sample``
captions only and its rate is extrapolated; on that sample both counts are compared for
equality. Ratios come from the same run.

Similarity: ``--queries`` random test embeddings against ``--embeddings`` corpus rows
(float16 ``.npy`` shards, dim ``--dim``), exact chunked numpy products on CPU; test images/s.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from _report import add_json_argument, write_result

from backend.corpus.counting import count_corpus
from backend.corpus.duckdb_engine import DuckDBEngine
from backend.corpus.readers import resolve_shards
from backend.corpus.reference import count_captions_plain
from backend.corpus.similarity import embedding_shards, max_similarity
from backend.corpus.text import STOPWORDS
from backend.corpus.vocabulary import vocabulary_from_names

SHARD_ROWS = 1_000_000
WORDS_PER_CAPTION = 10


def pseudo_words(n: int, rng: np.random.Generator) -> list[str]:
    """``n`` distinct lowercase pseudo-words that are their own lemma (no trailing s)."""
    consonants, vowels = "bcdfghklmnprtvz", "aeiou"
    words: set[str] = set()
    while len(words) < n:
        length = int(rng.integers(2, 5))
        word = "".join(
            rng.choice(list(consonants)) + rng.choice(list(vowels)) for _ in range(length)
        )
        word += rng.choice(list("dkmnrt"))
        if word not in STOPWORDS:
            words.add(word)
    return sorted(words)


def token_table(words: list[str]) -> tuple[np.ndarray, np.ndarray, int]:
    """Variants of every word (plain, plural, Capitalized; then ' ', ', ' or '. ') as a padded
    byte matrix with lengths; variant ``v`` of word ``w`` is row ``w * 9 + v``."""
    variants = []
    for word in words:
        for form in (word, word + "s", word.capitalize()):
            for sep in (" ", ", ", ". "):
                variants.append((form + sep).encode())
    width = max(map(len, variants))
    table = np.zeros((len(variants), width), dtype=np.uint8)
    lengths = np.array([len(v) for v in variants], dtype=np.int64)
    for i, v in enumerate(variants):
        table[i, : len(v)] = np.frombuffer(v, dtype=np.uint8)
    return table, lengths, width


def synthetic_captions(n: int, table, lengths, n_words: int, rng) -> pa.Array:
    """``n`` captions as one Arrow string array, built without a Python loop per caption."""
    ranks = np.minimum(rng.zipf(1.15, size=(n, WORDS_PER_CAPTION)) - 1, n_words - 1)
    variant = rng.choice(9, size=ranks.shape, p=[0.5, 0.1, 0.1, 0.1, 0.05, 0.05, 0.06, 0.02, 0.02])
    rows = (ranks * 9 + variant).ravel()
    token_lengths = lengths[rows]
    mask = np.arange(table.shape[1])[None, :] < token_lengths[:, None]
    data = table[rows][mask]
    caption_lengths = token_lengths.reshape(n, WORDS_PER_CAPTION).sum(axis=1)
    offsets = np.concatenate([[0], np.cumsum(caption_lengths)]).astype(np.int64)
    return pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data))


def write_corpus(folder: Path, n_captions: int, n_concepts: int, seed: int = 0):
    """Parquet shards of synthetic captions and a concept list drawn from the same words."""
    rng = np.random.default_rng(seed)
    words = pseudo_words(20_000, rng)
    rng.shuffle(words)  # rank order is random with respect to spelling
    table, lengths, _ = token_table(words)
    for index, start in enumerate(range(0, n_captions, SHARD_ROWS)):
        n = min(SHARD_ROWS, n_captions - start)
        captions = synthetic_captions(n, table, lengths, len(words), rng)
        pq.write_table(pa.table({"caption": captions}), folder / f"captions-{index:05d}.parquet")
    ranks = np.unique(
        np.exp(rng.uniform(np.log(20), np.log(len(words)), 3 * n_concepts)).astype(int)
    )
    picks = [words[r] for r in rng.permutation(ranks)]
    n_single = int(0.8 * n_concepts)
    concepts = picks[:n_single]
    rest = picks[n_single:]
    concepts += [f"{a} {b}" for a, b in zip(rest[0::2], rest[1::2], strict=False)]
    return concepts[:n_concepts]


def bench_counting(args, folder: Path, figures: dict) -> None:
    t0 = time.perf_counter()
    concepts = write_corpus(folder, args.captions, args.concepts)
    vocabulary = vocabulary_from_names(concepts)
    shards = resolve_shards([str(folder / "*.parquet")])
    print(
        f"corpus: {args.captions:,} captions in {len(shards)} Parquet shards, "
        f"{len(vocabulary.concepts)} concepts; written in {time.perf_counter() - t0:.1f} s"
    )
    rates, cpu_rates, results = {}, {}, {}
    print(f"load average before counting: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for threads in args.threads:
        engine = DuckDBEngine(threads=threads, memory_limit=args.memory_limit)
        start, cpu = time.perf_counter(), time.process_time()
        results[threads] = count_corpus(shards=shards, vocabulary=vocabulary, engine=engine)
        seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
        engine.close()
        rates[threads] = args.captions / seconds
        cpu_rates[threads] = args.captions / cpu_seconds
        print(
            f"duckdb engine, {threads} thread(s): {seconds:7.2f} s wall {rates[threads]:>12,.0f} "
            f"captions/s | {cpu_seconds:7.2f} CPU-s {cpu_rates[threads]:>12,.0f} captions/CPU-s "
            f"({1e6 / cpu_rates[threads]:.2f} CPU-s per 1M captions)"
        )
    counts = results[args.threads[-1]]
    assert all(r == counts for r in results.values()), "thread counts disagree"
    sample = pq.read_table(shards[0].path).column("caption").slice(0, args.python_sample)
    captions = sample.to_pylist()
    start, cpu = time.perf_counter(), time.process_time()
    n, plain_concepts, plain_pairs = count_captions_plain(captions, vocabulary)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    python_rate, python_cpu_rate = n / seconds, n / cpu_seconds
    print(
        f"plain Python (papers' regex + dict loop), first {n:,} captions, extrapolated: "
        f"{seconds:7.2f} s wall {python_rate:>12,.0f} captions/s | {cpu_seconds:7.2f} CPU-s "
        f"{python_cpu_rate:>12,.0f} captions/CPU-s "
        f"(whole corpus: ~{args.captions / python_rate:,.0f} s)"
    )
    check_folder = folder / "sample"
    check_folder.mkdir(exist_ok=True)
    pq.write_table(pa.table({"caption": sample}), check_folder / "sample.parquet")
    check = count_corpus(
        shards=resolve_shards([str(check_folder / "sample.parquet")]),
        vocabulary=vocabulary,
        engine=DuckDBEngine(threads=1),
    )
    same = check.concepts == {c: plain_concepts[c] for c in vocabulary.names} and (
        check.pairs == dict(plain_pairs)
    )
    print(f"sample counts identical to the plain-Python reference: {same}")
    figures["counting_captions"] = args.captions
    figures["counting_same_as_reference"] = bool(same)
    figures["python_reference_captions_per_s"] = python_rate
    for threads in rates:
        figures[f"captions_per_s_{threads}_threads"] = rates[threads]
        figures[f"captions_per_cpu_s_{threads}_threads"] = cpu_rates[threads]
        figures[f"cpu_s_per_1m_captions_{threads}_threads"] = 1e6 / cpu_rates[threads]
    fastest = max(rates, key=rates.get)
    print(
        f"DuckDB ({fastest} threads) vs plain Python: {rates[fastest] / python_rate:,.1f}x wall; "
        f"per CPU-second {cpu_rates[fastest] / python_cpu_rate:,.1f}x"
    )
    if 1 in rates and 2 in rates:
        print(f"scaling 1 -> 2 threads (wall): {rates[2] / rates[1]:.2f}x")
        print(
            f"2-thread rate if both cores were free (captions / (CPU-s / 2)): "
            f"{2 * cpu_rates[2]:,.0f} captions/s"
        )
    mentioned = sum(1 for v in counts.concepts.values() if v)
    print(f"concepts found: {mentioned} of {len(counts.concepts)}; pairs: {len(counts.pairs):,}")


def bench_similarity(args, folder: Path, figures: dict) -> None:
    rng = np.random.default_rng(1)
    emb = folder / "img_emb"
    emb.mkdir()
    per_shard = 250_000
    for index, start in enumerate(range(0, args.embeddings, per_shard)):
        n = min(per_shard, args.embeddings - start)
        block = rng.standard_normal((n, args.dim), dtype=np.float32)
        block /= np.linalg.norm(block, axis=1, keepdims=True)
        np.save(emb / f"img_emb_{index}.npy", block.astype(np.float16))
    queries = rng.standard_normal((args.queries, args.dim), dtype=np.float32)
    shards = embedding_shards([folder])
    load = os.getloadavg()[0]
    start, cpu = time.perf_counter(), time.process_time()
    result = max_similarity(queries=queries, shards=shards, method="exact")
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    figures["similarity_test_images_per_s"] = args.queries / seconds
    figures["similarity_corpus_rows"] = result.n_corpus
    print(
        f"similarity (exact, numpy CPU, {os.cpu_count()} cores): {args.queries:,} test images x "
        f"{result.n_corpus:,} corpus rows (dim {args.dim}, float16 shards): {seconds:.2f} s  "
        f"{args.queries / seconds:,.0f} test images/s wall; {cpu_seconds:.1f} CPU-s "
        f"({2 * args.queries / cpu_seconds:,.0f} test images/s on 2 free cores); load {load:.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--captions", type=int, default=10_000_000)
    parser.add_argument("--concepts", type=int, default=1000)
    parser.add_argument("--python-sample", type=int, default=200_000)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--memory-limit", default="2GB")
    parser.add_argument("--embeddings", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--dim", type=int, default=512)
    parser.add_argument("--skip", choices=["counting", "similarity"], default=None)
    add_json_argument(parser)
    args = parser.parse_args()
    figures: dict = {}
    with tempfile.TemporaryDirectory(prefix="bench-corpus-") as tmp:
        if args.skip != "counting":
            (Path(tmp) / "captions").mkdir()
            bench_counting(args, Path(tmp) / "captions", figures)
        if args.skip != "similarity":
            (Path(tmp) / "embeddings").mkdir()
            bench_similarity(args, Path(tmp) / "embeddings", figures)
    aims = {"captions_per_s_2_threads": ">= 1_000_000", "counting_same_as_reference": "== true"}
    write_result("bench_corpus", figures, aims, args.json)


if __name__ == "__main__":
    main()
