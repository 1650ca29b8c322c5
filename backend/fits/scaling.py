"""Scaling fits: a loss (or error) against compute, N, D or samples per checkpoint, with
Chinchilla Approach 3 (x = compute) or a power law per group.

Published procedure for Hoffmann et al.'s points (eval set ``massivetext``): Approach 3 as
Besiroglu et al. 2024 refit it, on the 240 runs left after dropping the five highest losses
(their notebook keeps ``loss < 5th largest loss``). The default 243-start grid reaches the
same optimum as the paper's 4,500 starts on these points (tests/backend/fits measure it).
"""

from __future__ import annotations

from typing import Any, Literal

import pandas as pd
from sqlalchemy.orm import Session

from backend.analysis.chinchilla import COARSE_GRID, FULL_GRID, ScalingLawFit, fit_chinchilla
from backend.analysis.power_law import fit_power_law
from backend.exceptions import NotFoundError, ValidationError
from backend.fits.cache import cached_fit
from backend.fits.choices import Choices, metric_key, read_choices
from backend.fits.exclusions import mark_excluded
from backend.fits.points import MIN_POINTS_TO_FIT, point_frame
from backend.fits.result import GroupFit, PageFits, Procedure, compare
from backend.fits.urlstate import PageState
from backend.queries.compute_span import compute_decades
from backend.queries.frames import scaling_frame
from backend.schemas.measurements import MeasurementFilter, MetricRef

PAGE = "scaling"
HOVER_COLUMNS = ("n_params", "tokens_seen")
#: Chinchilla's own compute budget (Hoffmann et al. 2022): the readout when none is asked for
CHINCHILLA_BUDGET = 5.76e23
#: Published procedures by metric (``eval_set:metric``): name, citation, settings.
PUBLISHED = {
    "massivetext:loss": (
        "Chinchilla Approach 3, five highest-loss runs dropped",
        "Hoffmann et al. 2022, App. D.2; replication by Besiroglu et al. 2024, "
        '"Chinchilla Scaling: A replication attempt" (E=1.8172, A=482.01, B=2085.43, '
        "α=0.3478, β=0.3658 on 240 runs)",
        {"x": "compute", "law": "chinchilla", "error": False, "drop_highest": 5, "exclude": []},
    ),
}


class ScalingState(PageState):
    """Everything the scaling page shows, as its URL encodes it. ``drop_highest`` None means
    "the published procedure's" (5 on Chinchilla's points, else 0)."""

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
    drop_highest: int | None = None
    exclude: list[str] = []


def with_defaults(
    state: ScalingState, choices: Choices, decades: dict[str, float] | None = None
) -> ScalingState:
    """``state`` with a missing or unknown metric replaced by a loss: one measured once per
    run (final runs, as Chinchilla fits them) spanning the most ``decades`` of compute
    (:func:`~backend.queries.compute_span.compute_decades`), then validation losses, then the
    most widely measured; and ``drop_highest`` from the metric's published procedure."""
    state = state.model_copy(update={"metric": choices.stored_key(state.metric)})
    if not choices.has_metric(state.metric):
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
        state = state.model_copy(update={"metric": metric_key(ranked[0]) if ranked else ""})
    if state.drop_highest is None:
        published = PUBLISHED.get(state.metric)
        state = state.model_copy(
            update={"drop_highest": published[2]["drop_highest"] if published else 0}
        )
    return state


def resolve(session: Session, state: ScalingState) -> ScalingState:
    """``state`` with every default filled in (the metric, the published exclusions)."""
    choices = read_choices(session)
    decades = {}
    if not choices.has_metric(state.metric):
        losses = [m for m in choices.metrics if "loss" in m.metric.lower()]
        refs = [MetricRef(eval_set=m.eval_set, metric=m.metric) for m in losses]
        decades = compute_decades(session, refs)
    return with_defaults(state, choices, decades)


def procedure(state: ScalingState) -> Procedure | None:
    """The published procedure of the state's data, and where the state departs from it."""
    published = PUBLISHED.get(state.metric)
    return None if published is None else compare(state, *published)


def measurement_filter(state: ScalingState) -> MeasurementFilter:
    """The model and checkpoint filter the state asks for."""
    return MeasurementFilter(
        pretraining_data=state.data or None,
        families=state.family or None,
        models=(state.models or None) if state.mode == "curves" else None,
        final_only=state.final,
    )


def read_points(session: Session, state: ScalingState) -> pd.DataFrame:
    """The plotted points: x (compute, N, D or samples), y (value or error), group, and
    whether each is excluded from the fits (and why)."""
    metric = MetricRef.parse(state.metric)
    frame = scaling_frame(session, metric=metric, flt=measurement_filter(state))
    if state.error:
        frame = frame.assign(value=1.0 - frame["value"])
    points = point_frame(frame, x=state.x, y="value", group=state.group, keep=HOVER_COLUMNS)
    points = points[(points["x"] > 0) & (points["y"] > 0)].reset_index(drop=True)
    return mark_excluded(points, drop_highest=state.drop_highest or 0, exclude=state.exclude)


def allocation(fit: ScalingLawFit, compute: float) -> dict:
    """N_opt, D_opt, D/N (with bootstrap bounds) and the loss there, at budget ``compute``."""
    optimal = fit.compute_optimal([compute])
    n_opt, d_opt = optimal.n_opt[:1], optimal.d_opt[:1]
    out = {
        "compute": compute,
        "n_opt": float(n_opt[0]),
        "d_opt": float(d_opt[0]),
        "tokens_per_param": float(optimal.tokens_per_param[0]),
        "loss": float(fit.predict(n_opt, d_opt)[0]),
    }
    if optimal.tokens_per_param_interval is not None:
        low, high = optimal.tokens_per_param_interval
        out.update(tokens_per_param_low=float(low[0]), tokens_per_param_high=float(high[0]))
    return out


def chinchilla_groups(session: Session, points: pd.DataFrame, state: ScalingState):
    """Chinchilla Approach 3 per group on the points not excluded (cached by the runs'
    content: changing only the readout or the figure's options does not refit): fits and
    notes."""
    groups, notes = [], []
    used = points[~points["excluded"]]
    for group, part in used.groupby("group", sort=True):
        part = part.dropna(subset=["n_params", "tokens_seen"])
        part = part[(part["n_params"] > 0) & (part["tokens_seen"] > 0)]
        if len(part) < max(MIN_POINTS_TO_FIT, 6):
            notes.append(f"{group}: {len(part)} runs with N and D, too few to fit")
            continue
        try:
            fit = cached_fit(
                session,
                fit_chinchilla,
                part["n_params"].to_numpy(float),
                part["tokens_seen"].to_numpy(float),
                part["y"].to_numpy(float),
                grid=FULL_GRID if state.full_grid else COARSE_GRID,
                bootstrap=state.bootstrap,
                seed=0,
            )
        except ValidationError as exc:
            notes.append(f"{group}: not fitted ({exc})")
            continue
        budget = state.predict or CHINCHILLA_BUDGET
        extra = {
            "starts": fit.starts,
            "compute_optimal": allocation(fit, budget),
            "x_range": [float(part["x"].min()), float(part["x"].max())],
        }
        groups.append(GroupFit(str(group), fit.formula, fit, fit.to_dict(), extra))
    return groups, notes


def power_law_groups(session: Session, points: pd.DataFrame, state: ScalingState):
    """L = E + A·x^−α per group on the points not excluded: fits and notes."""
    groups, notes = [], []
    for group, part in points[~points["excluded"]].groupby("group", sort=True):
        if len(part) < MIN_POINTS_TO_FIT:
            notes.append(f"{group}: {len(part)} points, too few to fit")
            continue
        try:
            fit = cached_fit(
                session,
                fit_power_law,
                part["x"].to_numpy(float),
                part["y"].to_numpy(float),
                bootstrap=state.bootstrap,
                seed=0,
            )
        except ValidationError as exc:
            notes.append(f"{group}: not fitted ({exc})")
            continue
        extra: dict[str, Any] = {"x_range": [float(part["x"].min()), float(part["x"].max())]}
        if state.predict:
            extra["prediction"] = {"x": state.predict, "y": float(fit.predict([state.predict])[0])}
        groups.append(GroupFit(str(group), fit.formula, fit, fit.to_dict(), extra))
    return groups, notes


def scaling_fits(session: Session, state: ScalingState) -> PageFits:
    """The scaling page's fits for ``state`` (defaults resolved): the one computation behind
    the page and ``GET /api/fits/scaling``."""
    state = resolve(session, state)
    if not state.metric:
        return PageFits(PAGE, state, message="Pick a metric")
    try:
        points = read_points(session, state)
    except (NotFoundError, ValidationError) as exc:
        return PageFits(PAGE, state, message=str(exc))
    if points.empty:
        return PageFits(PAGE, state, message=f"No checkpoints have {state.metric} and {state.x}")
    groups, notes = [], []
    if state.mode == "scaling" and state.fit:
        chinchilla = state.law == "chinchilla" and state.x == "compute"
        groups, notes = (chinchilla_groups if chinchilla else power_law_groups)(
            session, points, state
        )
    return PageFits(PAGE, state, points, tuple(groups), procedure(state), notes=tuple(notes))
