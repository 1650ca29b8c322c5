"""``scalescope db``: bring the database schema to the migration head, or show where it is."""

from __future__ import annotations

import argparse

from backend import db
from backend.config import get_settings


def register(subparsers) -> None:
    """Add ``db upgrade`` and ``db status``."""
    parser = subparsers.add_parser("db", help="database schema: upgrade, status")
    commands = parser.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    upgrade = commands.add_parser("upgrade", help="apply all migrations (creates SQLite file)")
    upgrade.set_defaults(func=_upgrade)
    status = commands.add_parser("status", help="print the current and the head revision")
    status.set_defaults(func=_status)


def _upgrade(_args: argparse.Namespace) -> int:
    url = get_settings().database_url
    db.upgrade(url)
    print(f"database at revision {db.head_revision()}: {_display(url)}")
    return 0


def _status(_args: argparse.Namespace) -> int:
    url = get_settings().database_url
    current = db.current_revision(db.get_engine(url))
    head = db.head_revision()
    state = "up to date" if current == head else "needs `scalescope db upgrade`"
    print(f"{_display(url)}: at {current or 'empty'}, head {head} ({state})")
    return 0 if current == head else 1


def _display(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
