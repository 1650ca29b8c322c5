"""train_test_similarities.correct: whether the image was classified right (accuracy vs
similarity per image)

Revision ID: 0006
Revises: 0005
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("train_test_similarities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("correct", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("train_test_similarities", schema=None) as batch_op:
        batch_op.drop_column("correct")
