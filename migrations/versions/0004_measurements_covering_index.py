"""measurements: covering index for the two-metric plot read

Replaces ix_measurements_eval_set_metric (eval_set_id, metric, checkpoint_id) with
ix_measurements_pair_read, which adds value and stderr so that reading one (eval set, metric)
for many checkpoints is an index-only scan in checkpoint order.

Revision ID: 0004
Revises: 0003
"""
from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("measurements", schema=None) as batch_op:
        batch_op.drop_index("ix_measurements_eval_set_metric")
        batch_op.create_index(
            "ix_measurements_pair_read",
            ["eval_set_id", "metric", "checkpoint_id", "value", "stderr"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("measurements", schema=None) as batch_op:
        batch_op.drop_index("ix_measurements_pair_read")
        batch_op.create_index(
            "ix_measurements_eval_set_metric",
            ["eval_set_id", "metric", "checkpoint_id"],
            unique=False,
        )
