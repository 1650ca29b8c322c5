"""The llm-line CSV (brendel-group/llm-line ``data/latest_pm_hf.csv``): one row per Hugging
Face checkpoint; **two header lines** (the second only repeats a few column names and is
skipped).

Model: ``Name`` (architecture, ``Size`` as parameters, pretraining data, tokenizer).
Checkpoint: ``step<Steps>`` when ``Steps`` is given, else ``final`` when ``Tokens`` is given,
else ``row<R>`` (OLMo rows carry neither). Metrics: ``<X> Validation Loss|BPB`` -> eval set
``<X>`` (validation), metric ``loss``/``bpb``; ``<X> Accuracy|Loss|BPB`` -> eval set ``<X>``,
metric ``acc``/``loss``/``bpb``; ``Train Loss`` and ``Test Loss`` -> eval sets ``train`` and
``test``. Other columns are descriptive and ignored.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from backend.ingest.adapters.common import cell_measurement, header_has, optional_float
from backend.ingest.csvfile import iter_rows, read_header
from backend.ingest.formats import Adapter, Sample
from backend.ingest.validation import CellError, Problems, parse_count, parse_text
from backend.schemas import records as rec

SUFFIXES = (
    (" Validation Loss", "loss", "validation"),
    (" Validation BPB", "bpb", "validation"),
    (" Accuracy", "acc", "benchmark"),
    (" Loss", "loss", "benchmark"),
    (" BPB", "bpb", "benchmark"),
)


def sniff(sample: Sample) -> bool:
    """A CSV with the llm-line columns (Name, Pretraining Data, validation losses)."""
    return header_has(sample.header, "Name", "Pretraining Data", "Tokens", "C4 Validation Loss")


def metric_of(column: str) -> tuple[str, str, str] | None:
    """(eval set, metric, kind) of a metric column, None for descriptive columns."""
    if column in ("Train Loss", "Test Loss"):
        return column.split()[0].lower(), "loss", "validation"
    for suffix, metric, kind in SUFFIXES:
        if column.endswith(suffix) and len(column) > len(suffix):
            return column[: -len(suffix)], metric, kind
    return None


def read(path: Path, *, problems: Problems, options: dict | None = None) -> Iterator[rec.Record]:
    """Model, checkpoint and measurements per row."""
    header, _ = read_header(path, problems, header_lines=2)
    header = [h.strip() for h in header]
    where = {c: i for i, c in enumerate(header) if c}
    metrics = {i: m for i, c in enumerate(header) if (m := metric_of(c))}
    for _, eval_set, kind in ((i, m[0], m[2]) for i, m in metrics.items()):
        yield rec.EvalSetRecord(eval_set, kind=kind)

    def cell(fields, column):
        return fields[where[column]] if column in where else ""

    for row, fields in iter_rows(path, problems, header_lines=2):
        try:
            model = parse_text(cell(fields, "Name"))
        except CellError as exc:
            problems.add(str(exc), row=row, column="Name")
            continue
        size = optional_float(
            cell(fields, "Size"), row=row, column="Size", problems=problems, positive=True
        )
        yield rec.ModelRecord(
            model,
            architecture=parse_text(cell(fields, "Architecture"), blank_ok=True),
            n_params=size,
            pretraining_data=parse_text(cell(fields, "Pretraining Data"), blank_ok=True),
            tokenizer=parse_text(cell(fields, "Tokenizer"), blank_ok=True),
            row=row,
        )
        try:
            step = parse_count(cell(fields, "Steps"), blank_ok=True)
        except CellError as exc:
            problems.add(str(exc), row=row, column="Steps")
            continue
        tokens = optional_float(cell(fields, "Tokens"), row=row, column="Tokens", problems=problems)
        if step is not None:
            revision = f"step{step}"
        elif tokens is not None:
            revision = rec.DEFAULT_REVISION
        else:
            revision = f"row{row}"
        yield rec.CheckpointRecord(model, revision, step=step, tokens_seen=tokens, row=row)
        for index, (eval_set, metric, _) in metrics.items():
            record = cell_measurement(
                fields[index],
                model=model,
                revision=revision,
                eval_set=eval_set,
                metric=metric,
                row=row,
                column=header[index],
                problems=problems,
                unit="fraction" if metric == "acc" else None,
            )
            if record is not None:
                yield record


ADAPTER = Adapter(
    "llm_line",
    "llm-line CSV (two header lines): Name, Architecture, Size, ..., <X> Validation Loss, ...",
    sniff,
    read,
)
