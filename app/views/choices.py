"""What the explorer controls offer; the choices themselves live in
:mod:`backend.fits.choices` (the fits resolve their defaults from them)."""

from __future__ import annotations

from app.session import ui_session
from backend.fits.choices import (
    GROUP_LABELS,
    MODEL_OPTIONS_LIMIT,
    Choices,
    metric_key,
    read_choices,
)
from backend.queries.catalog import list_models

__all__ = ["GROUP_LABELS", "MODEL_OPTIONS_LIMIT", "Choices", "metric_key", "read_choices"]


def model_options(search: str | None, selected: list[str] | None) -> list[dict]:
    """Model-name options for a dropdown: the selected ones plus the first
    :data:`MODEL_OPTIONS_LIMIT` names that contain ``search`` (the list stays short however
    many models the database holds)."""
    with ui_session() as session:
        found = [m.name for m in list_models(session, search=search or None)]
    names = list(dict.fromkeys([*(selected or []), *found[:MODEL_OPTIONS_LIMIT]]))
    return [{"label": name, "value": name} for name in names]
