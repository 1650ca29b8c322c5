"""Concept frequency JSON ``{concept: count}`` (frequency_determines_performance,
``search_counts/{downstream}_{corpus}_{method}_search_counts.json``).

Corpus and counting method come from the file name, or from the options ``corpus`` and
``method``; the downstream dataset the concept list belongs to is kept on the corpus's
attributes only as provenance (counts are per corpus, method and concept).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from backend.ingest.formats import Adapter, Sample
from backend.ingest.jsonfile import load_json
from backend.ingest.validation import CellError, Problems, parse_count
from backend.schemas import records as rec

KNOWN_CORPORA = (
    "cc3m",
    "cc12m",
    "yfcc15m",
    "laion400m",
    "laion_aesthetics",
    "synthci30m",
    "laion200m",
    "laion2b",
    "datacomp",
)
FILE_NAME = re.compile(
    r"^(?P<downstream>.+?)_(?P<corpus>" + "|".join(KNOWN_CORPORA) + r")_(?P<method>.+?)"
    r"(?:_search_counts)?\.json$"
)


def sniff(sample: Sample) -> bool:
    """A JSON object whose values are all whole numbers."""
    doc = sample.json
    return (
        isinstance(doc, dict)
        and bool(doc)
        and all(isinstance(v, int) and not isinstance(v, bool) for v in doc.values())
    )


def read(path: Path, *, problems: Problems, options: dict | None = None) -> Iterator[rec.Record]:
    """A concept frequency per key."""
    options = options or {}
    match = FILE_NAME.match(problems.file or path.name)  # the name the user gave the file
    corpus = options.get("corpus") or (match and match.group("corpus"))
    method = options.get("method") or (match and match.group("method"))
    if not corpus or not method:
        problems.add(
            "cannot tell the corpus and counting method from the file name (expected "
            "{downstream}_{corpus}_{method}_search_counts.json); pass the options corpus and method"
        )
        problems.raise_if_any()
    doc = load_json(path, problems)
    if not isinstance(doc, dict):
        problems.add("expected an object {concept: count}")
        problems.raise_if_any()
    yield rec.CorpusRecord(corpus)
    for concept, value in doc.items():
        if not concept.strip():
            # Some published files (coco_*_rampp0.7) carry an empty key; it names no concept.
            problems.warn(f"skipped the entry with an empty concept name (count {value!r})")
            continue
        if len(concept) > 300:
            problems.add("expected a concept name of at most 300 characters", column=concept[:60])
            continue
        try:
            count = parse_count(value)
        except CellError as exc:
            problems.add(str(exc), column=concept)
            continue
        yield rec.ConceptFrequencyRecord(corpus, method, concept, count)


ADAPTER = Adapter(
    "concept_frequencies",
    "Concept frequency JSON {concept: count}; corpus and method from the file name or options",
    sniff,
    read,
)
