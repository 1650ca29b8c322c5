"""Robustness view: out-of-distribution against in-distribution accuracy per checkpoint, a
baseline line fitted in transformed space (logit, probit or linear) on a chosen set of models,
and each model's effective robustness (Taori et al. 2020; Miller et al. 2021)."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from app.figures.fit_lines import FitLine
from app.figures.robustness import RobustnessOptions, make_robustness_figure
from app.session import ui_session
from app.state import PageState
from app.views.choices import Choices, metric_key, read_choices
from app.views.common import MIN_POINTS_TO_FIT, ExplorerView, empty_view, point_frame
from backend.analysis.results import percentile_interval
from backend.analysis.robustness import EffectiveRobustnessFit, fit_effective_robustness
from backend.analysis.transforms import get_transform
from backend.exceptions import NotFoundError, ValidationError
from backend.queries.frames import robustness_frame
from backend.schemas.measurements import MeasurementFilter, MetricRef

BASELINE_COLOR = "#222222"
ACCURACY_WORDS = ("acc", "top1", "top-1", "accuracy")
# Eval-set names (letters and digits only) of ImageNet itself, the usual ID benchmark.
IMAGENET_NAMES = ("imagenet", "imagenet1k", "ilsvrc2012", "imagenetval")


class RobustnessState(PageState):
    """Everything the robustness page shows, as its URL encodes it."""

    id: str = ""
    ood: str = ""
    transform: Literal["linear", "logit", "probit"] = "logit"
    group: str = "pretraining_data"
    baseline: list[str] = []
    family: list[str] = []
    data: list[str] = []
    final: bool = False
    fit: bool = True
    bootstrap: int = 200


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


def _is_imagenet(key: str) -> bool:
    """Whether ``key``'s eval set is ImageNet itself (not one of its shifted variants)."""
    return _plain(key.rpartition(":")[0]) in IMAGENET_NAMES


def with_defaults(state: RobustnessState, choices: Choices) -> RobustnessState:
    """``state`` with missing benchmarks filled: ImageNet itself for ID when measured (the
    most widely measured accuracy otherwise), and for OOD a benchmark with the same metric,
    ImageNet-V2 first (the shortest such name: the plain variant), as Taori et al. plot it."""
    candidates = accuracy_metrics(choices)
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
    return state.model_copy(update={"id": id_key, "ood": ood})


def read_robustness_choices(state: RobustnessState) -> tuple[Choices, RobustnessState]:
    """The control options and the state with its defaults filled in."""
    with ui_session() as session:
        choices = read_choices(session)
    return choices, with_defaults(state, choices)


def group_values(group: str) -> list[str]:
    """The values of the grouping attribute ``group`` (the baseline set is chosen from them)."""
    with ui_session() as session:
        choices = read_choices(session)
    return [option["value"] for option in choices.value_options(group)]


def read_points(session: Session, state: RobustnessState) -> pd.DataFrame:
    """ID accuracy (x) against OOD accuracy (y) per checkpoint, grouped by ``state.group``."""
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
    return points[inside].reset_index(drop=True)


def baseline_mask(points: pd.DataFrame, state: RobustnessState) -> np.ndarray:
    """Which points form the baseline set (all of them when no group is chosen)."""
    if not state.baseline:
        return np.ones(len(points), dtype=bool)
    return points["group"].isin(state.baseline).to_numpy()


def fit_transform(state: RobustnessState) -> str:
    """The space the baseline is fitted in: the axes' transform, logit on linear axes."""
    return state.transform if state.transform in ("logit", "probit") else "logit"


def baseline_line(
    fit: EffectiveRobustnessFit, state: RobustnessState, points: pd.DataFrame
) -> FitLine:
    """The baseline fit as a curve in accuracy space (straight on the transformed axes)."""
    transform = get_transform(state.transform)
    low, high = float(points["x"].min()), float(points["x"].max())
    ends = transform.forward(np.clip([low, high], 1e-4, 1 - 1e-4))
    xs = transform.inverse(np.linspace(ends[0], ends[1], 60))
    band = fit.band(xs)
    return FitLine(
        "baseline",
        xs,
        fit.predict(xs),
        lower=band.low,
        upper=band.high,
        label=f"baseline fit ({fit.transform})",
        color=BASELINE_COLOR,
    )


def baseline_row(fit: EffectiveRobustnessFit) -> dict:
    """The baseline's slope w and intercept b (bootstrap percentiles when resampled), r, n."""
    line = fit.line
    if fit.bootstrap_lines is not None:
        low, high = percentile_interval(fit.bootstrap_lines, fit.level)
        kind = "bootstrap over models"
    else:
        estimates = line.params
        low = [estimates["slope"].low, estimates["intercept"].low]
        high = [estimates["slope"].high, estimates["intercept"].high]
        kind = "wald"
    return {
        "group": "baseline",
        "w (slope)": f"{line.slope:.4f} [{low[0]:.4f}, {high[0]:.4f}]",
        "b (intercept)": f"{line.intercept:.4f} [{low[1]:.4f}, {high[1]:.4f}]",
        "r": round(line.pearson_r, 4),
        "R²": round(line.goodness.r_squared, 4),
        "baseline models": int(np.sum(fit.baseline)),
        "interval": f"{kind} {int(round(100 * fit.level))}%",
        "space": fit.space,
    }


def robustness_rows(
    points: pd.DataFrame, fit: EffectiveRobustnessFit, in_baseline: np.ndarray
) -> list[dict]:
    """Per checkpoint: accuracies, the baseline's prediction and effective robustness (points)
    with its bootstrap interval, most robust first."""
    predicted = fit.predict(points["x"].to_numpy(float))
    effective = fit.effective_robustness
    table = pd.DataFrame(
        {
            "model": points["model"],
            "checkpoint": points["checkpoint"],
            "group": points["group"],
            "ID accuracy (%)": (100 * points["x"]).round(2),
            "OOD accuracy (%)": (100 * points["y"]).round(2),
            "baseline OOD (%)": (100 * predicted).round(2),
            "effective robustness (points)": (100 * effective).round(2),
            "in baseline": np.where(in_baseline, "yes", "no"),
        }
    )
    if fit.effective_robustness_interval is not None:
        low, high = fit.effective_robustness_interval
        table.insert(7, "ER low", (100 * np.asarray(low)).round(2))
        table.insert(8, "ER high", (100 * np.asarray(high)).round(2))
    table = table.sort_values("effective robustness (points)", ascending=False)
    return table.to_dict("records")


def build_robustness_view(session: Session, state: RobustnessState) -> ExplorerView:
    """The figure, baseline parameters, per-model effective robustness and points of ``state``."""
    if not state.id or not state.ood:
        return empty_view("Pick the in-distribution and out-of-distribution benchmarks")
    try:
        points = read_points(session, state)
    except (NotFoundError, ValidationError) as exc:
        return empty_view(str(exc))
    if points.empty:
        return empty_view("No checkpoints have both accuracies for this selection")
    options = RobustnessOptions(
        x_label=state.id, y_label=state.ood, transform=state.transform, legend_title=state.group
    )
    in_baseline = baseline_mask(points, state)
    if not state.fit or in_baseline.sum() < MIN_POINTS_TO_FIT:
        notes = () if not state.fit else ("Too few baseline models to fit a line",)
        figure = make_robustness_figure(points, [], options)
        return ExplorerView(figure=figure, points=points, notes=notes)
    try:
        fit = fit_effective_robustness(
            points["x"].to_numpy(float),
            points["y"].to_numpy(float),
            baseline=in_baseline,
            transform=fit_transform(state),
            bootstrap=state.bootstrap,
            seed=0,
        )
    except ValidationError as exc:
        figure = make_robustness_figure(points, [], options)
        return ExplorerView(figure=figure, points=points, notes=(f"Not fitted: {exc}",))
    details = robustness_rows(points, fit, in_baseline)
    points = points.assign(effective_robustness=fit.effective_robustness)
    figure = make_robustness_figure(points, [baseline_line(fit, state, points)], options)
    notes = () if fit.transform == state.transform else ("Baseline fitted in logit space",)
    return ExplorerView(
        figure=figure, table=[baseline_row(fit)], points=points, details=details, notes=notes
    )
