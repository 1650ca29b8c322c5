"""Evaluations of open_clip models: zero-shot classification and image–text contrastive loss.

The public API is torch-free to import (specs, results, errors); torch and open_clip load
only when :func:`run_evaluation` runs, so the web process may import this package::

    from backend.evaluation import parse_spec, run_evaluation
    result = run_evaluation(parse_spec(job_spec), progress=report, should_cancel=cancelled)
    records = to_records(result, model_name=..., revision=..., eval_set=...)

Modules: ``specs`` (what to run), ``preflight`` (file checks before loading), ``sources``
(folder / CSV / webdataset -> ordered samples), ``factory`` (the one model factory),
``loading`` (data loaders), ``zeroshot`` and ``contrastive`` (the evaluations), ``embeddings``
(per-image embeddings and a GPU similarity scorer), ``runner`` (the steps in order),
``results`` (plain results, ``to_records``), ``tiny`` (the tiny runnable model and synthetic
data; ``testing`` re-exports it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from backend.evaluation.errors import EvaluationCancelled
from backend.evaluation.results import ClassScore, EvaluationResult, MetricValue, to_records
from backend.evaluation.specs import (
    CONTRASTIVE,
    TASKS,
    ZERO_SHOT,
    ContrastiveLossSpec,
    DatasetSpec,
    EvaluationSpec,
    ModelSpec,
    RunOptions,
    ZeroShotSpec,
    parse_spec,
)

if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "CONTRASTIVE",
    "TASKS",
    "ZERO_SHOT",
    "ClassScore",
    "ContrastiveLossSpec",
    "DatasetSpec",
    "EvaluationCancelled",
    "EvaluationResult",
    "EvaluationSpec",
    "MetricValue",
    "ModelSpec",
    "RunOptions",
    "ZeroShotSpec",
    "check_inputs",
    "parse_spec",
    "run_evaluation",
    "to_records",
]


def _no_progress(fraction: float, message: str) -> None:
    """The default progress callback: ignore."""


def _never() -> bool:
    """The default cancellation callback: never cancel."""
    return False


def check_inputs(spec: EvaluationSpec | dict[str, Any]) -> None:
    """Fail fast (``NotFoundError`` / ``ValidationError``) when files the spec names are
    missing or malformed; reads only file headers, never loads a model (torch-free)."""
    from backend.evaluation.preflight import check_inputs as check

    check(parse_spec(spec))


def run_evaluation(
    spec: EvaluationSpec | dict[str, Any],
    *,
    progress: Callable[[float, str], None] = _no_progress,
    should_cancel: Callable[[], bool] = _never,
) -> EvaluationResult:
    """Run one evaluation and return its result as plain data (no DB access).

    Checks inputs first (missing checkpoint or data -> ``NotFoundError``, bad spec ->
    ``ValidationError``) before anything heavy loads; calls ``progress(fraction, message)``
    as batches finish and raises :class:`EvaluationCancelled` when ``should_cancel()`` turns
    true between batches.
    """
    from backend.evaluation.runner import run

    return run(parse_spec(spec), progress=progress, should_cancel=should_cancel)
