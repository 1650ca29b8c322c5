"""Observational-scaling CSVs (ryoungj/ObsScaling ``eval_results/*.csv``; Ruan et al. 2024):
one row per public LLM, ``Model`` first, then (in the base and instruct benchmark files)
``Model Family``, ``Model Size (B)``, ``Pretraining Data Size (T)``, ``FLOPs (1E21)``, then one
column per benchmark.

Model ``Model`` (family, parameters = size × 1e9), checkpoint ``final`` with tokens =
T × 1e12 and FLOPs = F × 1e21; each benchmark column is an eval set of that name with metric
``score`` (as published: accuracies are fractions, ``Arena-Elo`` is an Elo rating). Detected
from content when the size columns are present; the files with only ``Model`` and benchmark
columns import with ``--format obsscaling``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from backend.ingest.adapters.common import cell_measurement, header_has, optional_float
from backend.ingest.csvfile import iter_rows, read_header
from backend.ingest.formats import Adapter, Sample
from backend.ingest.validation import CellError, Problems, parse_text
from backend.schemas import records as rec

SCALES = {
    "Model Size (B)": ("n_params", 1e9),
    "Pretraining Data Size (T)": ("tokens_seen", 1e12),
    "FLOPs (1E21)": ("flops", 1e21),
}
ID_COLUMNS = ("Model", "Model Family", *SCALES)


def sniff(sample: Sample) -> bool:
    """A CSV with ObsScaling's Model, Model Family and Model Size (B) columns."""
    return header_has(sample.header, "Model", "Model Family", "Model Size (B)")


def read(path: Path, *, problems: Problems, options: dict | None = None) -> Iterator[rec.Record]:
    """Model, checkpoint and one measurement per filled benchmark cell."""
    (header,) = read_header(path, problems)
    header = [h.strip() for h in header]
    if "Model" not in header:
        problems.add("required column is missing", row=1, column="Model")
        problems.raise_if_any()
    where = {c: i for i, c in enumerate(header)}
    benchmarks = {i: c for i, c in enumerate(header) if c not in ID_COLUMNS}
    for row, fields in iter_rows(path, problems):
        try:
            model = parse_text(fields[where["Model"]])
        except CellError as exc:
            problems.add(str(exc), row=row, column="Model")
            continue
        scaled = {}
        for column, (target, scale) in SCALES.items():
            if column in where:
                number = optional_float(
                    fields[where[column]],
                    row=row,
                    column=column,
                    problems=problems,
                    positive=target == "n_params",
                )
                scaled[target] = number * scale if number is not None else None
        family = fields[where["Model Family"]] if "Model Family" in where else None
        yield rec.ModelRecord(
            model,
            family=parse_text(family, blank_ok=True, max_length=100),
            n_params=scaled.get("n_params"),
            row=row,
        )
        if scaled.get("tokens_seen") is not None or scaled.get("flops") is not None:
            yield rec.CheckpointRecord(
                model, tokens_seen=scaled.get("tokens_seen"), flops=scaled.get("flops"), row=row
            )
        for index, benchmark in benchmarks.items():
            record = cell_measurement(
                fields[index],
                model=model,
                revision=rec.DEFAULT_REVISION,
                eval_set=benchmark,
                metric="score",
                row=row,
                column=benchmark,
                problems=problems,
            )
            if record is not None:
                yield record


ADAPTER = Adapter(
    "obsscaling",
    "ObsScaling CSV: Model, Model Family, Model Size (B), ..., one column per benchmark",
    sniff,
    read,
)
