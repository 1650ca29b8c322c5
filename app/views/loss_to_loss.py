"""Loss-to-loss view: two losses per checkpoint (same model, or train-to-train pairs of runs
matched on parameters and tokens), one shifted power-law fit per group with its band, a
parameter table with bootstrap intervals and extrapolation to a chosen x."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from app.figures.fit_lines import FitLine
from app.figures.loss_to_loss import Extrapolation, LossToLossOptions, make_loss_to_loss_figure
from app.session import ui_session
from app.state import PageState
from app.views.choices import Choices, metric_key, read_choices
from app.views.common import (
    MIN_POINTS_TO_FIT,
    ExplorerView,
    empty_view,
    grid,
    parameter_row,
    point_frame,
)
from backend.analysis.chinchilla import start_grid
from backend.analysis.loss_to_loss import fit_loss_to_loss, irreducible_losses
from backend.exceptions import NotFoundError, ValidationError
from backend.queries.frames import metric_pair_frame, train_to_train_frame
from backend.schemas.measurements import MeasurementFilter, MetricRef

PAIRINGS = ("same-model", "train-to-train")
HOVER_COLUMNS = ("n_params", "tokens_seen")
# Starts of the Kaplan-style fits that estimate E_x, E_y: a small grid keeps the page
# interactive (on the Brandfonbrener sweep it reaches the same optimum as the default grid).
IRREDUCIBLE_GRID = start_grid([0.3, 0.6], [0.3, 0.6], [0.0, 0.5, 1.0], [5, 15], [5, 15])


class LossToLossState(PageState):
    """Everything the loss-to-loss page shows, as its URL encodes it."""

    x: str = ""
    y: str = ""
    pairing: Literal["same-model", "train-to-train"] = "same-model"
    x_data: str = ""
    y_data: str = ""
    group: str = "pretraining_data"
    data: list[str] = []
    family: list[str] = []
    final: bool = False
    log: bool = False
    fit: bool = True
    procedure: Literal["loglog", "least_squares"] = "loglog"
    irreducible: Literal["zero", "scaling-law"] = "zero"
    bootstrap: int = 200
    extrapolate: float | None = None


def loss_metrics(choices: Choices) -> list[str]:
    """The metrics that look like losses, validation corpora first."""
    ranked = sorted(
        (m for m in choices.metrics if "loss" in m.metric.lower() or "ce" in m.metric.lower()),
        key=lambda m: (m.kind != "validation", -m.n_models, m.eval_set),
    )
    return [metric_key(m) for m in ranked] or [metric_key(m) for m in choices.metrics]


def with_defaults(state: LossToLossState, choices: Choices) -> LossToLossState:
    """``state`` with missing or unknown axes filled: the most common validation loss for x,
    and for y the loss measured on as many models as x (most likely the same runs)."""
    candidates = loss_metrics(choices)
    x = state.x if choices.has_metric(state.x) else (candidates[0] if candidates else "")
    models = {metric_key(m): m.n_models for m in choices.metrics}
    others = sorted(
        (key for key in candidates if key != x),
        key=lambda key: abs(models[key] - models.get(x, 0)),
    )
    y = state.y if choices.has_metric(state.y) else (others[0] if others else x)
    x_data = state.x_data
    if state.pairing == "train-to-train" and not x_data:
        values = [str(v) for v in choices.attributes.get("pretraining_data", [])]
        x_data = values[0] if values else ""
    return state.model_copy(update={"x": x, "y": y, "x_data": x_data})


def read_loss_to_loss_choices(state: LossToLossState) -> tuple[Choices, LossToLossState]:
    """The control options and the state with its defaults filled in."""
    with ui_session() as session:
        choices = read_choices(session)
    return choices, with_defaults(state, choices)


def measurement_filter(state: LossToLossState) -> MeasurementFilter:
    """The model and checkpoint filter the state asks for."""
    return MeasurementFilter(
        pretraining_data=state.data or None, families=state.family or None, final_only=state.final
    )


def read_points(session: Session, state: LossToLossState) -> pd.DataFrame:
    """The plotted points of the state (x, y, group, model, checkpoint, N, D)."""
    x, y = MetricRef.parse(state.x), MetricRef.parse(state.y)
    flt = measurement_filter(state)
    if state.pairing == "train-to-train":
        frame = train_to_train_frame(
            session, x=x, y=y, x_data=state.x_data or None, y_data=state.y_data or None, flt=flt
        )
        # The point opens the y-side run's page; hover names the x-side run it is paired with.
        frame = frame.assign(model=frame["y_model"], revision=frame["y_revision"])
        frame = frame.rename(columns={"x_model": "paired_with"})
        keep = (*HOVER_COLUMNS, "paired_with")
        return point_frame(frame, x="x", y="y", group="pairing", keep=keep)
    frame = metric_pair_frame(session, x=x, y=y, flt=flt)
    return point_frame(frame, x="x", y="y", group=state.group, keep=HOVER_COLUMNS)


def irreducible_of(part: pd.DataFrame, state: LossToLossState) -> tuple[float, float]:
    """E_x, E_y: from Kaplan-style scaling-law fits of each loss over the group's runs, or 0."""
    runs = part.dropna(subset=["n_params", "tokens_seen"])
    if state.irreducible == "zero" or len(runs) < MIN_POINTS_TO_FIT + 1:
        return 0.0, 0.0
    found = irreducible_losses(
        runs["n_params"].to_numpy(float),
        runs["tokens_seen"].to_numpy(float),
        runs["x"].to_numpy(float),
        runs["y"].to_numpy(float),
        grid=IRREDUCIBLE_GRID,
    )
    return found.e_x, found.e_y


def fit_group(part: pd.DataFrame, state: LossToLossState):
    """The shifted power law of one group, with E_x, E_y as the state asks."""
    e_x, e_y = irreducible_of(part, state)
    return fit_loss_to_loss(
        part["x"].to_numpy(float),
        part["y"].to_numpy(float),
        e_x=e_x,
        e_y=e_y,
        procedure=state.procedure,
        bootstrap=state.bootstrap,
        seed=0,
    )


def fit_groups(
    points: pd.DataFrame, state: LossToLossState
) -> tuple[list[FitLine], list[dict], list[Extrapolation], list[str]]:
    """One shifted power-law fit per group: lines, table rows, extrapolations, notes."""
    lines, rows, extrapolations, notes = [], [], [], []
    for group, part in points.groupby("group", sort=True):
        if len(part) < MIN_POINTS_TO_FIT:
            notes.append(f"{group}: {len(part)} points, too few to fit")
            continue
        try:
            fit = fit_group(part, state)
        except ValidationError as exc:
            notes.append(f"{group}: not fitted ({exc})")
            continue
        xs = grid(part["x"].to_numpy(), log=state.log, extend_to=state.extrapolate)
        xs = xs[xs > fit["E_x"]]
        band = fit.band(xs) if fit.interval_kind != "none" else None
        lines.append(
            FitLine(
                str(group),
                xs,
                fit.predict(xs),
                lower=None if band is None else band.low,
                upper=None if band is None else band.high,
                label=f"{group}: shifted power law",
            )
        )
        extra = {}
        if state.extrapolate is not None and state.extrapolate > fit["E_x"]:
            at = np.array([state.extrapolate])
            value = float(fit.predict(at)[0])
            low, high = value, value
            if band is not None:
                b = fit.band(at)
                low, high = float(b.low[0]), float(b.high[0])
            extrapolations.append(Extrapolation(str(group), state.extrapolate, value, low, high))
            extra = {f"y at x={state.extrapolate:g}": f"{value:.4f} [{low:.4f}, {high:.4f}]"}
        rows.append(parameter_row(str(group), fit, extra))
    return lines, rows, extrapolations, notes


def axis_labels(state: LossToLossState) -> tuple[str, str]:
    """Axis titles: the metrics, and for train-to-train the pretraining data of each side."""
    if state.pairing != "train-to-train":
        return state.x, state.y
    x_side = state.x_data or "one pretraining set"
    y_side = state.y_data or "another set (same N, D)"
    return f"{state.x} · trained on {x_side}", f"{state.y} · trained on {y_side}"


def build_loss_to_loss_view(session: Session, state: LossToLossState) -> ExplorerView:
    """The figure, parameter table and points of ``state``."""
    if not state.x or not state.y:
        return empty_view("Pick the losses for the x and y axes")
    try:
        points = read_points(session, state)
    except (NotFoundError, ValidationError) as exc:
        return empty_view(str(exc))
    if points.empty:
        return empty_view("No checkpoints have both losses for this selection")
    lines, rows, extrapolations, notes = (
        fit_groups(points, state) if state.fit else ([], [], [], [])
    )
    options = LossToLossOptions(
        x_label=axis_labels(state)[0],
        y_label=axis_labels(state)[1],
        log_axes=state.log,
        legend_title="pairing" if state.pairing == "train-to-train" else state.group,
        hover_columns=tuple(c for c in (*HOVER_COLUMNS, "paired_with") if c in points),
        extrapolations=tuple(extrapolations),
    )
    figure = make_loss_to_loss_figure(points, lines, options)
    return ExplorerView(figure=figure, table=rows, points=points, notes=tuple(notes))
