"""Helpers for ingest tests: table snapshots to prove that a refused file wrote nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import text

SNAPSHOT_TABLES = (
    "uploads",
    "upload_overwrites",
    "models",
    "checkpoints",
    "eval_sets",
    "corpora",
    "measurements",
    "concept_scores",
    "concept_frequencies",
    "concept_pair_frequencies",
    "coverage_cells",
)


def snapshot(engine) -> dict[str, list[tuple]]:
    """Every row of every ingest table (sorted), to compare before and after."""
    with engine.connect() as conn:
        return {
            table: sorted(
                tuple(str(v) for v in row) for row in conn.execute(text(f"SELECT * FROM {table}"))
            )
            for table in SNAPSHOT_TABLES
        }


def count(engine, table: str) -> int:
    with engine.connect() as conn:
        return conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()


@pytest.fixture
def write(tmp_path):
    """Write text (or bytes) to a file in tmp and return its path."""

    def _write(name: str, content: str | bytes):
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return _write
