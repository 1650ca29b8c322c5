"""What every explorer view returns, and the small helpers the view pipelines share."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from app.figures.base import empty_figure
from app.figures.fit_lines import FitLine
from app.session import ui_session
from app.state import PageState, decode_state, encode_state
from backend.analysis.results import Estimate, ParametricFit
from backend.fits.points import (  # noqa: F401 - re-exported for the views
    MIN_POINTS_TO_FIT,
    MISSING_GROUP,
    group_labels,
    point_frame,
)
from backend.fits.result import PageFits

S = TypeVar("S", bound=PageState)


@dataclass(frozen=True)
class ExplorerView:
    """The figure, the fitted-parameter table and the plotted points of one explorer view.

    ``details`` is a per-item table (e.g. effective robustness per model) beside the fit table;
    ``message`` says why the view is empty (no data matches) or what could not be fitted.
    """

    figure: go.Figure
    table: list[dict] = field(default_factory=list)
    points: pd.DataFrame = field(default_factory=pd.DataFrame)
    message: str | None = None
    notes: tuple[str, ...] = ()
    details: list[dict] = field(default_factory=list)
    fits: PageFits | None = None

    @property
    def is_empty(self) -> bool:
        """Whether there is nothing to plot."""
        return self.points.empty

    @property
    def table_columns(self) -> list[str]:
        """Column names of the parameter table, in first-seen order."""
        return list(dict.fromkeys(key for row in self.table for key in row))


def empty_view(message: str, fits: PageFits | None = None) -> ExplorerView:
    """A view with no data, whose figure says ``message``."""
    return ExplorerView(figure=empty_figure(message), message=message, fits=fits)


def estimate_text(estimate: Estimate, digits: int = 4) -> str:
    """``value [low, high]`` (or just the value when there is no interval)."""
    if estimate.low is None or estimate.high is None or estimate.low == estimate.high:
        return f"{estimate.value:.{digits}g}"
    return f"{estimate.value:.{digits}g} [{estimate.low:.{digits}g}, {estimate.high:.{digits}g}]"


def parameter_row(
    group: str, fit: ParametricFit, extra: Mapping[str, object] | None = None
) -> dict[str, object]:
    """One table row: the group, each parameter with its interval, n, R² and the interval kind."""
    row: dict[str, object] = {"group": group}
    for name, estimate in fit.params.items():
        row[name] = estimate_text(estimate)
    row["n"] = fit.goodness.n
    row["R²"] = round(fit.goodness.r_squared, 4)
    row.update(extra or {})
    row["interval"] = (
        f"{fit.interval_kind} {int(round(100 * fit.level))}%"
        if fit.interval_kind != "none"
        else "none"
    )
    row["space"] = fit.space
    return row


def fitted_curve(group: str, fit: ParametricFit, xs: np.ndarray, *, label: str) -> FitLine:
    """``fit`` evaluated at ``xs`` for ``group``, with its band where the fit has intervals."""
    band = fit.band(xs) if fit.interval_kind != "none" else None
    return FitLine(
        group,
        xs,
        fit.predict(xs),
        lower=None if band is None else band.low,
        upper=None if band is None else band.high,
        label=label,
    )


def grid(values: np.ndarray, *, log: bool, n: int = 80, extend_to: float | None = None):
    """``n`` points spanning ``values`` (and ``extend_to`` if given), log-spaced if ``log``."""
    low, high = float(np.min(values)), float(np.max(values))
    if extend_to is not None and np.isfinite(extend_to):
        low, high = min(low, extend_to), max(high, extend_to)
    if log:
        return np.logspace(np.log10(low), np.log10(high), n)
    return np.linspace(low, high, n)


def _query_value(value: object) -> str | list[str] | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    return str(value)


def state_from_controls(
    state_cls: type[S], values: Mapping[str, object], flags: Iterable[str] | None = None
) -> S:
    """The state the controls show: ``values`` by field name (empty ones mean "default"), and
    ``flags`` the names of the boolean fields that are on (every other boolean field is off).
    Values that do not validate fall back to their defaults, as a URL's would."""
    params: dict[str, str | list[str]] = {}
    for name, value in values.items():
        encoded = _query_value(value)
        if encoded is not None:
            params[name] = encoded
    if flags is not None:
        on = set(flags)
        for name, info in state_cls.model_fields.items():
            if info.annotation is bool:
                params[name] = "true" if name in on else "false"
    return decode_state(state_cls, params)


def flags_of(state: PageState) -> list[str]:
    """The names of the boolean fields of ``state`` that are on (a flags checklist's value)."""
    return [
        name
        for name, info in type(state).model_fields.items()
        if info.annotation is bool and getattr(state, name)
    ]


def build_in_session(build: Callable[..., ExplorerView], state: PageState) -> ExplorerView:
    """``build(session, state)`` in a read-only session on the configured database."""
    with ui_session() as session:
        return build(session, state)


def notes_text(view: ExplorerView) -> str:
    """The message and notes of a view as one line of text."""
    return "  ·  ".join(line for line in (view.message, *view.notes) if line)


def columns_of(rows: list[dict]) -> list[dict]:
    """DataTable column specs for ``rows`` (keys in first-seen order)."""
    return [{"name": c, "id": c} for c in dict.fromkeys(key for row in rows for key in row)]


def fit_export_records(view: ExplorerView) -> list[dict]:
    """What the fits export holds: numeric records (value, stderr, low, high columns, units
    in the names) when the view has fits, else the table rows."""
    from backend.fits.export import fit_records

    return fit_records(view.fits) if view.fits is not None else view.table


def explorer_outputs(view: ExplorerView, state: PageState, *, details: bool = False) -> tuple:
    """What an explorer callback returns: figure, fit records, table rows and columns, notes,
    the encoded state for the URL (the resolved one, defaults filled in, when the view has
    fits), the procedure box, and (if ``details``) the detail rows and columns."""
    from app.components.procedure import procedure_children

    outputs = (
        view.figure,
        fit_export_records(view),
        view.table,
        columns_of(view.table),
        notes_text(view),
        encode_state(view.fits.state if view.fits is not None else state),
        procedure_children(view.fits),
    )
    return outputs + (view.details, columns_of(view.details)) if details else outputs
