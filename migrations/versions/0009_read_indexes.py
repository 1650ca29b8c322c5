"""read indexes: checkpoints (model_id, step); measurements (metric, eval_set_id, checkpoint_id)

- ``ix_checkpoints_model_step``: a model's checkpoints in step order (the measurement listing
  walks them per model) and its largest step (``final_only``) from the index alone.
- ``ix_measurements_metric``: a metric filter without an eval set (``?metric=acc``) reads the
  matching index range instead of every measurement; with the checkpoint id it counts and
  joins from the index alone.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("checkpoints", schema=None) as batch_op:
        batch_op.create_index("ix_checkpoints_model_step", ["model_id", "step"], unique=False)
    with op.batch_alter_table("measurements", schema=None) as batch_op:
        batch_op.create_index(
            "ix_measurements_metric", ["metric", "eval_set_id", "checkpoint_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("measurements", schema=None) as batch_op:
        batch_op.drop_index("ix_measurements_metric")
    with op.batch_alter_table("checkpoints", schema=None) as batch_op:
        batch_op.drop_index("ix_checkpoints_model_step")
