"""Loss-to-loss fits: two losses per checkpoint (same model, or train-to-train pairs of runs
matched on N and D), a shifted power law L_y = K·(L_x − E_x)^κ + E_y per group.

Published procedure (Brandfonbrener et al. 2024): E_x and E_y are the irreducible losses of
Kaplan-style scaling-law fits L(N, D) over *all* runs of each pretraining dataset on each loss
(not only the paired subset), then κ and K by OLS in log-log space.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from backend.analysis.chinchilla import fit_kaplan, start_grid
from backend.analysis.loss_to_loss import fit_loss_to_loss
from backend.exceptions import NotFoundError, ValidationError
from backend.fits.cache import cached_fit
from backend.fits.choices import Choices, metric_key, read_choices
from backend.fits.exclusions import mark_excluded
from backend.fits.memo import remembered
from backend.fits.points import MIN_POINTS_TO_FIT, point_frame
from backend.fits.result import GroupFit, PageFits, Procedure, compare
from backend.fits.urlstate import PageState
from backend.queries.frames import metric_pair_frame, scaling_frame, train_to_train_frame
from backend.schemas.measurements import MeasurementFilter, MetricRef

PAGE = "loss-to-loss"
HOVER_COLUMNS = ("n_params", "tokens_seen")
# Starts of the Kaplan-style fits that estimate E_x, E_y: a small grid keeps the page
# interactive (on the Brandfonbrener sweep it reaches the same optimum as the default grid).
IRREDUCIBLE_GRID = start_grid([0.3, 0.6], [0.3, 0.6], [0.0, 0.5, 1.0], [5, 15], [5, 15])
#: Brandfonbrener et al.'s headline train-to-train pair (their 3.3B extrapolation).
PUBLISHED_PAIR = ("fineweb-edu-100b", "fineweb-100b")
PUBLISHED = (
    "Shifted power law; E_x, E_y from per-dataset Kaplan scaling-law fits on all runs; "
    "κ, K by log-log OLS",
    'Brandfonbrener et al. 2024, "Loss-to-loss prediction: scaling laws for all datasets"',
    {"procedure": "loglog", "irreducible": "scaling-law", "exclude": []},
)


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
    irreducible: Literal["zero", "scaling-law"] = "scaling-law"
    bootstrap: int = 200
    extrapolate: float | None = None
    exclude: list[str] = []


def loss_metrics(choices: Choices) -> list[str]:
    """The metrics that look like losses, validation corpora first."""
    ranked = sorted(
        (m for m in choices.metrics if "loss" in m.metric.lower() or "ce" in m.metric.lower()),
        key=lambda m: (m.kind != "validation", -m.n_models, m.eval_set),
    )
    return [metric_key(m) for m in ranked] or [metric_key(m) for m in choices.metrics]


def with_defaults(state: LossToLossState, choices: Choices) -> LossToLossState:
    """``state`` with missing or unknown axes filled: the most common validation loss for x,
    and for y the loss measured on as many models as x (most likely the same runs); for
    train-to-train without data sides, the paper's pair when measured (else every pair)."""
    candidates = loss_metrics(choices)
    state = state.model_copy(
        update={"x": choices.stored_key(state.x), "y": choices.stored_key(state.y)}
    )
    x = state.x if choices.has_metric(state.x) else (candidates[0] if candidates else "")
    models = {metric_key(m): m.n_models for m in choices.metrics}
    others = sorted(
        (key for key in candidates if key != x),
        key=lambda key: abs(models[key] - models.get(x, 0)),
    )
    y = state.y if choices.has_metric(state.y) else (others[0] if others else x)
    update: dict = {"x": x, "y": y}
    data = {str(v) for v in choices.attributes.get("pretraining_data", [])}
    if state.pairing == "train-to-train" and not state.x_data and not state.y_data:
        if set(PUBLISHED_PAIR) <= data:
            update.update(x_data=PUBLISHED_PAIR[0], y_data=PUBLISHED_PAIR[1])
    return state.model_copy(update=update)


def resolve(session: Session, state: LossToLossState) -> LossToLossState:
    """``state`` with every default filled in."""
    return with_defaults(state, read_choices(session))


def measurement_filter(state: LossToLossState) -> MeasurementFilter:
    """The model and checkpoint filter the state asks for."""
    return MeasurementFilter(
        pretraining_data=state.data or None, families=state.family or None, final_only=state.final
    )


def read_points(session: Session, state: LossToLossState) -> pd.DataFrame:
    """The plotted points of the state (x, y, group, model, checkpoint, N, D, and for
    train-to-train each side's pretraining data), with exclusions marked."""
    x, y = MetricRef.parse(state.x), MetricRef.parse(state.y)
    flt = measurement_filter(state)
    if state.pairing == "train-to-train":
        frame = train_to_train_frame(
            session, x=x, y=y, x_data=state.x_data or None, y_data=state.y_data or None, flt=flt
        )
        # The point opens the y-side run's page; hover names the x-side run it is paired with.
        frame = frame.assign(model=frame["y_model"], revision=frame["y_revision"])
        frame = frame.rename(columns={"x_model": "paired_with"})
        keep: tuple[str, ...] = (
            *HOVER_COLUMNS,
            "paired_with",
            "x_pretraining_data",
            "y_pretraining_data",
        )
        points = point_frame(frame, x="x", y="y", group="pairing", keep=keep)
    else:
        frame = metric_pair_frame(session, x=x, y=y, flt=flt)
        keep = (*HOVER_COLUMNS, "pretraining_data")
        points = point_frame(frame, x="x", y="y", group=state.group, keep=keep)
    return mark_excluded(points, exclude=state.exclude)


def metric_runs(session: Session, metric: str, state: LossToLossState) -> pd.DataFrame:
    """``metric`` per checkpoint of every pretraining dataset (the state's family and final
    filters), read once per transaction: each group's E needs the runs of its own dataset."""
    flt = measurement_filter(state).model_copy(update={"pretraining_data": None})
    return remembered(
        session,
        ("loss_to_loss.metric_runs", metric, repr(flt)),
        lambda: scaling_frame(session, metric=MetricRef.parse(metric), flt=flt),
    )


def dataset_irreducible(session: Session, metric: str, data: str, state: LossToLossState):
    """E of ``metric`` from a scaling-law fit over every run trained on ``data`` (None when
    fewer than six runs have N, D and the loss)."""
    frame = metric_runs(session, metric, state)
    mine = (frame["pretraining_data"] == data).to_numpy(dtype=bool, na_value=False)
    n, d, value = (
        frame[column].to_numpy(dtype=float, na_value=np.nan)[mine]
        for column in ("n_params", "tokens_seen", "value")
    )
    runs = (n > 0) & (d > 0) & (value > 0)  # missing ones (NaN) compare False
    if runs.sum() < MIN_POINTS_TO_FIT + 1:
        return None, 0
    fit = cached_fit(session, fit_kaplan, n[runs], d[runs], value[runs], grid=IRREDUCIBLE_GRID)
    return fit.E, int(runs.sum())


def group_datasets(part: pd.DataFrame, state: LossToLossState) -> tuple[str | None, str | None]:
    """The pretraining dataset of each side of a group (None if the group mixes several)."""
    if state.pairing == "train-to-train":
        sides = (part["x_pretraining_data"].unique(), part["y_pretraining_data"].unique())
    else:
        one = part["pretraining_data"].dropna().unique() if "pretraining_data" in part else []
        sides = (one, one)
    return tuple(str(s[0]) if len(s) == 1 else None for s in sides)  # type: ignore[return-value]


def irreducible_of(session: Session, part: pd.DataFrame, state: LossToLossState):
    """E_x, E_y of one group and how they were found (``extra`` for the API)."""
    if state.irreducible == "zero":
        return 0.0, 0.0, {"irreducible": "zero"}
    x_data, y_data = group_datasets(part, state)
    if x_data is None or y_data is None:
        raise ValidationError("the group mixes pretraining datasets; E needs one per side")
    e_x, n_x = dataset_irreducible(session, state.x, x_data, state)
    e_y, n_y = dataset_irreducible(session, state.y, y_data, state)
    if e_x is None or e_y is None:
        raise ValidationError("too few runs with N and D to fit the scaling laws that give E")
    source = {"form": "kaplan", "x_data": x_data, "y_data": y_data, "runs_x": n_x, "runs_y": n_y}
    return e_x, e_y, {"irreducible": source}


def fit_groups(session: Session, points: pd.DataFrame, state: LossToLossState):
    """One shifted power-law fit per group on the points not excluded: fits and notes."""
    groups, notes = [], []
    for group, part in points[~points["excluded"]].groupby("group", sort=True):
        if len(part) < MIN_POINTS_TO_FIT:
            notes.append(f"{group}: {len(part)} points, too few to fit")
            continue
        try:
            e_x, e_y, extra = irreducible_of(session, part, state)
            fit = cached_fit(
                session,
                fit_loss_to_loss,
                part["x"].to_numpy(float),
                part["y"].to_numpy(float),
                e_x=e_x,
                e_y=e_y,
                procedure=state.procedure,
                bootstrap=state.bootstrap,
                seed=0,
            )
        except ValidationError as exc:
            notes.append(f"{group}: not fitted ({exc})")
            continue
        extra["x_range"] = [float(part["x"].min()), float(part["x"].max())]
        if state.extrapolate is not None and state.extrapolate > fit["E_x"]:
            band = fit.extrapolate([state.extrapolate])
            extra["extrapolation"] = {
                "x": state.extrapolate,
                "y": float(band.center[0]),
                "low": float(band.low[0]),
                "high": float(band.high[0]),
                "interval": band.kind,
            }
        groups.append(GroupFit(str(group), fit.formula, fit, fit.to_dict(), extra))
    return groups, notes


def procedure(state: LossToLossState) -> Procedure:
    """The published procedure and where the state departs from it."""
    return compare(state, *PUBLISHED)


def loss_to_loss_fits(session: Session, state: LossToLossState) -> PageFits:
    """The loss-to-loss page's fits for ``state`` (defaults resolved): the one computation
    behind the page and ``GET /api/fits/loss-to-loss``."""
    state = resolve(session, state)
    if not state.x or not state.y:
        return PageFits(PAGE, state, message="Pick the losses for the x and y axes")
    try:
        points = read_points(session, state)
    except (NotFoundError, ValidationError) as exc:
        return PageFits(PAGE, state, message=str(exc))
    if points.empty:
        return PageFits(PAGE, state, message="No checkpoints have both losses for this selection")
    groups, notes = fit_groups(session, points, state) if state.fit else ([], [])
    return PageFits(PAGE, state, points, tuple(groups), procedure(state), notes=tuple(notes))
