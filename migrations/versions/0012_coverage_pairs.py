"""coverage_pairs: the coverage grid per model x eval set (sums of coverage_cells), kept at
ingest so the coverage page and /api/coverage read it instead of grouping the cells

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "coverage_pairs",
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("eval_set_id", sa.Integer(), nullable=False),
        sa.Column("n_measurements", sa.Integer(), nullable=False),
        sa.Column("n_checkpoints", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["models.id"],
            name=op.f("fk_coverage_pairs_model_id_models"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["eval_set_id"],
            ["eval_sets.id"],
            name=op.f("fk_coverage_pairs_eval_set_id_eval_sets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("model_id", "eval_set_id", name=op.f("pk_coverage_pairs")),
    )
    op.create_index("ix_coverage_pairs_eval_set_id", "coverage_pairs", ["eval_set_id"])
    op.execute(
        "INSERT INTO coverage_pairs (model_id, eval_set_id, n_measurements, n_checkpoints) "
        "SELECT c.model_id, cc.eval_set_id, SUM(cc.n_measurements), COUNT(*) "
        "FROM coverage_cells cc JOIN checkpoints c ON c.id = cc.checkpoint_id "
        "WHERE cc.n_measurements > 0 GROUP BY c.model_id, cc.eval_set_id"
    )


def downgrade() -> None:
    op.drop_index("ix_coverage_pairs_eval_set_id", table_name="coverage_pairs")
    op.drop_table("coverage_pairs")
