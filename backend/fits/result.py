"""What a page's fits are: the resolved view state, the published procedure it follows (or
not), per group the law and its fit, and every point with whether it was used and why not.

``PageFits.to_dict()`` is the JSON of ``GET /api/fits/{page}``; the Dash pages draw the same
object, so the numbers on the page and in the API are one computation.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from backend.fits.urlstate import PageState, encode_state

#: Columns every points frame has (pages add their own, e.g. n_params, concept).
POINT_COLUMNS = ("x", "y", "group", "model", "checkpoint")


@dataclass(frozen=True)
class Procedure:
    """A published procedure for the view's data: its name, citation and settings (state
    field -> published value); ``differences`` lists the settings the view changed."""

    name: str
    citation: str
    settings: dict[str, Any]
    differences: tuple[str, ...] = ()

    @property
    def status(self) -> str:
        """``as published`` when every published setting is kept, else ``custom``."""
        return "custom" if self.differences else "as published"

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "name": self.name,
            "citation": self.citation,
            "settings": self.settings,
            "differences": list(self.differences),
        }


def compare(state: PageState, name: str, citation: str, settings: dict[str, Any]) -> Procedure:
    """The procedure ``settings`` describe, with the fields where ``state`` departs from it."""
    differences = tuple(
        f"{key} = {getattr(state, key)!r} (published: {value!r})"
        for key, value in settings.items()
        if getattr(state, key) != value
    )
    return Procedure(name, citation, settings, differences)


def _clean(value: Any) -> Any:
    """JSON-safe: numpy scalars as Python numbers, NaN and infinities as None."""
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(item) for item in value]
    if isinstance(value, np.ndarray):
        return [_clean(item) for item in value.tolist()]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


@dataclass(frozen=True)
class GroupFit:
    """One group's law (its formula) and fit; ``summary`` is the fit as the analysis
    serialises it (params keyed by the library's names, goodness, ...), ``extra`` the page's
    derived numbers (e.g. tokens per parameter at a compute budget)."""

    group: str
    law: str
    fit: Any
    summary: Mapping[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return _clean({"group": self.group, "law": self.law, **self.summary, **self.extra})


@dataclass(frozen=True)
class PageFits:
    """The fits one page shows for one resolved state."""

    page: str
    state: PageState
    points: pd.DataFrame = field(default_factory=pd.DataFrame)
    groups: tuple[GroupFit, ...] = ()
    procedure: Procedure | None = None
    notes: tuple[str, ...] = ()
    message: str | None = None

    @property
    def used(self) -> pd.DataFrame:
        """The points the fits used."""
        if "excluded" not in self.points:
            return self.points
        return self.points[~self.points["excluded"]]

    @property
    def excluded(self) -> pd.DataFrame:
        """The points left out of the fits, with their ``reason``."""
        if "excluded" not in self.points:
            return self.points.iloc[0:0]
        return self.points[self.points["excluded"]]

    @property
    def data_hash(self) -> str:
        """SHA-256 of every point (x, y, group, model, checkpoint), order-independent."""
        if self.points.empty:
            return hashlib.sha256(b"").hexdigest()
        columns = [c for c in POINT_COLUMNS if c in self.points]
        frame = self.points[columns].astype(str).sort_values(columns)
        text = frame.to_csv(index=False, float_format="%.17g")
        return hashlib.sha256(text.encode()).hexdigest()

    def group(self, name: str) -> GroupFit:
        """The fit of group ``name`` (KeyError if it has none)."""
        for group in self.groups:
            if group.group == name:
                return group
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``GET /api/fits/{page}``."""

        def records(frame: pd.DataFrame) -> list[dict]:
            return _clean(frame.to_dict("records"))

        return {
            "page": self.page,
            "state": self.state.model_dump(mode="json"),
            "query": encode_state(self.state),
            "procedure": None if self.procedure is None else self.procedure.to_dict(),
            "groups": [group.to_dict() for group in self.groups],
            "points_used": records(self.used.drop(columns=["excluded", "reason"], errors="ignore")),
            "points_excluded": records(self.excluded.drop(columns=["excluded"], errors="ignore")),
            "data_hash": self.data_hash,
            "notes": list(self.notes),
            "message": self.message,
        }
