"""Scaling view: a loss (or error) against compute, parameters, tokens or samples per
checkpoint, Chinchilla Approach 3 per group (drawn as its compute-optimal frontier) with a
"predict at compute C" readout; and learning curves (metric against step) per model."""

from __future__ import annotations

import functools
from typing import Literal

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from app.figures.fit_lines import FitLine
from app.figures.scaling import (
    Prediction,
    ScalingOptions,
    make_learning_curve_figure,
    make_scaling_figure,
)
from app.session import ui_session
from app.state import PageState
from app.views.choices import Choices, metric_key, read_choices
from app.views.common import (
    MIN_POINTS_TO_FIT,
    ExplorerView,
    empty_view,
    estimate_text,
    grid,
    point_frame,
)
from backend.analysis.chinchilla import COARSE_GRID, FULL_GRID, ScalingLawFit, fit_chinchilla
from backend.analysis.power_law import fit_power_law
from backend.exceptions import NotFoundError, ValidationError
from backend.queries.compute_span import compute_decades
from backend.queries.frames import learning_curve_frame, scaling_frame
from backend.schemas.measurements import MeasurementFilter, MetricRef

X_AXES = {
    "compute": "compute C (FLOPs)",
    "n_params": "parameters N",
    "tokens_seen": "tokens D",
    "samples_seen": "samples seen",
}
CURVE_AXES = {"step": "step", "tokens_seen": "tokens seen"}
LAWS = {
    "chinchilla": "Chinchilla L(N, D) (x = compute)",
    "power-law": "power law L = E + A·x^−α",
}
HOVER_COLUMNS = ("n_params", "tokens_seen")


class ScalingState(PageState):
    """Everything the scaling page shows, as its URL encodes it."""

    mode: Literal["scaling", "curves"] = "scaling"
    metric: str = ""
    x: Literal["compute", "n_params", "tokens_seen", "samples_seen"] = "compute"
    error: bool = False
    law: Literal["chinchilla", "power-law"] = "chinchilla"
    group: str = "pretraining_data"
    data: list[str] = []
    family: list[str] = []
    final: bool = False
    fit: bool = True
    full_grid: bool = False
    bootstrap: int = 100
    predict: float | None = None
    models: list[str] = []
    curve_x: Literal["step", "tokens_seen"] = "step"
    log_x: bool = False


def with_defaults(
    state: ScalingState, choices: Choices, decades: dict[str, float] | None = None
) -> ScalingState:
    """``state`` with a missing or unknown metric replaced by a loss: one measured once per
    run (final runs, as Chinchilla fits them) spanning the most ``decades`` of compute
    (:func:`~backend.queries.compute_span.compute_decades`), then validation losses, then the
    most widely measured."""
    if choices.has_metric(state.metric):
        return state
    decades = decades or {}

    def rank(m):
        key = metric_key(m)
        return (
            "loss" not in m.metric.lower(),
            m.n_measurements != m.n_models,
            -round(decades.get(key, 0.0), 1),
            m.kind != "validation",
            -m.n_models,
            key,
        )

    ranked = sorted(choices.metrics, key=rank)
    return state.model_copy(update={"metric": metric_key(ranked[0]) if ranked else ""})


def read_scaling_choices(state: ScalingState) -> tuple[Choices, ScalingState]:
    """The control options and the state with its defaults filled in."""
    with ui_session() as session:
        choices = read_choices(session)
        decades = {}
        if not choices.has_metric(state.metric):
            losses = [m for m in choices.metrics if "loss" in m.metric.lower()]
            refs = [MetricRef(eval_set=m.eval_set, metric=m.metric) for m in losses]
            decades = compute_decades(session, refs)
    return choices, with_defaults(state, choices, decades)


def y_label(state: ScalingState) -> str:
    """The y axis title: the metric, or its error 1 − value."""
    return f"error (1 − {state.metric})" if state.error else state.metric


def measurement_filter(state: ScalingState) -> MeasurementFilter:
    """The model and checkpoint filter the state asks for."""
    return MeasurementFilter(
        pretraining_data=state.data or None,
        families=state.family or None,
        models=(state.models or None) if state.mode == "curves" else None,
        final_only=state.final,
    )


def read_points(session: Session, state: ScalingState) -> pd.DataFrame:
    """The plotted points: x (compute, N, D or samples), y (value or error), group."""
    metric = MetricRef.parse(state.metric)
    frame = scaling_frame(session, metric=metric, flt=measurement_filter(state))
    if state.error:
        frame = frame.assign(value=1.0 - frame["value"])
    points = point_frame(frame, x=state.x, y="value", group=state.group, keep=HOVER_COLUMNS)
    return points[(points["x"] > 0) & (points["y"] > 0)].reset_index(drop=True)


def frontier_line(group: str, fit: ScalingLawFit, compute: np.ndarray) -> FitLine:
    """The fitted loss at the compute-optimal allocation, L(N_opt(C), D_opt(C)), over C."""
    optimal = fit.compute_optimal(compute)
    center = fit.predict(optimal.n_opt, optimal.d_opt)
    band = fit.band(optimal.n_opt, optimal.d_opt) if fit.interval_kind != "none" else None
    return FitLine(
        group,
        compute,
        center,
        lower=None if band is None else band.low,
        upper=None if band is None else band.high,
        label=f"{group}: compute-optimal L(C)",
        dash="dash",
    )


def readout(group: str, fit: ScalingLawFit, compute: float) -> tuple[Prediction, dict]:
    """The prediction at compute ``compute``: loss, N_opt, D_opt and tokens per parameter."""
    optimal = fit.compute_optimal([compute])
    n_opt, d_opt = optimal.n_opt[:1], optimal.d_opt[:1]
    value = float(fit.predict(n_opt, d_opt)[0])
    low = high = None
    if fit.interval_kind != "none":
        band = fit.band(n_opt, d_opt)
        low, high = float(band.low[0]), float(band.high[0])
    row = {
        f"L at C={compute:.3g}": f"{value:.4f}"
        + (f" [{low:.4f}, {high:.4f}]" if low is not None else ""),
        "N_opt": f"{n_opt[0]:.3g}",
        "D_opt": f"{d_opt[0]:.3g}",
        "D/N": f"{optimal.tokens_per_param[0]:.1f}",
    }
    return Prediction(group, compute, value, low, high), row


@functools.lru_cache(maxsize=64)
def cached_chinchilla(
    n_params: bytes, tokens: bytes, loss: bytes, *, full_grid: bool, bootstrap: int
) -> ScalingLawFit:
    """Chinchilla Approach 3 on the runs given as float64 bytes, remembered by their content:
    the fit is deterministic (seed 0), so changing only the readout, the axis or the options
    of the figure does not refit, and new results (other bytes) do."""
    return fit_chinchilla(
        np.frombuffer(n_params),
        np.frombuffer(tokens),
        np.frombuffer(loss),
        grid=FULL_GRID if full_grid else COARSE_GRID,
        bootstrap=bootstrap,
        seed=0,
    )


def chinchilla_rows(points: pd.DataFrame, state: ScalingState):
    """Chinchilla Approach 3 per group: frontier lines, table rows, predictions, notes."""
    lines, rows, predictions, notes = [], [], [], []
    for group, part in points.groupby("group", sort=True):
        part = part.dropna(subset=["n_params", "tokens_seen"])
        part = part[(part["n_params"] > 0) & (part["tokens_seen"] > 0)]
        if len(part) < max(MIN_POINTS_TO_FIT, 6):
            notes.append(f"{group}: {len(part)} runs with N and D, too few to fit")
            continue
        try:
            fit = cached_chinchilla(
                part["n_params"].to_numpy(float).tobytes(),
                part["tokens_seen"].to_numpy(float).tobytes(),
                part["y"].to_numpy(float).tobytes(),
                full_grid=state.full_grid,
                bootstrap=state.bootstrap,
            )
        except ValidationError as exc:
            notes.append(f"{group}: not fitted ({exc})")
            continue
        compute = grid(part["x"].to_numpy(float), log=True, extend_to=state.predict)
        lines.append(frontier_line(str(group), fit, compute))
        row: dict[str, object] = {"group": str(group)}
        row.update({name: estimate_text(est) for name, est in fit.params.items()})
        row.update({"n": fit.goodness.n, "R² (log loss)": round(fit.goodness.r_squared, 4)})
        if state.predict:
            prediction, extra = readout(str(group), fit, state.predict)
            predictions.append(prediction)
            row.update(extra)
        row["interval"] = fit.interval_kind
        rows.append(row)
    return lines, rows, predictions, notes


def power_law_rows(points: pd.DataFrame, state: ScalingState):
    """L = E + A·x^−α per group: lines with bands, table rows, predictions at x, notes."""
    lines, rows, predictions, notes = [], [], [], []
    for group, part in points.groupby("group", sort=True):
        if len(part) < MIN_POINTS_TO_FIT:
            notes.append(f"{group}: {len(part)} points, too few to fit")
            continue
        try:
            fit = fit_power_law(
                part["x"].to_numpy(float),
                part["y"].to_numpy(float),
                bootstrap=state.bootstrap,
                seed=0,
            )
        except ValidationError as exc:
            notes.append(f"{group}: not fitted ({exc})")
            continue
        xs = grid(part["x"].to_numpy(float), log=True, extend_to=state.predict)
        band = fit.band(xs) if fit.interval_kind != "none" else None
        lines.append(
            FitLine(
                str(group),
                xs,
                fit.predict(xs),
                lower=None if band is None else band.low,
                upper=None if band is None else band.high,
                label=f"{group}: {fit.formula}",
            )
        )
        row: dict[str, object] = {"group": str(group)}
        row.update({name: estimate_text(est) for name, est in fit.params.items()})
        row.update({"n": fit.goodness.n, "R² (log loss)": round(fit.goodness.r_squared, 4)})
        if state.predict:
            at = np.array([state.predict])
            value = float(fit.predict(at)[0])
            low = high = None
            if band is not None:
                at_band = fit.band(at)
                low, high = float(at_band.low[0]), float(at_band.high[0])
            predictions.append(Prediction(str(group), state.predict, value, low, high))
            row[f"L at x={state.predict:.3g}"] = f"{value:.4f}" + (
                f" [{low:.4f}, {high:.4f}]" if low is not None else ""
            )
        row["interval"] = fit.interval_kind
        rows.append(row)
    return lines, rows, predictions, notes


def build_scaling_view(session: Session, state: ScalingState) -> ExplorerView:
    """The figure, parameter table and points of ``state`` (scaling or learning curves)."""
    if not state.metric:
        return empty_view("Pick a metric")
    if state.mode == "curves":
        return build_learning_curves_view(session, state)
    try:
        points = read_points(session, state)
    except (NotFoundError, ValidationError) as exc:
        return empty_view(str(exc))
    if points.empty:
        return empty_view(f"No checkpoints have {state.metric} and {X_AXES[state.x]}")
    lines, rows, predictions, notes = [], [], [], []
    if state.fit and state.law == "chinchilla" and state.x == "compute":
        lines, rows, predictions, notes = chinchilla_rows(points, state)
    elif state.fit:
        lines, rows, predictions, notes = power_law_rows(points, state)
    options = ScalingOptions(
        x_label=X_AXES[state.x],
        y_label=y_label(state),
        legend_title=state.group,
        hover_columns=HOVER_COLUMNS,
        predictions=tuple(predictions),
    )
    figure = make_scaling_figure(points, lines, options)
    return ExplorerView(figure=figure, table=rows, points=points, notes=tuple(notes))


def build_learning_curves_view(session: Session, state: ScalingState) -> ExplorerView:
    """The metric against step (or tokens) for each chosen model."""
    try:
        frame = learning_curve_frame(
            session, metric=MetricRef.parse(state.metric), flt=measurement_filter(state)
        )
    except (NotFoundError, ValidationError) as exc:
        return empty_view(str(exc))
    if state.error:
        frame = frame.assign(value=1.0 - frame["value"])
    points = point_frame(frame, x=state.curve_x, y="value", group="model")
    if points.empty:
        return empty_view(f"No checkpoints with a {CURVE_AXES[state.curve_x]} have {state.metric}")
    figure = make_learning_curve_figure(
        points, x_label=CURVE_AXES[state.curve_x], y_label=y_label(state), log_x=state.log_x
    )
    return ExplorerView(figure=figure, points=points)
