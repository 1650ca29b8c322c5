"""The admin's ``scalescope user`` / ``token`` commands, run as a real subprocess."""

from __future__ import annotations

import os
import subprocess
import sys

from backend import db
from backend.services import auth


def _scalescope(url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "SCALESCOPE_DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "backend.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def test_admin_adds_a_user_and_a_token_that_authenticates(db_url):
    added = _scalescope(
        db_url,
        "user",
        "add",
        "grace",
        "--role",
        "editor",
        "--password-stdin",
        stdin="a long enough password\n",
    )
    assert added.returncode == 0, added.stderr
    created = _scalescope(db_url, "token", "create", "grace", "--name", "laptop")
    assert created.returncode == 0, created.stderr
    secret = created.stdout.strip().splitlines()[-1]
    with db.session_scope(db.get_engine(db_url)) as session:
        who = auth.authenticate_token(session=session, secret=secret)
    assert who.role == "editor"
    listing = _scalescope(db_url, "token", "list")
    assert "laptop" in listing.stdout and secret not in listing.stdout


def test_errors_are_one_line_and_exit_1(db_url):
    result = _scalescope(db_url, "user", "role", "nobody", "admin")
    assert result.returncode == 1
    assert result.stderr.strip() == "scalescope user: error: no user called 'nobody'"
