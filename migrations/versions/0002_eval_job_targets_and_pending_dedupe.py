"""eval jobs: checkpoint/eval set targets, Celery task id, one pending job per dedupe key

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 09:25:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

PENDING = sa.text("status IN ('queued', 'running')")


def upgrade() -> None:
    with op.batch_alter_table('eval_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('checkpoint_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('eval_set_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('task_id', sa.String(length=200), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_eval_jobs_checkpoint_id_checkpoints'), 'checkpoints',
            ['checkpoint_id'], ['id'], ondelete='SET NULL',
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_eval_jobs_eval_set_id_eval_sets'), 'eval_sets',
            ['eval_set_id'], ['id'], ondelete='SET NULL',
        )
        batch_op.create_index(batch_op.f('ix_eval_jobs_checkpoint_id'), ['checkpoint_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_eval_jobs_eval_set_id'), ['eval_set_id'], unique=False)
        batch_op.create_index(
            'uq_eval_jobs_dedupe_key_pending', ['dedupe_key'], unique=True,
            sqlite_where=PENDING, postgresql_where=PENDING,
        )


def downgrade() -> None:
    with op.batch_alter_table('eval_jobs', schema=None) as batch_op:
        batch_op.drop_index('uq_eval_jobs_dedupe_key_pending')
        batch_op.drop_index(batch_op.f('ix_eval_jobs_eval_set_id'))
        batch_op.drop_index(batch_op.f('ix_eval_jobs_checkpoint_id'))
        batch_op.drop_constraint(batch_op.f('fk_eval_jobs_eval_set_id_eval_sets'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_eval_jobs_checkpoint_id_checkpoints'), type_='foreignkey')
        batch_op.drop_column('task_id')
        batch_op.drop_column('eval_set_id')
        batch_op.drop_column('checkpoint_id')
