"""train_test_similarities: per test image, max cosine similarity to a corpus and nearest rows

Revision ID: 0005
Revises: 0004
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

JSONDoc = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "train_test_similarities",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("corpus_id", sa.Integer(), nullable=False),
        sa.Column("eval_set_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=200), nullable=False),
        sa.Column("sample", sa.String(length=500), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=True),
        sa.Column("similarity", sa.Float(), nullable=False),
        sa.Column("nearest_ids", JSONDoc, nullable=False),
        sa.Column("upload_id", sa.Integer(), nullable=True),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "similarity >= -1.001 AND similarity <= 1.001",
            name=op.f("ck_train_test_similarities_cosine_range"),
        ),
        sa.ForeignKeyConstraint(
            ["corpus_id"], ["corpora.id"],
            name=op.f("fk_train_test_similarities_corpus_id_corpora"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["eval_set_id"], ["eval_sets.id"],
            name=op.f("fk_train_test_similarities_eval_set_id_eval_sets"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["eval_jobs.id"],
            name=op.f("fk_train_test_similarities_job_id_eval_jobs"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["upload_id"], ["uploads.id"],
            name=op.f("fk_train_test_similarities_upload_id_uploads"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_train_test_similarities")),
        sa.UniqueConstraint(
            "corpus_id", "eval_set_id", "method", "sample",
            name=op.f("uq_train_test_similarities_corpus_id_eval_set_id_method_sample"),
        ),
    )
    op.create_index(
        op.f("ix_train_test_similarities_upload_id"), "train_test_similarities", ["upload_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_train_test_similarities_upload_id"), table_name="train_test_similarities")
    op.drop_table("train_test_similarities")
