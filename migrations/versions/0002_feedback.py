"""feedback loop: bandit arm posteriors and tuned generator versions

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 11:24:26.082223
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        "bandit_arms",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("task", sa.String(length=32), nullable=False),
        sa.Column("context", sa.String(length=64), nullable=False),
        sa.Column("arm", sa.String(length=200), nullable=False),
        sa.Column("successes", sa.Integer(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("pulls", sa.Integer(), nullable=False),
        sa.Column("mean_score", sa.Float(), nullable=True),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bandit_arms")),
        sa.UniqueConstraint("task", "context", "arm", name=op.f("uq_bandit_arms_task_context_arm")),
    )
    op.create_table(
        "generator_versions",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("generator_id", sa.String(length=200), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("base_model", sa.String(length=400), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("card", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_generator_versions")),
    )
    with op.batch_alter_table("generator_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_generator_versions_generator_id"), ["generator_id"], unique=False
        )


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table("generator_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_generator_versions_generator_id"))

    op.drop_table("generator_versions")
    op.drop_table("bandit_arms")
