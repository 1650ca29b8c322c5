"""What an explorer page is made of, declared once per page and used by both its layout
(:func:`app.components.explorer.explorer_page`) and its callbacks
(:func:`app.components.explorer_callbacks.register_explorer`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class ExplorerSpec:
    """One explorer: where it lives, how its state becomes a view, and its component ids.

    ``tables`` are ``(heading, table id, view attribute)``: the first holds the fits (the
    update callback fills it from ``view.table``), a second one the view's ``details``."""

    module: str  # the page module: callbacks are registered under it (share-link gate)
    path: str
    title: str
    lead: str
    state_cls: type
    build: Callable
    controls: Mapping[str, tuple[str, str]]  # state field -> (component id, property)
    flags: str
    notes: str
    tables: tuple[tuple[str, str, str], ...]
    exclude: str | None = None

    @property
    def table(self) -> str:
        """The id of the fits table."""
        return self.tables[0][1]

    @property
    def details(self) -> str | None:
        """The id of the second (details) table, if the page has one."""
        return self.tables[1][1] if len(self.tables) > 1 else None
