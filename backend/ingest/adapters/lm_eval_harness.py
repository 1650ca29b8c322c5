"""lm-evaluation-harness results JSON.

``results: {task: {metric: value, metric_stderr: value}}`` (old harness) or
``{task: {"metric,filter": value, "metric_stderr,filter": value}}`` (harness >= 0.4; the filter
``none`` is dropped, others are kept as ``metric/filter``). The model is the ``pretrained=`` of
``config.model_args`` and the checkpoint its ``revision=`` (``step<N>`` gives the step); a
few-shot run (``num_fewshot`` > 0, or ``<k>shot`` in the file name) suffixes the metric
with ``_<k>shot``. Pythia models get tokens seen = step × 2,097,152 (1024 × 2048 tokens a
step), their corpus (the Pile, deduplicated or not) and tokenizer.
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

PYTHIA_TOKENS_PER_STEP = 2_097_152
#: Metrics the harness reports as fractions in [0, 1] (checked as such).
FRACTION_METRICS = frozenset({"acc", "acc_norm", "mc1", "mc2"})


def sniff(sample: Sample) -> bool:
    """A JSON object with ``results`` of tasks and a ``config`` or ``versions``."""
    doc = sample.json
    return (
        isinstance(doc, dict)
        and isinstance(doc.get("results"), dict)
        and ("config" in doc or "versions" in doc)
    )


def _model_args(config) -> dict[str, str]:
    args = config.get("model_args") if isinstance(config, dict) else None
    if isinstance(args, dict):
        return {k: str(v) for k, v in args.items()}
    if isinstance(args, str):
        return dict(part.split("=", 1) for part in args.split(",") if "=" in part)
    return {}


def _fewshot(doc, name: str) -> int:
    config = doc.get("config") or {}
    shots = config.get("num_fewshot") if isinstance(config, dict) else None
    if isinstance(shots, int) and shots > 0:
        return shots
    match = re.search(r"(\d+)[-_]?shot", name)
    return int(match.group(1)) if match else 0


def _not_available(value) -> bool:
    """The harness writes ``"N/A"`` (or nothing) where it has no value; other text is a
    wrong type and is refused by ``cell_measurement``."""
    return isinstance(value, str) and value.strip().upper() in ("", "N/A", "NA")


def read(path: Path, *, problems: Problems, options: dict | None = None) -> Iterator[rec.Record]:
    """Records of one results file."""
    options = options or {}
    doc = load_json(path, problems)
    if not isinstance(doc, dict) or not isinstance(doc.get("results"), dict):
        problems.add('expected an object with "results": {task: {metric: value}}')
        problems.raise_if_any()
    args = _model_args(doc.get("config"))
    model = options.get("model") or args.get("pretrained") or doc.get("model_name")
    if not model:
        problems.add(
            "the file does not name its model (config.model_args pretrained=...); "
            "pass the option model",
            column="config.model_args",
        )
        problems.raise_if_any()
    revision = options.get("revision") or args.get("revision") or rec.DEFAULT_REVISION
    step_match = re.fullmatch(r"step(\d+)", revision)
    step = int(step_match.group(1)) if step_match else None
    shots = _fewshot(doc, problems.file or path.name)
    suffix = f"_{shots}shot" if shots else ""
    if "pythia" in model.lower():
        yield rec.ModelRecord(
            model,
            family="pythia",
            architecture="gpt-neox",
            pretraining_data="the_pile_deduped" if "deduped" in model else "the_pile",
            tokenizer="gpt-neox-20b",
        )
        tokens = step * PYTHIA_TOKENS_PER_STEP if step is not None else None
        yield rec.CheckpointRecord(model, revision, step=step, tokens_seen=tokens)
    elif step is not None:
        yield rec.CheckpointRecord(model, revision, step=step)
    n_samples = doc.get("n-samples") if isinstance(doc.get("n-samples"), dict) else {}
    for task, metrics in doc["results"].items():
        column = f"results.{task}"
        if not isinstance(metrics, dict):
            problems.add(f"expected an object of metrics, found {metrics!r}", column=column)
            continue
        n = None
        if isinstance(n_samples.get(task), dict):
            n = n_samples[task].get("effective")
        for key, value in metrics.items():
            name, _, filt = key.partition(",")
            if name.endswith("_stderr") or name == "alias" or _not_available(value):
                continue
            metric = name if filt in ("", "none") else f"{name}/{filt}"
            stderr = metrics.get(f"{name}_stderr" + (f",{filt}" if filt else ""))
            if isinstance(stderr, str):
                stderr = None
            record = cell_measurement(
                value,
                model=model,
                revision=revision,
                eval_set=task,
                metric=metric + suffix,
                row=None,
                column=f"{column}.{key}",
                problems=problems,
                stderr=stderr,
                n=n if isinstance(n, int) else None,
                unit="fraction" if name in FRACTION_METRICS else None,
            )
            if record is not None:
                yield record


ADAPTER = Adapter(
    "lm_eval_harness",
    "lm-evaluation-harness results JSON (results{task: {metric, metric_stderr}}, config)",
    sniff,
    read,
)
