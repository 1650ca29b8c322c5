"""Per-class zero-shot accuracy JSON (frequency_determines_performance,
``zero_shot_evaluations/{dataset}_{prompting}_results.json``)::

    {"backbone<arch>_pretrained<data>": {"full": top-1 %, "classwise": {class: acc %}}}

The eval set is ``{dataset}`` and the metric ``top1_{prompting}`` (both from the file name, or
the options ``eval_set`` and ``metric``); the model is ``<arch>/<data>`` (open_clip's naming).
Percentages become fractions (unit ``percent`` recorded); ``full`` is a measurement, each
class a concept score.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from backend.ingest.adapters.common import cell_measurement
from backend.ingest.formats import Adapter, Sample
from backend.ingest.jsonfile import load_json
from backend.ingest.validation import CellError, Problems, normalize_accuracy, parse_float
from backend.schemas import records as rec

FILE_NAME = re.compile(r"^(?P<dataset>.+)_(?P<prompting>[^_]+)_results\.json$")
MODEL_KEY = re.compile(r"^backbone(?P<arch>.+)_pretrained(?P<data>.+)$")


def sniff(sample: Sample) -> bool:
    """A JSON object of models, each with ``full`` and ``classwise``."""
    doc = sample.json
    if not isinstance(doc, dict) or not doc:
        return False
    first = next(iter(doc.values()))
    return isinstance(first, dict) and "full" in first and "classwise" in first


def _names(path: Path, options: dict, problems: Problems) -> tuple[str, str]:
    match = FILE_NAME.match(problems.file or path.name)  # the name the user gave the file
    eval_set = options.get("eval_set") or (match and match.group("dataset"))
    metric = options.get("metric") or (match and f"top1_{match.group('prompting')}")
    if not eval_set or not metric:
        problems.add(
            "cannot tell the dataset and prompting from the file name "
            "(expected {dataset}_{prompting}_results.json); pass the options eval_set and metric"
        )
        problems.raise_if_any()
    return eval_set, metric


def read(path: Path, *, problems: Problems, options: dict | None = None) -> Iterator[rec.Record]:
    """A measurement per model and a concept score per model and class."""
    options = options or {}
    doc = load_json(path, problems)
    if not isinstance(doc, dict):
        problems.add('expected an object {"backbone<arch>_pretrained<data>": {...}}')
        problems.raise_if_any()
    eval_set, metric = _names(path, options, problems)
    for key, result in doc.items():
        match = MODEL_KEY.match(key)
        model = f"{match.group('arch')}/{match.group('data')}" if match else key
        if not isinstance(result, dict) or not isinstance(result.get("classwise"), dict):
            problems.add('expected {"full": ..., "classwise": {...}}', column=key)
            continue
        if match:
            yield rec.ModelRecord(
                model,
                architecture=match.group("arch"),
                pretraining_data=match.group("data"),
            )
        full = cell_measurement(
            result.get("full"),
            model=model,
            revision=rec.DEFAULT_REVISION,
            eval_set=eval_set,
            metric=metric,
            row=None,
            column=f"{key}.full",
            problems=problems,
            unit="percent",
        )
        if full is not None:
            yield full
        for concept, value in result["classwise"].items():
            try:
                fraction, unit = normalize_accuracy(parse_float(value), "percent")
            except CellError as exc:
                problems.add(str(exc), column=f"{key}.classwise.{concept}")
                continue
            yield rec.ConceptScoreRecord(
                model, rec.DEFAULT_REVISION, eval_set, metric, str(concept), fraction, None, unit
            )


ADAPTER = Adapter(
    "per_class_accuracy",
    'Per-class accuracy JSON: {"backbone<arch>_pretrained<data>": {"full", "classwise"}} (%)',
    sniff,
    read,
)
