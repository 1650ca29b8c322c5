"""What the explorer controls offer; the choices themselves live in
:mod:`backend.fits.choices` (the fits resolve their defaults from them)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from app.session import ui_session
from backend.fits.choices import (
    GROUP_LABELS,
    METRIC_OPTIONS_LIMIT,
    MODEL_OPTIONS_LIMIT,
    Choices,
    metric_key,
    read_choices,
)
from backend.queries.catalog import list_models

__all__ = [
    "GROUP_LABELS",
    "METRIC_OPTIONS_LIMIT",
    "MODEL_OPTIONS_LIMIT",
    "Choices",
    "metric_key",
    "read_choices",
]


def model_options(search: str | None, selected: list[str] | None) -> list[dict]:
    """Model-name options for a dropdown: the selected ones plus the first
    :data:`MODEL_OPTIONS_LIMIT` names that contain ``search`` (the list stays short however
    many models the database holds)."""
    with ui_session() as session:
        found = list_models(session, search=search or None, limit=MODEL_OPTIONS_LIMIT)
    names = list(dict.fromkeys([*(selected or []), *(m.name for m in found)]))
    return [{"label": name, "value": name} for name in names]


def metric_picker_options(
    choices: Choices, chosen: str | list[str] | None, first: Sequence[str] = ()
) -> list[dict]:
    """The options a metric picker lists before one types: :data:`METRIC_OPTIONS_LIMIT`
    metrics (the keys in ``first`` first, then the most widely measured) and the ``chosen``."""
    keep = [chosen] if isinstance(chosen, str) else list(chosen or [])
    return choices.metric_options(keep=keep, first=first, limit=METRIC_OPTIONS_LIMIT)


def metric_search_options(
    search: str | None,
    chosen: str | list[str] | None,
    first: Callable[[Choices], Sequence[str]] | None = None,
) -> list[dict]:
    """A metric picker's options for what is typed: matching metrics (all of them when
    nothing is typed is too many: see :func:`metric_picker_options`), the chosen kept."""
    with ui_session() as session:
        choices = read_choices(session)
    keep = [chosen] if isinstance(chosen, str) else list(chosen or [])
    ranking = first(choices) if first is not None else ()
    return choices.metric_options(
        search=search, keep=keep, first=ranking, limit=METRIC_OPTIONS_LIMIT
    )
