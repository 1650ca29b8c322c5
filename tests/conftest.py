"""Shared fixtures: real databases (a SQLite file and the local PostgreSQL), migrated to head.

``db_url`` / ``engine`` / ``session`` are parametrized over both backends: a test that uses
them runs once on SQLite and once on Postgres. Postgres tests get a fresh database per test
session (so parallel runs do not collide) and empty tables per test. When ``CI`` is set, an
unreachable Postgres fails the tests instead of skipping them.
"""

from __future__ import annotations

import json
import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from backend import db, models  # noqa: F401  (models registers the tables)
from backend.queries import data_version

REPO = Path(__file__).resolve().parents[1]
#: Published results shipped for ``scalescope demo`` (whole upstream files); the tests read them.
DEMO_DATA = REPO / "backend" / "demo" / "data"
#: Published results only the tests read, trimmed to what they need (see tests/data/README.md).
TEST_DATA = REPO / "tests" / "data"
PG_ADMIN_URL = os.environ.get(
    "SCALESCOPE_TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
CHROMIUM = os.environ.get("SCALESCOPE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Web apps built by tests run no embedded job executor unless a test asks for one.
os.environ.setdefault("SCALESCOPE_LOCAL_EXECUTOR_WORKERS", "0")
# Jobs read files only under allowed roots: tests write theirs under the temp directory.
os.environ.setdefault(
    "SCALESCOPE_WORKER_ROOTS", json.dumps([tempfile.gettempdir(), str(REPO / "tests")])
)


def pytest_collection_modifyitems(config, items):
    """Mark every test that reaches the real PostgreSQL (through ``postgres_url``, directly or
    via another fixture) ``postgres``, so ``-m "not postgres"`` runs without a server."""
    for item in items:
        if "postgres_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(scope="session")
def demo_data_dir() -> Path:
    """``backend/demo/data``: the demo's published files, upstream names and folders kept."""
    return DEMO_DATA


@pytest.fixture(scope="session")
def test_data_dir() -> Path:
    """``tests/data``: the further published files the tests read, same folder layout."""
    return TEST_DATA


def _pg_reachable() -> str | None:
    """None if the admin database answers, else the reason it does not."""
    try:
        engine = db.make_engine(PG_ADMIN_URL)
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "unreachable"
        return str(exc).splitlines()[0]


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh Postgres database, migrated to head, dropped after the session."""
    reason = _pg_reachable()
    if reason is not None:
        message = f"PostgreSQL at {PG_ADMIN_URL} is unreachable: {reason}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    name = f"scalescope_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = db.make_engine(PG_ADMIN_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    db.upgrade(url)
    yield url
    db.get_engine.cache_clear()
    with admin.connect() as conn:
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :n AND pid <> pg_backend_pid()"
            ),
            {"n": name},
        )
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory) -> str:
    """A SQLite file migrated to head (the embedded default)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'scalescope.db'}"
    db.upgrade(url)
    return url


def _empty_all_tables(engine: Engine) -> None:
    tables = [t.name for t in reversed(db.Base.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(text(f"DELETE FROM {table}"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request) -> str:
    """The URL of an empty, migrated database; each test runs on SQLite and on Postgres."""
    url = request.getfixturevalue(f"{request.param}_url")
    _empty_all_tables(db.get_engine(url))
    data_version.clear()  # ids restart: a refilled database may repeat an earlier version
    return url


@pytest.fixture
def engine(db_url) -> Engine:
    """The engine of ``db_url``."""
    return db.get_engine(db_url)


@pytest.fixture
def session(engine):
    """A session on an empty database; closed (not committed) after the test."""
    s = db.new_session(engine)
    yield s
    s.rollback()
    s.close()


@pytest.fixture
def local_job_queue():
    """The local executor's job queue installed for code that queues jobs without going
    through an entry point (which installs one itself); the previous one back afterwards."""
    from backend.services.job_queue import set_job_queue
    from backend.worker.queues import LocalJobQueue

    queue = LocalJobQueue()
    previous = set_job_queue(queue)
    yield queue
    set_job_queue(previous)


@pytest.fixture
def every_pair_runnable(monkeypatch):
    """As if every checkpoint had its weights and every benchmark its data here, for tests of
    what Launch missing picks among the holes (tests/backend/test_runnable_pairs.py checks
    that unrunnable pairs are left out)."""
    from backend.services import runnable_pairs

    monkeypatch.setattr(runnable_pairs, "checkpoint_problem", lambda *_: None)
    monkeypatch.setattr(runnable_pairs, "eval_set_problem", lambda *_: None)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium per test process (Playwright's sync API allows one instance per
    thread, so every browser test of a process shares this one)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
