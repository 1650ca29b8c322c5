"""coverage_cells: the coverage grid (checkpoint x eval set -> measurements, last upload),
kept at ingest; backfilled from the stored measurements

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "coverage_cells",
        sa.Column("checkpoint_id", sa.Integer(), nullable=False),
        sa.Column("eval_set_id", sa.Integer(), nullable=False),
        sa.Column("n_measurements", sa.Integer(), nullable=False),
        sa.Column("last_upload_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["checkpoint_id"],
            ["checkpoints.id"],
            name=op.f("fk_coverage_cells_checkpoint_id_checkpoints"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["eval_set_id"],
            ["eval_sets.id"],
            name=op.f("fk_coverage_cells_eval_set_id_eval_sets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("checkpoint_id", "eval_set_id", name=op.f("pk_coverage_cells")),
    )
    op.create_index("ix_coverage_cells_eval_set_id", "coverage_cells", ["eval_set_id"])
    op.execute(
        "INSERT INTO coverage_cells (checkpoint_id, eval_set_id, n_measurements, last_upload_id) "
        "SELECT checkpoint_id, eval_set_id, COUNT(*), MAX(upload_id) FROM measurements "
        "GROUP BY checkpoint_id, eval_set_id"
    )


def downgrade() -> None:
    op.drop_index("ix_coverage_cells_eval_set_id", table_name="coverage_cells")
    op.drop_table("coverage_cells")
