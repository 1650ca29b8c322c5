"""Folders that ship with ScaleScope but live outside the Python packages of a checkout.

In a checkout, ``migrations/`` and ``frontend_assets/`` sit at the top level; an installed
ScaleScope (wheel, ``pip install .``, the Docker images) carries them inside its packages as
``backend.migrations`` and ``app.frontend_assets`` (``setup.py`` maps them). :func:`shipped_dir`
finds either, so the code never guesses paths relative to ``site-packages``.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent


def shipped_dir(package: str, checkout_folder: str) -> Path:
    """The folder of ``package`` where it is installed, else ``checkout_folder`` of the
    checkout; raises ``FileNotFoundError`` naming both when neither exists."""
    try:
        spec = importlib.util.find_spec(package)
    except ImportError:
        spec = None
    for location in (spec.submodule_search_locations or []) if spec else []:
        if Path(location).is_dir():
            return Path(location)
    folder = CHECKOUT / checkout_folder
    if folder.is_dir():
        return folder
    raise FileNotFoundError(
        f"ScaleScope's {checkout_folder}/ folder is missing: neither the installed package "
        f"{package} nor {folder} exists (reinstall ScaleScope)"
    )


def migrations_dir() -> Path:
    """Alembic's script folder (``env.py``, ``versions/``)."""
    return shipped_dir("backend.migrations", "migrations")


def assets_dir() -> Path:
    """The dashboard's CSS and JavaScript, served by Dash."""
    return shipped_dir("app.frontend_assets", "frontend_assets")
