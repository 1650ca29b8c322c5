"""The scaling-laws-openclip CSVs (LAION-AI/scaling-laws-openclip; Cherti et al. 2023).

- ``zeroshot_results.csv``: one row per model × downstream dataset with ``acc1``, ``acc5``,
  ``mean_per_class_recall``, retrieval recalls, ``mean_average_precision`` (fractions). The
  model is the checkpoint file name without ``.pt``; the three OpenAI rows all say
  ``name=openai`` and are told apart by architecture: ``openai/<arch>``. Samples seen and GMACs
  go on the model and checkpoint.
- ``imagenet_zeroshot_learning_curves.csv``: ImageNet zero-shot top-1/top-5 per epoch: one
  checkpoint ``epoch<E>`` per row, eval set ``imagenet1k``.
- ``trained_models_info.csv``: the models' training settings (architecture, data, samples
  seen, learning rate, batch size...), as model and final-checkpoint records.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from backend.ingest.adapters.common import cell_measurement, header_has, optional_float
from backend.ingest.csvfile import iter_rows, read_header
from backend.ingest.formats import Adapter, Sample
from backend.ingest.validation import CellError, Problems, parse_count, parse_text
from backend.schemas import records as rec

RESULTS = ("arch", "samples_seen", "upstream_dataset", "downstream_dataset", "acc1", "name")
METRICS = (
    "acc1",
    "acc5",
    "mean_per_class_recall",
    "image_retrieval_recall@5",
    "text_retrieval_recall@5",
    "mean_average_precision",
)
CURVES = ("imagenet-zeroshot-val-top1", "imagenet-zeroshot-val-top5", "name", "epoch")
INFO = ("name", "arch", "data", "samples_seen_pretty", "lr", "epochs", "samples_per_epoch")
IMAGENET = "imagenet1k"


def sniff(sample: Sample) -> bool:
    """One of the three CSVs, by header."""
    return any(header_has(sample.header, *cols) for cols in (RESULTS, CURVES, INFO))


def model_name(name: str, arch: str | None) -> str:
    """The model's natural key: the checkpoint file name without ``.pt``; ``openai/<arch>``."""
    if name == "openai" and arch:
        return f"openai/{arch}"
    return name.removesuffix(".pt")


def read(path: Path, *, problems: Problems, options: dict | None = None) -> Iterator[rec.Record]:
    """Records of whichever of the three files ``path`` is."""
    (header,) = read_header(path, problems)
    header = [h.strip() for h in header]
    if header_has(header, *RESULTS):
        yield from _results(path, header, problems)
    elif header_has(header, *CURVES):
        yield from _curves(path, header, problems)
    else:
        yield from _info(path, header, problems)


def _text(fields, where, column, row, problems):
    try:
        return parse_text(fields[where[column]])
    except CellError as exc:
        problems.add(str(exc), row=row, column=column)
        return None


def _results(path, header, problems):
    where = {c: i for i, c in enumerate(header)}
    for row, fields in iter_rows(path, problems):
        name = _text(fields, where, "name", row, problems)
        arch = _text(fields, where, "arch", row, problems)
        dataset = _text(fields, where, "downstream_dataset", row, problems)
        if name is None or arch is None or dataset is None:
            continue
        model = model_name(name, arch)
        samples = optional_float(
            fields[where["samples_seen"]], row=row, column="samples_seen", problems=problems
        )
        attributes = {}
        if "gmacs" in where and fields[where["gmacs"]].strip():
            gmacs = optional_float(
                fields[where["gmacs"]], row=row, column="gmacs", problems=problems
            )
            if gmacs is not None:  # rows of one model differ in the last bits
                attributes["gmacs"] = float(f"{gmacs:.6g}")
        yield rec.ModelRecord(
            model,
            family="openai-clip" if name == "openai" else "scaling-laws-openclip",
            architecture=arch,
            pretraining_data=parse_text(fields[where["upstream_dataset"]], blank_ok=True),
            attributes=attributes,
            row=row,
        )
        yield rec.CheckpointRecord(model, samples_seen=samples, row=row)
        task = fields[where["task"]].strip() if "task" in where else ""
        if task:
            yield rec.EvalSetRecord(dataset, task=task, row=row)
        for metric in METRICS:
            if metric not in where:
                continue
            record = cell_measurement(
                fields[where[metric]],
                model=model,
                revision=rec.DEFAULT_REVISION,
                eval_set=dataset,
                metric=metric,
                row=row,
                column=metric,
                problems=problems,
                unit="fraction",
            )
            if record is not None:
                yield record


def _curves(path, header, problems):
    where = {c: i for i, c in enumerate(header)}
    for row, fields in iter_rows(path, problems):
        name = _text(fields, where, "name", row, problems)
        try:
            epoch = parse_count(fields[where["epoch"]])
        except CellError as exc:
            problems.add(str(exc), row=row, column="epoch")
            continue
        if name is None:
            continue
        model = model_name(name, None)
        revision = f"epoch{epoch}"
        yield rec.CheckpointRecord(model, revision, row=row)
        for column, metric in (
            ("imagenet-zeroshot-val-top1", "acc1"),
            ("imagenet-zeroshot-val-top5", "acc5"),
        ):
            record = cell_measurement(
                fields[where[column]],
                model=model,
                revision=revision,
                eval_set=IMAGENET,
                metric=metric,
                row=row,
                column=column,
                problems=problems,
                unit="fraction",
            )
            if record is not None:
                yield record


def _info(path, header, problems):
    where = {c: i for i, c in enumerate(header)}
    extra = [c for c in header if c not in ("name", "arch", "data", "url")]
    for row, fields in iter_rows(path, problems):
        name = _text(fields, where, "name", row, problems)
        if name is None:
            continue
        model = model_name(name, None)
        attributes = {c: fields[where[c]].strip() for c in extra if fields[where[c]].strip()}
        yield rec.ModelRecord(
            model,
            family="scaling-laws-openclip",
            architecture=parse_text(fields[where["arch"]], blank_ok=True),
            pretraining_data=parse_text(fields[where["data"]], blank_ok=True),
            attributes=attributes,
            row=row,
        )
        url = fields[where["url"]].strip() if "url" in where else ""
        if url:
            yield rec.CheckpointRecord(model, weights_uri=url, row=row)


ADAPTER = Adapter(
    "scaling_laws_openclip",
    "scaling-laws-openclip CSVs: zeroshot_results, imagenet learning curves, trained models info",
    sniff,
    read,
)
