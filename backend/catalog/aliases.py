"""The curated alias table (``aliases.csv``, shipped with the code): ``kind, alias,
canonical, display_name, why``; kinds are ``eval_set``, ``metric``, ``model`` and
``pretraining_data``. Ingest maps every name through :func:`canonical`, so each source's
spelling lands on one entity; the API maps query names the same way (aliases are accepted).
A name the table does not know is kept as it is (and listed by :func:`unknown_names`)."""

from __future__ import annotations

import csv
import dataclasses
import functools
from collections.abc import Iterable, Iterator
from pathlib import Path

from backend.schemas import records as rec

TABLE = Path(__file__).resolve().parent / "aliases.csv"
KINDS = ("eval_set", "metric", "model", "pretraining_data")


@dataclasses.dataclass(frozen=True)
class Alias:
    """One row of the table."""

    kind: str
    alias: str
    canonical: str
    display_name: str
    why: str


@functools.lru_cache(maxsize=1)
def table() -> tuple[Alias, ...]:
    """Every row of ``aliases.csv``."""
    with open(TABLE, newline="") as handle:
        return tuple(Alias(**row) for row in csv.DictReader(handle))


@functools.lru_cache(maxsize=1)
def _maps() -> tuple[dict[tuple[str, str], str], dict[tuple[str, str], str]]:
    to_canonical: dict[tuple[str, str], str] = {}
    display: dict[tuple[str, str], str] = {}
    for row in table():
        to_canonical[(row.kind, row.alias)] = row.canonical
        display[(row.kind, row.canonical)] = row.display_name
    return to_canonical, display


def canonical(kind: str, name: str | None) -> str | None:
    """The canonical name of ``name`` (itself when the table does not list it)."""
    if name is None:
        return None
    return _maps()[0].get((kind, name), name)


def display_name(kind: str, name: str) -> str:
    """How ``name`` (canonical) is shown; the name itself when the table has none."""
    return _maps()[1].get((kind, canonical(kind, name) or name), name)


def is_known(kind: str, name: str) -> bool:
    """Whether the table lists ``name`` as an alias or a canonical name."""
    to_canonical, display = _maps()
    return (kind, name) in to_canonical or (kind, name) in display


def unknown_names(kind: str, names: Iterable[str]) -> list[str]:
    """The names the table does not know (to review: add them or their aliases)."""
    return sorted({name for name in names if not is_known(kind, name)})


def canonical_record(record: rec.Record) -> rec.Record:
    """``record`` with its eval set, metric and pretraining data names made canonical."""
    updates = {}
    for field, kind in (
        ("eval_set", "eval_set"),
        ("metric", "metric"),
        ("pretraining_data", "pretraining_data"),
    ):
        value = getattr(record, field, None)
        if isinstance(value, str):
            mapped = canonical(kind, value)
            if mapped != value:
                updates[field] = mapped
    if isinstance(record, rec.EvalSetRecord):
        mapped = canonical("eval_set", record.name)
        if mapped != record.name:
            updates["name"] = mapped
    if not updates:
        return record
    if isinstance(record, tuple) and hasattr(record, "_replace"):
        return record._replace(**updates)
    return dataclasses.replace(record, **updates)


def canonical_records(records: Iterable[rec.Record]) -> Iterator[rec.Record]:
    """Every record of ``records`` with canonical names (measurements, which come by the
    million, look their eval set and metric up once per distinct pair)."""
    pairs: dict[tuple, tuple] = {}
    measurement = rec.MeasurementRecord
    for record in records:
        if record.__class__ is not measurement:
            if record.__class__ is rec.CheckpointRecord:  # names no eval set, metric or data
                yield record
            elif isinstance(record, rec.MeasurementColumns):
                yield canonical_columns(record)
            else:
                yield canonical_record(record)
            continue
        pair = (record.eval_set, record.metric)
        mapped = pairs.get(pair)
        if mapped is None:
            named = canonical_record(record)
            mapped = pairs[pair] = (named.eval_set, named.metric)
        yield record if mapped == pair else record._replace(eval_set=mapped[0], metric=mapped[1])


def canonical_columns(columns: rec.MeasurementColumns) -> rec.MeasurementColumns:
    """Measurement columns with canonical eval set and metric names (looked up once per
    distinct name)."""
    updates = {}
    for field in ("eval_set", "metric"):
        names = getattr(columns, field)
        mapped = {name: canonical(field, name) for name in set(names)}
        if any(name != to for name, to in mapped.items()):
            updates[field] = list(map(mapped.__getitem__, names))
    return dataclasses.replace(columns, **updates) if updates else columns


def canonical_key(key: str) -> str:
    """An ``eval_set:metric`` key with both parts canonical (URLs may use aliases)."""
    eval_set, sep, metric = key.rpartition(":")
    if not sep:
        return key
    return f"{canonical('eval_set', eval_set)}:{canonical('metric', metric)}"
