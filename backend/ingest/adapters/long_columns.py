"""The columnar fast path of the long CSV: chunks of rows read by the C ``csv`` reader,
turned into columns and checked column by column (``float``/``int`` over a whole column, text
checks once per distinct value); each chunk becomes one :class:`MeasurementColumns` (plus the
checkpoint records its step/tokens/FLOPs cells state). Anything unusual in a chunk (a blank or
bad cell, NaN, padding spaces, a long name, a blank line, a quoted line break) stops the fast
path: :func:`read_fast` returns the line it got to, and the row-by-row parser takes over from
there, naming the row and column of what is wrong.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Generator, Sequence
from itertools import islice
from pathlib import Path

from backend.ingest.adapters.long_rows import LongRowParser
from backend.ingest.validation import CellError, parse_count, parse_float
from backend.schemas import records as rec

#: Columns the fast path reads (any other column: the row-by-row path).
COLUMNS = frozenset(
    {"model", "revision", "eval_set", "metric", "value", "stderr", "n"}
    | {"step", "tokens_seen", "samples_seen", "flops"}
)
CHECKPOINT_COLUMNS = ("step", "tokens_seen", "samples_seen", "flops")
TEXT_LIMITS = {"model": 300, "revision": 200, "eval_set": 200, "metric": 100}
CHUNK_ROWS = 20_000  # rows held at once (as the writer stages, ingest_batch_rows)


class _Unusual(Exception):
    """Something in the chunk needs the row-by-row parser."""


def applies(columns: Sequence[str]) -> bool:
    """Whether a header can take the fast path."""
    return set(columns) <= COLUMNS and "revision" in columns


def read_fast(
    path: Path, columns: list[str], parser: LongRowParser
) -> Generator[rec.Record, None, int | None]:
    """Yield the records of the file chunk by chunk (``CHUNK_ROWS`` rows); returns None when
    all was read, else the last line read so far (the row-by-row parser goes on after it)."""
    chunk_rows = CHUNK_ROWS
    where = {c: i for i, c in enumerate(columns)}
    width = len(columns)
    done = 1
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            next(reader)  # the header, read and checked before
            done = reader.line_num
            while True:
                chunk = list(islice(reader, chunk_rows))
                if not chunk:
                    return None
                if reader.line_num - done != len(chunk) or set(map(len, chunk)) != {width}:
                    return done  # a blank line, a quoted line break or a short row
                first = done + 1
                last_checkpoint = parser.last_checkpoint
                try:
                    records = _chunk_records(chunk, where, parser, first)
                except _Unusual:
                    parser.last_checkpoint = last_checkpoint  # as if the chunk was not read
                    return done
                done = reader.line_num
                yield from records
    except (UnicodeDecodeError, csv.Error):
        return done


def _chunk_records(
    chunk: list[list[str]], where: dict[str, int], parser: LongRowParser, first: int
) -> list[rec.Record]:
    cells = list(zip(*chunk, strict=True))
    text = {name: _text_column(cells[where[name]], limit) for name, limit in TEXT_LIMITS.items()}
    value = _floats(cells[where["value"]])
    stderr = _floats(cells[where["stderr"]], nonnegative=True) if "stderr" in where else None
    n = _counts(cells[where["n"]]) if "n" in where else None
    rows = range(first, first + len(chunk))
    out: list[rec.Record] = []
    stated = [c for c in CHECKPOINT_COLUMNS if c in where]
    if stated:
        out += _checkpoints(text["model"], text["revision"], stated, cells, where, parser, rows)
    out.append(
        rec.MeasurementColumns(
            text["model"],
            text["revision"],
            text["eval_set"],
            text["metric"],
            value,
            stderr,
            n,
            rows,
        )
    )
    return out


def _text_column(column: Sequence[str], limit: int) -> Sequence[str]:
    """The column as it is, when every distinct value is non-empty, unpadded and short."""
    for value in set(column):
        if not value or len(value) > limit or value != value.strip():
            raise _Unusual
    return column


def _floats(column: Sequence[str], *, nonnegative: bool = False) -> list[float]:
    try:
        values = list(map(float, column))
    except ValueError:
        raise _Unusual from None
    if not all(map(math.isfinite, values)) or (nonnegative and min(values) < 0):
        raise _Unusual
    return values


def _counts(column: Sequence[str]) -> list[int]:
    try:
        values = list(map(int, column))
    except ValueError:
        raise _Unusual from None
    if min(values) < 0 or max(values) > 2**53:  # beyond 2**53 parse_count rounds via float
        raise _Unusual
    return values


def _checkpoints(model, revision, stated, cells, where, parser, rows) -> list[rec.Record]:
    """The checkpoint records the chunk's step/tokens/FLOPs cells state, as the row-by-row
    parser makes them (a new one where a row's cells differ from the row before)."""
    out: list[rec.Record] = []
    columns = [cells[where[c]] for c in stated]
    numbers = [c for c in stated if c != "step"]
    has_step = "step" in stated
    last = parser.last_checkpoint
    for index, key in enumerate(zip(model, revision, *columns, strict=True)):
        if key == last:
            continue
        last = key
        named = dict(zip(stated, key[2:], strict=True))
        try:
            step = parse_count(named["step"], blank_ok=True) if has_step else None
            values = {c: parse_float(named[c], nonnegative=True, blank_ok=True) for c in numbers}
        except CellError:
            raise _Unusual from None
        if step is not None or any(v is not None for v in values.values()):
            out.append(rec.CheckpointRecord(key[0], key[1], step, row=rows[index], **values))
    parser.last_checkpoint = last
    return out
