"""The loss-to-loss sweep CSV (KempnerInstitute/loss-to-loss-notebooks ``data/sweep.csv`` and
``extrapolation.csv``): one row per training run.

Model: ``name`` (``params`` parameters, pretraining ``data``; ``group``, ``n_layers``,
``d_model``, ``iso_flop`` as attributes), checkpoint ``final`` with ``tokens``. The file's
``flops`` column is not the training compute (it is about 1,000·N whatever the tokens: a
per-token or per-step figure of the training code), so it is kept as the model attribute
``sweep_flops`` and compute is left to 6·N·D.
Metrics: ``eval/<set>/<metric>`` -> eval set ``<set>`` (validation); for ``eval/downstream/``
and ``eval/downstream_ce_loss/`` the task is split from its metric
(``arc_easy_test_acc`` -> eval set ``arc_easy``, metric ``acc``); ``train/CrossEntropyLoss``
and ``train_loss_<k>`` -> eval set ``train``; ``val_loss`` -> eval set ``val``;
``olmo_suite_*``/``mmlu_suite_*`` -> eval sets ``olmo_suite``/``mmlu_suite``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from backend.ingest.adapters.common import cell_measurement, header_has, optional_float
from backend.ingest.csvfile import iter_rows, read_header
from backend.ingest.formats import Adapter, Sample
from backend.ingest.validation import CellError, Problems, parse_text
from backend.schemas import records as rec

TASK_METRICS = (
    "_test_ctx_ce_loss",
    "_test_len_norm",
    "_test_acc",
    "_test_ce_loss",
    "_ctx_ce_loss",
    "_len_norm",
    "_acc",
    "_ce_loss",
)
ATTRIBUTE_COLUMNS = ("group", "n_layers", "d_model", "iso_flop")
SWEEP_FLOPS_ATTRIBUTE = "sweep_flops"
DESCRIPTIVE = (
    "id",
    "name",
    "state",
    "params",
    "flops",
    "data",
    "tokens",
    "steps",
    "data_ratio",
    "System/Peak GPU Memory (MB)",
    *ATTRIBUTE_COLUMNS,
)


def sniff(sample: Sample) -> bool:
    """A CSV with name, params, flops, data, tokens and ``eval/...`` columns."""
    return header_has(sample.header, "name", "params", "flops", "data", "tokens") and any(
        h.startswith("eval/") for h in sample.header
    )


def metric_of(column: str) -> tuple[str, str, str] | None:
    """(eval set, metric, kind) of a metric column; None for descriptive columns."""
    if column in DESCRIPTIVE:
        return None
    if column.startswith("eval/downstream"):
        leaf = column.rsplit("/", 1)[-1]
        for suffix in TASK_METRICS:
            if leaf.endswith(suffix):
                return leaf[: -len(suffix)], suffix.removeprefix("_test").lstrip("_"), "benchmark"
        return leaf, "value", "benchmark"
    if column.startswith("eval/"):
        _, eval_set, metric = column.split("/", 2)
        return eval_set, metric, "validation"
    if column.startswith("train/"):
        return "train", column.split("/", 1)[1], "validation"
    if column.startswith("train_loss_"):
        return "train", column.removeprefix("train_"), "validation"
    if column == "val_loss":
        return "val", "loss", "validation"
    for suite in ("olmo_suite", "mmlu_suite"):
        if column.startswith(suite + "_"):
            return suite, column.removeprefix(suite + "_"), "benchmark"
    return column, "value", "validation"


def read(path: Path, *, problems: Problems, options: dict | None = None) -> Iterator[rec.Record]:
    """Model, checkpoint and measurements per run."""
    (header,) = read_header(path, problems)
    header = [h.strip() for h in header]
    where = {c: i for i, c in enumerate(header)}
    metrics = {i: m for i, c in enumerate(header) if (m := metric_of(c))}
    for eval_set, _, kind in metrics.values():
        yield rec.EvalSetRecord(eval_set, kind=kind)
    for row, fields in iter_rows(path, problems):
        try:
            model = parse_text(fields[where["name"]])
        except CellError as exc:
            problems.add(str(exc), row=row, column="name")
            continue
        params = optional_float(
            fields[where["params"]], row=row, column="params", problems=problems, positive=True
        )
        attributes = {}
        for column in ATTRIBUTE_COLUMNS:
            if column in where and fields[where[column]].strip():
                value = fields[where[column]].strip()
                try:
                    attributes[column] = float(value) if column != "group" else value
                except ValueError:
                    attributes[column] = value
        sweep_flops = optional_float(
            fields[where["flops"]], row=row, column="flops", problems=problems
        )
        if sweep_flops is not None:
            attributes[SWEEP_FLOPS_ATTRIBUTE] = sweep_flops
        yield rec.ModelRecord(
            model,
            family="loss-to-loss-sweep",
            n_params=params,
            pretraining_data=parse_text(fields[where["data"]], blank_ok=True),
            attributes=attributes,
            row=row,
        )
        yield rec.CheckpointRecord(
            model,
            tokens_seen=optional_float(
                fields[where["tokens"]], row=row, column="tokens", problems=problems
            ),
            row=row,
        )
        for index, (eval_set, metric, _) in metrics.items():
            record = cell_measurement(
                fields[index],
                model=model,
                revision=rec.DEFAULT_REVISION,
                eval_set=eval_set,
                metric=metric,
                row=row,
                column=header[index],
                problems=problems,
            )
            if record is not None:
                yield record


ADAPTER = Adapter(
    "loss_to_loss_sweep",
    "loss-to-loss sweep CSV: name, params, flops, data, tokens, eval/<set>/<metric> ...",
    sniff,
    read,
)
