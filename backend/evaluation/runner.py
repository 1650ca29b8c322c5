"""``run``: check inputs, index the data, build the model, evaluate; each step fails with a
clear error before the next, heavier one starts."""

from __future__ import annotations

import logging
from collections.abc import Callable

from backend.evaluation.device import pick_device, seed_everything
from backend.evaluation.errors import EvaluationCancelled
from backend.evaluation.factory import build_model
from backend.evaluation.preflight import check_inputs
from backend.evaluation.results import EvaluationResult
from backend.evaluation.sources import index_dataset
from backend.evaluation.specs import ZERO_SHOT

log = logging.getLogger("backend.evaluation")


def run(
    spec,
    *,
    progress: Callable[[float, str], None],
    should_cancel: Callable[[], bool],
) -> EvaluationResult:
    """Run one parsed evaluation spec (see ``backend.evaluation.run_evaluation``)."""
    check_inputs(spec)
    device = pick_device(spec.options.device)
    data = index_dataset(spec.dataset, task=spec.task)
    log.info("%s: %d samples of %r on %s", spec.task, len(data.samples), data.name, device)
    if should_cancel():
        raise EvaluationCancelled("cancelled before the model was built")
    progress(0.0, f"building {spec.model.architecture}")
    seed_everything(spec.options.seed)
    loaded = build_model(spec.model, device=device)
    if should_cancel():
        raise EvaluationCancelled("cancelled before the first batch")
    if spec.task == ZERO_SHOT:
        from backend.evaluation.zeroshot import run_zero_shot as evaluate
    else:
        from backend.evaluation.contrastive import run_contrastive as evaluate
    result = evaluate(loaded, data, spec.options, progress=progress, should_cancel=should_cancel)
    log.info(
        "%s on %r: %s (%d samples, %.1f/s)",
        spec.task,
        data.name,
        ", ".join(f"{k}={v:.4f}" for k, v in result.values.items()),
        result.n_samples,
        result.samples_per_second,
    )
    return result
