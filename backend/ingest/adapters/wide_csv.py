"""Wide CSV: one row per checkpoint, one column per metric, with a column mapping.

Without options, ``model`` (required), ``revision`` and the long format's checkpoint and model
columns (``step``, ``tokens_seen``, ``n_params``...) identify the row, and every other column
must be named ``<eval_set>:<metric>``. The option ``columns`` maps a file's own column names:
``{"Model": "model", "ImageNet top-1": "imagenet:acc1", "notes": null}`` (null ignores a
column); the option ``unit`` (e.g. ``percent``) applies to every metric column.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from backend.ingest.adapters.common import cell_measurement
from backend.ingest.adapters.long_rows import CHECKPOINT, MODEL, LongRowParser
from backend.ingest.csvfile import iter_rows, read_header
from backend.ingest.formats import Adapter, Sample
from backend.ingest.validation import CellError, Problems, parse_count, parse_text
from backend.schemas import records as rec

ID_COLUMNS = ("model", "revision") + CHECKPOINT + MODEL


def sniff(sample: Sample) -> bool:
    """A CSV with a ``model`` column and at least one ``<eval_set>:<metric>`` column."""
    header = [h.strip() for h in sample.header]
    return "model" in header and any(":" in h for h in header)


def read(path: Path, *, problems: Problems, options: dict | None = None) -> Iterator[rec.Record]:
    """Checkpoint descriptions and measurements per row."""
    options = options or {}
    mapping = options.get("columns") or {}
    unit = options.get("unit")
    (header,) = read_header(path, problems)
    roles: dict[int, str] = {}
    metrics: dict[int, tuple[str, str]] = {}
    for index, raw in enumerate(h.strip() for h in header):
        target = mapping.get(raw, raw) if raw in mapping else raw
        if target is None:
            continue
        if target in ID_COLUMNS:
            roles[index] = target
        elif ":" in target:
            eval_set, metric = target.split(":", 1)
            metrics[index] = (eval_set.strip(), metric.strip())
        else:
            problems.add(
                "unknown column: name metric columns <eval_set>:<metric>, or map the column "
                f"with the option columns (identifying columns: {', '.join(ID_COLUMNS)})",
                row=1,
                column=raw,
            )
    if "model" not in roles.values():
        problems.add("required column is missing (or map one to it)", row=1, column="model")
    problems.raise_if_any()
    parser = LongRowParser(list(roles.values()), problems)
    for row, fields in iter_rows(path, problems):
        cells = {role: fields[index] for index, role in roles.items()}
        try:
            model = parse_text(cells["model"])
            step = parse_count(cells.get("step"), blank_ok=True)
            revision = parse_text(cells.get("revision"), blank_ok=True, max_length=200)
        except CellError as exc:
            problems.add(str(exc), row=row, column="model/step/revision")
            continue
        if revision is None:
            revision = f"step{step}" if step is not None else rec.DEFAULT_REVISION
        try:
            model_record = parser.model_record(cells, model, row)
            checkpoint = parser.checkpoint_record(cells, model, revision, step, row)
        except CellError as exc:
            problems.add(str(exc), row=row, column=getattr(exc, "column", None))
            continue
        if model_record is not None:
            yield model_record
        if checkpoint is not None:
            yield checkpoint
        for index, (eval_set, metric) in metrics.items():
            record = cell_measurement(
                fields[index],
                model=model,
                revision=revision,
                eval_set=eval_set,
                metric=metric,
                row=row,
                column=header[index].strip(),
                problems=problems,
                unit=unit,
            )
            if record is not None:
                yield record


ADAPTER = Adapter(
    "wide_csv",
    "Wide CSV: model[, revision, step, ...] and one <eval_set>:<metric> column per metric",
    sniff,
    read,
    {"columns": "map file columns to roles or <eval_set>:<metric>", "unit": "e.g. percent"},
)
