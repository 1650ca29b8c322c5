"""``scalescope share list`` / ``share revoke`` as a real subprocess."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from backend import db
from backend.exceptions import NotFoundError
from backend.services import shares


def _scalescope(url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "SCALESCOPE_DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "backend.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def test_list_then_revoke_by_url(sqlite_url):
    from tests.conftest import _empty_all_tables

    engine = db.get_engine(sqlite_url)
    _empty_all_tables(engine)
    with db.session_scope(engine) as session:
        share_id = shares.create_share(session=session, page="/scaling", created_by="ada").id
    listing = _scalescope(sqlite_url, "share", "list")
    assert listing.returncode == 0, listing.stderr
    assert share_id in listing.stdout and "live" in listing.stdout
    revoked = _scalescope(sqlite_url, "share", "revoke", f"http://host:8050/s/{share_id}")
    assert revoked.returncode == 0, revoked.stderr
    with db.session_scope(engine) as session, pytest.raises(NotFoundError):
        shares.resolve_share(session=session, share_id=share_id)
    again = _scalescope(sqlite_url, "share", "revoke", share_id)
    assert again.returncode == 1 and "no shared view" in again.stderr
