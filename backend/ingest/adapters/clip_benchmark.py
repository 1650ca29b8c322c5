"""CLIP_benchmark output JSON: ``{"dataset", "model", "pretrained", "task", "metrics": {...}}``
(one file per model × dataset; a list of such objects is accepted too).

The model is ``<model>/<pretrained>`` (open_clip's naming, as in the open_clip results CSVs);
metrics (``acc1``, ``acc5``, ``mean_per_class_recall``, retrieval recalls) are fractions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from backend.ingest.adapters.common import cell_measurement
from backend.ingest.formats import Adapter, Sample
from backend.ingest.jsonfile import load_json
from backend.ingest.validation import Problems
from backend.schemas import records as rec

REQUIRED = ("dataset", "model", "pretrained", "metrics")
#: Accuracies, recalls and precisions are fractions in [0, 1] (checked as such).
FRACTION_METRIC = re.compile(r"acc|recall|precision")


def _results(doc):
    if isinstance(doc, dict):
        return [doc]
    return doc if isinstance(doc, list) else None


def sniff(sample: Sample) -> bool:
    """A JSON object (or list of them) with dataset, model, pretrained and metrics."""
    items = _results(sample.json)
    return bool(items) and isinstance(items[0], dict) and all(k in items[0] for k in REQUIRED)


def read(path: Path, *, problems: Problems, options: dict | None = None) -> Iterator[rec.Record]:
    """Records of every result object."""
    items = _results(load_json(path, problems)) or []
    if not items:
        problems.add("expected a CLIP_benchmark result object")
    for index, item in enumerate(items, start=1):
        row = index if len(items) > 1 else None
        missing = [k for k in REQUIRED if not isinstance(item, dict) or k not in item]
        if missing:
            for key in missing:
                problems.add("required key is missing", row=row, column=key)
            continue
        if not isinstance(item["metrics"], dict):
            problems.add("expected an object of metrics", row=row, column="metrics")
            continue
        model = f"{item['model']}/{item['pretrained']}"
        dataset = str(item["dataset"]).removeprefix("wds/")
        yield rec.ModelRecord(model, architecture=str(item["model"]), row=row)
        task = item.get("task")
        yield rec.EvalSetRecord(dataset, task=str(task) if task else None, row=row)
        for metric, value in item["metrics"].items():
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                if isinstance(value, (dict, list)):
                    continue
            record = cell_measurement(
                value,
                model=model,
                revision=rec.DEFAULT_REVISION,
                eval_set=dataset,
                metric=metric,
                row=row,
                column=f"metrics.{metric}",
                problems=problems,
                unit="fraction" if FRACTION_METRIC.search(metric) else None,
            )
            if record is not None:
                yield record


ADAPTER = Adapter(
    "clip_benchmark",
    "CLIP_benchmark result JSON: dataset, model, pretrained, task, metrics{acc1, ...}",
    sniff,
    read,
)
