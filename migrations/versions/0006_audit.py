"""audit: the PSWs' case-records audit, one assessment per audit ref and one rating per question

Plain SQLAlchemy types only, and batch operations so SQLite can follow. The
review's audit tool is already ``review.audit_tool`` (0001).

Revision ID: 0006
Revises: 0004
Create Date: 2026-11-27 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_assessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("audit_record_id", sa.Integer(), nullable=False),
        sa.Column("reviewer", sa.String(length=200), nullable=True),
        sa.Column("overall", sa.String(length=40), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.String(length=254), nullable=True),
        sa.ForeignKeyConstraint(
            ["audit_record_id"],
            ["audit_record.id"],
            name=op.f("fk_audit_assessment_audit_record_id_audit_record"),
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["review.id"], name=op.f("fk_audit_assessment_review_id_review")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_assessment")),
        sa.UniqueConstraint("audit_record_id", name=op.f("uq_audit_assessment_audit_record_id")),
    )
    with op.batch_alter_table("audit_assessment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_assessment_review_id"), ["review_id"], unique=False)

    op.create_table(
        "audit_rating",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.String(length=20), nullable=False),
        sa.Column("rating", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["audit_assessment.id"],
            name=op.f("fk_audit_rating_assessment_id_audit_assessment"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_rating")),
        sa.UniqueConstraint("assessment_id", "question", name=op.f("uq_audit_rating_assessment_id_question")),
    )
    with op.batch_alter_table("audit_rating", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_rating_assessment_id"), ["assessment_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_rating", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_rating_assessment_id"))

    op.drop_table("audit_rating")
    with op.batch_alter_table("audit_assessment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_assessment_review_id"))

    op.drop_table("audit_assessment")
