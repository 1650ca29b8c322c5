"""A small caption corpus written by the tests, in every shard format, and its vocabulary."""

from __future__ import annotations

import io
import random
import tarfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from backend.corpus.vocabulary import Vocabulary, vocabulary_from_names

# Words with plurals, irregulars, stopwords, case, punctuation and non-ASCII around them.
CAPTION_WORDS = (
    "dog Dogs DOG puppy puppies cat cats kitten golden Golden retriever retrievers box boxes "
    "glass glasses man men woman women child children knife knives bus buses tennis series "
    "the a of and with on in is was it's café naïve 2020 red-car car cars, car. (car) "
    "hot-dog hot dog hotdog photo photos image stock balls"
).split()

CONCEPTS = [
    "dog",
    "Cat",
    "golden retriever",
    "box",
    "glasses",
    "man",
    "woman",
    "children",
    "knife",
    "bus",
    "tennis ball",
    "hot dog",
    "car",
    "red car",
    "series",
    "The",  # only a stopword: skipped
    "photo of a man",
]


def make_captions(n: int, seed: int) -> list[str | None]:
    """``n`` synthetic captions (some empty, some null), reproducible from ``seed``."""
    rng = random.Random(seed)
    captions: list[str | None] = []
    for i in range(n):
        if i % 97 == 0:
            captions.append(None)
            continue
        words = [rng.choice(CAPTION_WORDS) for _ in range(rng.randint(0, 12))]
        captions.append(rng.choice(["", "A ", "Photo: "]) + " ".join(words) + rng.choice(["", "!"]))
    return captions


def write_parquet(path: Path, captions: list[str | None], column: str = "caption") -> Path:
    pq.write_table(pa.table({"key": list(range(len(captions))), column: captions}), path)
    return path


def write_csv(path: Path, captions: list[str | None], column: str = "caption") -> Path:
    import csv

    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["key", column])
        for i, caption in enumerate(captions):
            writer.writerow([i, "" if caption is None else caption])
    return path


def write_webdataset(path: Path, captions: list[str | None]) -> Path:
    with tarfile.open(path, "w") as archive:
        for i, caption in enumerate(captions):
            for ext, payload in (("jpg", b"\xff\xd8"), ("txt", (caption or "").encode())):
                info = tarfile.TarInfo(f"{i:09d}.{ext}")
                info.size = len(payload)
                archive.addfile(info, io.BytesIO(payload))
    return path


def write_lines(path: Path, captions: list[str | None]) -> Path:
    text = "\n".join((c or "").replace("\n", " ") for c in captions) + "\n"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def vocabulary() -> Vocabulary:
    return vocabulary_from_names(CONCEPTS)


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> tuple[list[Path], list[str | None]]:
    """Four shards, one per format, and all their captions in shard order.

    Null captions become empty lines in the text formats, so they are empty everywhere.
    """
    root = tmp_path_factory.mktemp("corpus")
    parts = [[c or "" for c in make_captions(700, seed)] for seed in range(4)]
    parts[0][5] = None  # a real null in the Parquet shard
    paths = [
        write_parquet(root / "shard-0.parquet", parts[0]),
        write_csv(root / "shard-1.csv", parts[1]),
        write_webdataset(root / "shard-2.tar", parts[2]),
        write_lines(root / "shard-3.txt", parts[3]),
    ]
    return paths, [c for part in parts for c in part]
