"""Database transactions for page layouts and callbacks, on the running web app's database.

``app.main.create_app`` puts the engine of its database on ``server.state.engine``; the UI uses
that one (not a module-level engine), so an app built for another database reads from it.
"""

from __future__ import annotations

from contextlib import AbstractContextManager

from dash import get_app
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from backend.db import session_scope


def ui_engine() -> Engine | None:
    """The engine of the web app serving this request (None: the configured database)."""
    try:
        server = get_app().server
    except Exception:  # noqa: BLE001 - no Dash app yet (e.g. a pure test): use the default
        return None
    return getattr(getattr(server, "state", None), "engine", None)


def ui_session() -> AbstractContextManager[Session]:
    """One transaction on the web app's database (commit on success, roll back on error)."""
    return session_scope(ui_engine())
