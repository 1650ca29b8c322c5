"""Scaling view: a loss (or error) against compute, parameters, tokens or samples per
checkpoint, Chinchilla Approach 3 per group (drawn as its compute-optimal frontier) with a
"predict at compute C" readout; and learning curves (metric against step) per model."""

from __future__ import annotations

import numpy as np
from sqlalchemy.orm import Session

from app.figures.base import excluded_trace
from app.figures.fit_lines import FitLine
from app.figures.scaling import (
    Prediction,
    ScalingOptions,
    make_learning_curve_figure,
    make_scaling_figure,
)
from app.views.choices import Choices, read_choices
from app.views.common import (
    ExplorerView,
    empty_view,
    estimate_text,
    fitted_curve,
    grid,
    point_frame,
)
from backend.analysis.chinchilla import ScalingLawFit
from backend.catalog.units import group_label, metric_key_label
from backend.exceptions import NotFoundError, ValidationError
from backend.fits.result import GroupFit, PageFits
from backend.fits.scaling import (
    ScalingState,
    measurement_filter,
    resolve,
    scaling_fits,
    with_defaults,
)
from backend.queries.frames import learning_curve_frame
from backend.schemas.measurements import MetricRef

__all__ = ["ScalingState", "build_scaling_view", "read_scaling_choices", "with_defaults"]

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


def read_scaling_choices(session: Session, state: ScalingState) -> tuple[Choices, ScalingState]:
    """The control options and the state with its defaults filled in (in the page's session)."""
    return read_choices(session), resolve(session, state)


def y_label(state: ScalingState) -> str:
    """The y axis title: the metric, or its error 1 − value."""
    label = metric_key_label(state.metric, with_unit=False)  # values as stored
    return f"error (1 − {label})" if state.error else label


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


def chinchilla_rows(fits: PageFits, state: ScalingState):
    """Per Chinchilla group: the frontier line, the table row and the readout at ``predict``."""
    lines, rows, predictions = [], [], []
    for group in fits.groups:
        fit: ScalingLawFit = group.fit
        compute = grid(np.array(group.extra["x_range"]), log=True, extend_to=state.predict)
        lines.append(frontier_line(group.group, fit, compute))
        row: dict[str, object] = {"group": group.group}
        row.update({name: estimate_text(est) for name, est in fit.params.items()})
        row.update({"n": fit.goodness.n, "R² (log loss)": round(fit.goodness.r_squared, 4)})
        if state.predict:
            prediction, extra = readout(group.group, fit, state.predict)
            predictions.append(prediction)
            row.update(extra)
        row["interval"] = fit.interval_kind
        rows.append(row)
    return lines, rows, predictions


def power_law_row(group: GroupFit, state: ScalingState):
    """One power-law group: its line with band, table row and prediction at ``predict``."""
    fit = group.fit
    xs = grid(np.array(group.extra["x_range"]), log=True, extend_to=state.predict)
    line = fitted_curve(group.group, fit, xs, label=f"{group.group}: {fit.formula}")
    row: dict[str, object] = {"group": group.group}
    row.update({name: estimate_text(est) for name, est in fit.params.items()})
    row.update({"n": fit.goodness.n, "R² (log loss)": round(fit.goodness.r_squared, 4)})
    prediction = None
    if state.predict:
        at = np.array([state.predict])
        value = float(fit.predict(at)[0])
        low = high = None
        if line.has_band:
            at_band = fit.band(at)
            low, high = float(at_band.low[0]), float(at_band.high[0])
        prediction = Prediction(group.group, state.predict, value, low, high)
        row[f"L at x={state.predict:.3g}"] = f"{value:.4f}" + (
            f" [{low:.4f}, {high:.4f}]" if low is not None else ""
        )
    row["interval"] = fit.interval_kind
    return line, row, prediction


def build_scaling_view(session: Session, state: ScalingState) -> ExplorerView:
    """The figure, parameter table and points of ``state`` (scaling or learning curves)."""
    if state.mode == "curves":
        return build_learning_curves_view(session, resolve(session, state))
    fits = scaling_fits(session, state)
    state = fits.state
    if fits.message:
        return empty_view(fits.message, fits)
    lines, rows, predictions = [], [], []
    if fits.groups and isinstance(fits.groups[0].fit, ScalingLawFit):
        lines, rows, predictions = chinchilla_rows(fits, state)
    else:
        for group in fits.groups:
            line, row, prediction = power_law_row(group, state)
            lines.append(line)
            rows.append(row)
            predictions += [prediction] if prediction else []
    options = ScalingOptions(
        x_label=X_AXES[state.x],
        y_label=y_label(state),
        legend_title=group_label(state.group),
        hover_columns=HOVER_COLUMNS,
        predictions=tuple(predictions),
    )
    figure = make_scaling_figure(fits.used, lines, options)
    if not fits.excluded.empty:
        figure.add_trace(excluded_trace(fits.excluded))
    return ExplorerView(figure=figure, table=rows, points=fits.points, notes=fits.notes, fits=fits)


def build_learning_curves_view(session: Session, state: ScalingState) -> ExplorerView:
    """The metric against step (or tokens) for each chosen model."""
    if not state.metric:
        return empty_view("Pick a metric")
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
