"""feedback: "you said, we did" actions, each person's feedback message, and their replies

Plain SQLAlchemy types only, and batch operations so SQLite can follow.

Revision ID: 0007
Revises: 0008 (the head when this was written: 0004 -> 0006 -> 0005 -> 0008)
Create Date: 2026-11-28 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("themes", _json(), nullable=False),
        sa.Column("audit_refs", _json(), nullable=False),
        sa.Column("you_said", sa.Text(), nullable=False),
        sa.Column("we_did", sa.Text(), nullable=True),
        sa.Column("wording", _json(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=True),
        sa.Column("action_on", sa.Date(), nullable=True),
        sa.Column("headline", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=254), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["review_id"], ["review.id"], name=op.f("fk_action_review_id_review")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action")),
    )
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_action_review_id"), ["review_id"], unique=False)

    op.create_table(
        "action_response",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"], ["action.id"], name=op.f("fk_action_response_action_id_action"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["response.id"],
            name=op.f("fk_action_response_response_id_response"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_response")),
        sa.UniqueConstraint(
            "action_id", "response_id", name=op.f("uq_action_response_action_id_response_id")
        ),
    )
    with op.batch_alter_table("action_response", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_action_response_action_id"), ["action_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_action_response_response_id"), ["response_id"], unique=False)

    op.create_table(
        "feedback_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("variant", sa.String(length=20), nullable=False),
        sa.Column("basis", sa.String(length=20), nullable=False),
        sa.Column("action_ids", _json(), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("blocks", _json(), nullable=False),
        sa.Column("problems", _json(), nullable=False),
        sa.Column("edited_by", sa.String(length=254), nullable=True),
        sa.Column("approved_by", sa.String(length=254), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sa.String(length=200), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"], ["message.id"], name=op.f("fk_feedback_message_message_id_message")
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_feedback_message_participant_id_participant"),
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["review.id"], name=op.f("fk_feedback_message_review_id_review")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_message")),
        sa.UniqueConstraint(
            "review_id",
            "round",
            "participant_id",
            name=op.f("uq_feedback_message_review_id_round_participant_id"),
        ),
        sa.UniqueConstraint("token", name=op.f("uq_feedback_message_token")),
    )
    with op.batch_alter_table("feedback_message", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_feedback_message_participant_id"), ["participant_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_feedback_message_review_id"), ["review_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_feedback_message_status"), ["status"], unique=False)

    op.create_table(
        "feedback_reply",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("feedback_message_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("helpful", sa.Boolean(), nullable=True),
        sa.Column("words", sa.Text(), nullable=True),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["feedback_message_id"],
            ["feedback_message.id"],
            name=op.f("fk_feedback_reply_feedback_message_id_feedback_message"),
        ),
        sa.ForeignKeyConstraint(
            ["message_id"], ["message.id"], name=op.f("fk_feedback_reply_message_id_message")
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"], ["participant.id"], name=op.f("fk_feedback_reply_participant_id_participant")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_reply")),
    )
    with op.batch_alter_table("feedback_reply", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_feedback_reply_feedback_message_id"), ["feedback_message_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_feedback_reply_participant_id"), ["participant_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("feedback_reply", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_reply_participant_id"))
        batch_op.drop_index(batch_op.f("ix_feedback_reply_feedback_message_id"))
    op.drop_table("feedback_reply")
    with op.batch_alter_table("feedback_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_message_status"))
        batch_op.drop_index(batch_op.f("ix_feedback_message_review_id"))
        batch_op.drop_index(batch_op.f("ix_feedback_message_participant_id"))
    op.drop_table("feedback_message")
    with op.batch_alter_table("action_response", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_response_response_id"))
        batch_op.drop_index(batch_op.f("ix_action_response_action_id"))
    op.drop_table("action_response")
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_review_id"))
    op.drop_table("action")
