"""Loss-to-loss view: two losses per checkpoint (same model, or train-to-train pairs of runs
matched on parameters and tokens), one shifted power-law fit per group with its band, a
parameter table with bootstrap intervals and extrapolation to a chosen x."""

from __future__ import annotations

import numpy as np
from sqlalchemy.orm import Session

from app.figures.base import excluded_trace
from app.figures.loss_to_loss import Extrapolation, LossToLossOptions, make_loss_to_loss_figure
from app.views.choices import Choices, read_choices
from app.views.common import ExplorerView, empty_view, fitted_curve, grid, parameter_row
from backend.catalog.aliases import display_name
from backend.catalog.units import group_label, metric_key_label
from backend.fits.loss_to_loss import (
    HOVER_COLUMNS,
    LossToLossState,
    loss_metrics,
    loss_to_loss_fits,
    resolve,
    with_defaults,
)
from backend.fits.result import GroupFit

__all__ = ["LossToLossState", "build_loss_to_loss_view", "loss_metrics", "with_defaults"]

PAIRINGS = ("same-model", "train-to-train")


def read_loss_to_loss_choices(
    session: Session, state: LossToLossState
) -> tuple[Choices, LossToLossState]:
    """The control options and the state with its defaults filled in (in the page's session)."""
    return read_choices(session), resolve(session, state)


def group_line(group: GroupFit, state: LossToLossState):
    """One group's fitted line with its band, table row and extrapolation."""
    fit = group.fit
    xs = grid(np.array(group.extra["x_range"]), log=state.log, extend_to=state.extrapolate)
    xs = xs[xs > fit["E_x"]]
    line = fitted_curve(group.group, fit, xs, label=f"{group.group}: shifted power law")
    extra, extrapolation = {}, None
    at = group.extra.get("extrapolation")
    if at is not None:
        extrapolation = Extrapolation(group.group, at["x"], at["y"], at["low"], at["high"])
        extra = {f"y at x={at['x']:g}": f"{at['y']:.4f} [{at['low']:.4f}, {at['high']:.4f}]"}
    return line, parameter_row(group.group, fit, extra), extrapolation


def axis_labels(state: LossToLossState) -> tuple[str, str]:
    """Axis titles: the metrics, and for train-to-train the pretraining data of each side."""
    x, y = (metric_key_label(key, with_unit=False) for key in (state.x, state.y))
    if state.pairing != "train-to-train":
        return x, y
    x_side = (
        display_name("pretraining_data", state.x_data) if state.x_data else "one pretraining set"
    )
    y_side = (
        display_name("pretraining_data", state.y_data)
        if state.y_data
        else "another set (same N, D)"
    )
    return f"{x} · trained on {x_side}", f"{y} · trained on {y_side}"


def build_loss_to_loss_view(session: Session, state: LossToLossState) -> ExplorerView:
    """The figure, parameter table and points of ``state``."""
    fits = loss_to_loss_fits(session, state)
    state = fits.state
    if fits.message:
        return empty_view(fits.message, fits)
    lines, rows, extrapolations = [], [], []
    for group in fits.groups:
        line, row, extrapolation = group_line(group, state)
        lines.append(line)
        rows.append(row)
        extrapolations += [extrapolation] if extrapolation else []
    points = fits.points
    options = LossToLossOptions(
        x_label=axis_labels(state)[0],
        y_label=axis_labels(state)[1],
        log_axes=state.log,
        legend_title="pairing" if state.pairing == "train-to-train" else group_label(state.group),
        hover_columns=tuple(c for c in (*HOVER_COLUMNS, "paired_with") if c in points),
        extrapolations=tuple(extrapolations),
    )
    figure = make_loss_to_loss_figure(fits.used, lines, options)
    if not fits.excluded.empty:
        figure.add_trace(excluded_trace(fits.excluded))
    return ExplorerView(figure=figure, table=rows, points=points, notes=fits.notes, fits=fits)
