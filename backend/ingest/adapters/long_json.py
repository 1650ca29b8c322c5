"""Canonical long JSON: a list of measurement objects (the long CSV's columns as keys), or an
object with such a list under ``"measurements"``. Rows are numbered by list position (1-based)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from backend.ingest.adapters.long_rows import REQUIRED, LongRowParser, check_columns
from backend.ingest.formats import Adapter, Sample
from backend.ingest.jsonfile import load_json
from backend.ingest.validation import Problems
from backend.schemas import records as rec


def _items(document):
    if isinstance(document, dict) and isinstance(document.get("measurements"), list):
        return document["measurements"]
    return document if isinstance(document, list) else None


def sniff(sample: Sample) -> bool:
    """A JSON list whose first object has the long format's required keys."""
    items = _items(sample.json)
    return bool(items) and isinstance(items[0], dict) and all(k in items[0] for k in REQUIRED)


def read(path: Path, *, problems: Problems, options: dict | None = None) -> Iterator[rec.Record]:
    """Records of every object of the list."""
    items = _items(load_json(path, problems))
    if items is None:
        problems.add('expected a list of measurement objects (or {"measurements": [...]})')
        problems.raise_if_any()
    yield from read_items(items, problems)


def read_items(items: list, problems: Problems) -> Iterator[rec.Record]:
    """Records of already parsed measurement objects (e.g. JSON posted to the API)."""
    columns: set[str] = set()
    parser = None
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            problems.add(f"expected an object, found {type(item).__name__}", row=index)
            continue
        if parser is None or not set(item) <= columns:
            columns |= set(item)
            check_columns(sorted(item), problems, row=index)
            parser = LongRowParser(sorted(columns), problems)
        yield from parser.records(item, index)


ADAPTER = Adapter(
    "long_json",
    'Canonical long JSON: [{"model", "revision", "eval_set", "metric", "value", ...}]',
    sniff,
    read,
)
