"""review team: the rubric each rating was made under, and reviewer assignments

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-09 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        "rating_rubrics",
        sa.Column("rating_id", sa.String(length=32), nullable=False),
        sa.Column("output_id", sa.String(length=32), nullable=False),
        sa.Column("rater", sa.String(length=200), nullable=False),
        sa.Column("rubric_id", sa.String(length=200), nullable=False),
        sa.Column("rubric_sha256", sa.String(length=64), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["output_id"],
            ["outputs.id"],
            name=op.f("fk_rating_rubrics_output_id_outputs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rating_id"],
            ["ratings.id"],
            name=op.f("fk_rating_rubrics_rating_id_ratings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("rating_id", name=op.f("pk_rating_rubrics")),
    )
    with op.batch_alter_table("rating_rubrics", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rating_rubrics_output_id"), ["output_id"])
        batch_op.create_index(batch_op.f("ix_rating_rubrics_rubric_id"), ["rubric_id"])

    op.create_table(
        "review_assignments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("output_id", sa.String(length=32), nullable=False),
        sa.Column("reviewer", sa.String(length=200), nullable=False),
        sa.Column("assigned_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["output_id"],
            ["outputs.id"],
            name=op.f("fk_review_assignments_output_id_outputs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_assignments")),
        sa.UniqueConstraint(
            "output_id", "reviewer", name=op.f("uq_review_assignments_output_id_reviewer")
        ),
    )
    with op.batch_alter_table("review_assignments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_assignments_reviewer"), ["reviewer"])


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table("review_assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_assignments_reviewer"))
    op.drop_table("review_assignments")
    with op.batch_alter_table("rating_rubrics", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rating_rubrics_rubric_id"))
        batch_op.drop_index(batch_op.f("ix_rating_rubrics_output_id"))
    op.drop_table("rating_rubrics")
