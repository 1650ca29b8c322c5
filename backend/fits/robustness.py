"""Robustness fits: OOD against ID accuracy per checkpoint, a baseline line in logit (or
probit) space on a chosen set of models, and each model's effective robustness.

Published procedure (Taori et al. 2020; Miller et al. 2021): the baseline is the models
trained on standard ImageNet-1k, fitted in logit space; on the imagenet-testbed the default
view is ImageNet (``val``) against ImageNetV2 (matched frequency), as in Taori et al.'s main
figure, where zero-shot CLIP lies above the line of standard models.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Literal

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from backend.analysis.robustness import EffectiveRobustnessFit, fit_effective_robustness
from backend.exceptions import NotFoundError, ValidationError
from backend.fits.cache import cached_fit
from backend.fits.choices import Choices, metric_key, read_choices, read_metric_choices
from backend.fits.exclusions import mark_excluded
from backend.fits.points import MIN_POINTS_TO_FIT, point_frame
from backend.fits.result import GroupFit, PageFits, compare
from backend.fits.urlstate import PageState
from backend.ingest.adapters.testbed_models import STANDARD_DATA
from backend.queries.frames import robustness_frame
from backend.schemas.measurements import MeasurementFilter, MetricRef

PAGE = "robustness"
ACCURACY_WORDS = ("acc", "top1", "top-1", "accuracy")
# Eval-set names (letters and digits only) of ImageNet itself, the usual ID benchmark.
IMAGENET_NAMES = ("imagenet", "imagenet1k", "ilsvrc2012", "imagenetval")
#: Taori et al.'s main figure on the imagenet-testbed: ImageNet val -> ImageNetV2.
TESTBED_PAIR = ("imagenet:top1", "imagenetv2-matched-frequency:top1")
PUBLISHED = (
    "Baseline: models trained on standard ImageNet-1k, fitted in logit space",
    'Taori et al. 2020, "Measuring robustness to natural distribution shifts in image '
    'classification"; Miller et al. 2021, "Accuracy on the line"',
    {"transform": "logit", "group": "pretraining_data", "baseline": [STANDARD_DATA]},
)


class RobustnessState(PageState):
    """Everything the robustness page shows, as its URL encodes it. ``baseline`` None means
    "the published baseline" (standard ImageNet-1k models when the data says which)."""

    id: str = ""
    ood: str = ""
    transform: Literal["linear", "logit", "probit"] = "logit"
    group: str = "pretraining_data"
    baseline: list[str] | None = None
    family: list[str] = []
    data: list[str] = []
    final: bool = False
    fit: bool = True
    bootstrap: int = 200
    exclude: list[str] = []


def accuracy_metrics(choices: Choices) -> list[str]:
    """The metrics that look like accuracies, most widely measured first."""
    ranked = sorted(
        (m for m in choices.metrics if any(w in m.metric.lower() for w in ACCURACY_WORDS)),
        key=lambda m: (-m.n_models, m.eval_set, m.metric),
    )
    return [metric_key(m) for m in ranked] or [metric_key(m) for m in choices.metrics]


def _plain(name: str) -> str:
    """``name`` lowercased with only its letters and digits ("ImageNet 1k" -> "imagenet1k")."""
    return "".join(c for c in name.lower() if c.isalnum())


@lru_cache(maxsize=4096)
def _is_imagenet(key: str) -> bool:
    """Whether ``key``'s eval set is ImageNet itself (not one of its shifted variants)."""
    return _plain(key.rpartition(":")[0]) in IMAGENET_NAMES


def with_defaults(state: RobustnessState, choices: Choices) -> RobustnessState:
    """``state`` with missing benchmarks filled: Taori et al.'s testbed pair when measured,
    else ImageNet itself for ID (the most widely measured accuracy otherwise) and for OOD a
    benchmark with the same metric, ImageNet-V2 first; and the published baseline (standard
    ImageNet-1k models) when the grouping has that value."""
    candidates = accuracy_metrics(choices)
    state = state.model_copy(
        update={"id": choices.stored_key(state.id), "ood": choices.stored_key(state.ood)}
    )
    if all(choices.has_metric(key) for key in TESTBED_PAIR) and not choices.has_metric(state.id):
        testbed_ood = not choices.has_metric(state.ood) or state.ood.endswith(":top1")
        if testbed_ood:
            state = state.model_copy(update={"id": TESTBED_PAIR[0]})
    if state.id == TESTBED_PAIR[0] and not choices.has_metric(state.ood):
        state = state.model_copy(update={"ood": TESTBED_PAIR[1]})
    ranked = sorted(candidates, key=lambda key: not _is_imagenet(key))
    id_key = state.id if choices.has_metric(state.id) else (ranked[0] if ranked else "")
    metric = id_key.rpartition(":")[2]
    others = sorted(
        (key for key in candidates if key != id_key),
        key=lambda key: (
            key.rpartition(":")[2] != metric,
            "v2" not in key.lower(),
            len(key) if "v2" in key.lower() else 0,
        ),
    )
    ood = state.ood if choices.has_metric(state.ood) else (others[0] if others else id_key)
    baseline = state.baseline
    if baseline is None:
        values = {str(v) for v in choices.attributes.get(state.group, [])}
        baseline = [STANDARD_DATA] if STANDARD_DATA in values else []
    return state.model_copy(update={"id": id_key, "ood": ood, "baseline": baseline})


def resolve(session: Session, state: RobustnessState) -> RobustnessState:
    """``state`` with every default filled in (the models' attribute values are read only
    when the baseline set is not chosen yet)."""
    if state.baseline is None:
        return with_defaults(state, read_choices(session))
    return with_defaults(state, read_metric_choices(session))


def read_points(session: Session, state: RobustnessState) -> pd.DataFrame:
    """ID accuracy (x) against OOD accuracy (y) per checkpoint, grouped by ``state.group``;
    ``excluded`` marks the points picked out of the baseline fit."""
    flt = MeasurementFilter(
        families=state.family or None, pretraining_data=state.data or None, final_only=state.final
    )
    frame = robustness_frame(
        session,
        in_distribution=MetricRef.parse(state.id),
        out_of_distribution=MetricRef.parse(state.ood),
        flt=flt,
    )
    points = point_frame(frame, x="x", y="y", group=state.group)
    inside = points["x"].between(0, 1) & points["y"].between(0, 1)
    return mark_excluded(points[inside].reset_index(drop=True), exclude=state.exclude)


def baseline_mask(points: pd.DataFrame, state: RobustnessState) -> np.ndarray:
    """Which points form the baseline set (all of them when no group is chosen), less the
    excluded ones."""
    chosen = (
        points["group"].isin(state.baseline).to_numpy()
        if state.baseline
        else np.ones(len(points), dtype=bool)
    )
    return chosen & ~points["excluded"].to_numpy()


def fit_transform(state: RobustnessState) -> str:
    """The space the baseline is fitted in: the axes' transform, logit on linear axes."""
    return state.transform if state.transform in ("logit", "probit") else "logit"


def baseline_summary(fit: EffectiveRobustnessFit) -> dict[str, Any]:
    """The baseline line as the analysis serialises it, with r and the model count."""
    summary: dict[str, Any] = dict(fit.line.to_dict())
    summary["space"] = fit.space
    summary["pearson_r"] = fit.line.pearson_r
    summary["baseline_models"] = int(np.sum(fit.baseline))
    if fit.bootstrap_lines is not None:
        low = np.percentile(fit.bootstrap_lines, 100 * (1 - fit.level) / 2, axis=0)
        high = np.percentile(fit.bootstrap_lines, 100 * (1 + fit.level) / 2, axis=0)
        for i, name in enumerate(("slope", "intercept")):
            summary["params"][name].update(
                low=float(low[i]), high=float(high[i]), interval="bootstrap"
            )
    return summary


def robustness_fits(session: Session, state: RobustnessState) -> PageFits:
    """The robustness page's fits for ``state`` (defaults resolved): the one computation
    behind the page and ``GET /api/fits/robustness``. One group, ``baseline``; the points
    carry each model's effective robustness (points) and whether it is in the baseline."""
    state = resolve(session, state)
    if not state.id or not state.ood:
        return PageFits(PAGE, state, message="Pick the ID and OOD benchmarks")
    try:
        points = read_points(session, state)
    except (NotFoundError, ValidationError) as exc:
        return PageFits(PAGE, state, message=str(exc))
    if points.empty:
        return PageFits(PAGE, state, message="No checkpoints have both accuracies")
    published = STANDARD_DATA in set(points["group"]) or STANDARD_DATA in (state.baseline or [])
    procedure = compare(state, *PUBLISHED) if published else None
    in_baseline = baseline_mask(points, state)
    points = points.assign(in_baseline=in_baseline)
    if not state.fit or in_baseline.sum() < MIN_POINTS_TO_FIT:
        notes = () if not state.fit else ("Too few baseline models to fit a line",)
        return PageFits(PAGE, state, points, procedure=procedure, notes=notes)
    try:
        fit = cached_fit(
            session,
            fit_effective_robustness,
            points["x"].to_numpy(float),
            points["y"].to_numpy(float),
            baseline=in_baseline,
            transform=fit_transform(state),
            bootstrap=state.bootstrap,
            seed=0,
        )
    except ValidationError as exc:
        return PageFits(PAGE, state, points, procedure=procedure, notes=(f"Not fitted: {exc}",))
    points = points.assign(effective_robustness=100 * fit.effective_robustness)
    if fit.effective_robustness_interval is not None:
        low, high = fit.effective_robustness_interval
        points = points.assign(
            effective_robustness_low=100 * np.asarray(low),
            effective_robustness_high=100 * np.asarray(high),
        )
    group = GroupFit(
        "baseline",
        "T(acc_OOD) = slope·T(acc_ID) + intercept",
        fit,
        baseline_summary(fit),
        {"transform": fit.transform},
    )
    notes = () if fit.transform == state.transform else ("Baseline fitted in logit space",)
    return PageFits(PAGE, state, points, (group,), procedure, notes=notes)
