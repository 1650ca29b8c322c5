"""The schema is created by migrations, and the service refuses a database not at head."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import inspect

from backend import db
from backend.exceptions import DatabaseNotReadyError


def test_migrations_create_every_table(engine):
    tables = set(inspect(engine).get_table_names())
    assert set(db.Base.metadata.tables) <= tables
    db.check_at_head(engine)


def test_refuses_database_not_at_head(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = db.make_engine(url)
    with pytest.raises(DatabaseNotReadyError, match="scalescope db upgrade"):
        db.check_at_head(engine)
    db.upgrade(url)
    db.check_at_head(engine)
    command.downgrade(db.alembic_config(url), "base")
    with pytest.raises(DatabaseNotReadyError, match="needs revision"):
        db.check_at_head(engine)


def test_schema_matches_models(db_url):
    """Autogenerate finds nothing to change: the migrations and the ORM agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with db.get_engine(db_url).connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.Base.metadata)
    assert diff == []
