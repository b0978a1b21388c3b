"""accounts: staff users and roles, review membership, peer assignments, sign-in
throttling, the audit trail of who opened whose answers, safeguarding concerns,
and quotes a peer noted with the person's consent to quote them

Plain SQLAlchemy types only, and batch operations so SQLite can follow.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 10:39:50.981180
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("email_key", sa.String(length=64), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempt")),
    )
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_attempt_attempted_at"), ["attempted_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_login_attempt_email_key"), ["email_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_login_attempt_key"), ["key"], unique=False)

    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("must_change_password", sa.Boolean(), nullable=False),
        sa.Column("session_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_account")),
        sa.UniqueConstraint("email", name=op.f("uq_user_account_email")),
    )
    op.create_table(
        "review_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("is_lead", sa.Boolean(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["review_id"], ["review.id"], name=op.f("fk_review_member_review_id_review")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_review_member_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_member")),
        sa.UniqueConstraint("review_id", "user_id", name=op.f("uq_review_member_review_id_user_id")),
    )
    with op.batch_alter_table("review_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_member_review_id"), ["review_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_review_member_user_id"), ["user_id"], unique=False)

    op.create_table(
        "access_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("review_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"], ["participant.id"], name=op.f("fk_access_log_participant_id_participant")
        ),
        sa.ForeignKeyConstraint(["review_id"], ["review.id"], name=op.f("fk_access_log_review_id_review")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_access_log_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_log")),
    )
    with op.batch_alter_table("access_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_access_log_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_access_log_participant_id"), ["participant_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_access_log_review_id"), ["review_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_access_log_user_id"), ["user_id"], unique=False)

    op.create_table(
        "peer_assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("peer_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"], ["participant.id"], name=op.f("fk_peer_assignment_participant_id_participant")
        ),
        sa.ForeignKeyConstraint(
            ["peer_id"], ["user_account.id"], name=op.f("fk_peer_assignment_peer_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_peer_assignment")),
        sa.UniqueConstraint(
            "peer_id", "participant_id", name=op.f("uq_peer_assignment_peer_id_participant_id")
        ),
    )
    with op.batch_alter_table("peer_assignment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_peer_assignment_participant_id"), ["participant_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_peer_assignment_peer_id"), ["peer_id"], unique=False)

    op.create_table(
        "quote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("audit_record_id", sa.Integer(), nullable=False),
        sa.Column("node", sa.String(length=100), nullable=False),
        sa.Column("theme", sa.String(length=100), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("consent_to_quote", sa.Boolean(), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["audit_record_id"], ["audit_record.id"], name=op.f("fk_quote_audit_record_id_audit_record")
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"], ["conversation.id"], name=op.f("fk_quote_conversation_id_conversation")
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"], ["participant.id"], name=op.f("fk_quote_participant_id_participant")
        ),
        sa.ForeignKeyConstraint(["review_id"], ["review.id"], name=op.f("fk_quote_review_id_review")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quote")),
    )
    with op.batch_alter_table("quote", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quote_audit_record_id"), ["audit_record_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_quote_conversation_id"), ["conversation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_quote_participant_id"), ["participant_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_quote_review_id"), ["review_id"], unique=False)

    op.create_table(
        "concern",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=True),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("node", sa.String(length=100), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=True),
        sa.Column("matched", sa.String(length=200), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("raised_by", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("notified_via", sa.String(length=20), nullable=True),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notify_error", sa.Text(), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=254), nullable=True),
        sa.ForeignKeyConstraint(
            ["conversation_id"], ["conversation.id"], name=op.f("fk_concern_conversation_id_conversation")
        ),
        sa.ForeignKeyConstraint(["message_id"], ["message.id"], name=op.f("fk_concern_message_id_message")),
        sa.ForeignKeyConstraint(
            ["participant_id"], ["participant.id"], name=op.f("fk_concern_participant_id_participant")
        ),
        sa.ForeignKeyConstraint(["review_id"], ["review.id"], name=op.f("fk_concern_review_id_review")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_concern")),
    )
    with op.batch_alter_table("concern", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_concern_conversation_id"), ["conversation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_concern_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_concern_participant_id"), ["participant_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_concern_review_id"), ["review_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("concern", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_concern_review_id"))
        batch_op.drop_index(batch_op.f("ix_concern_participant_id"))
        batch_op.drop_index(batch_op.f("ix_concern_created_at"))
        batch_op.drop_index(batch_op.f("ix_concern_conversation_id"))

    op.drop_table("concern")
    with op.batch_alter_table("quote", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quote_review_id"))
        batch_op.drop_index(batch_op.f("ix_quote_participant_id"))
        batch_op.drop_index(batch_op.f("ix_quote_conversation_id"))
        batch_op.drop_index(batch_op.f("ix_quote_audit_record_id"))

    op.drop_table("quote")
    with op.batch_alter_table("peer_assignment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_peer_assignment_peer_id"))
        batch_op.drop_index(batch_op.f("ix_peer_assignment_participant_id"))

    op.drop_table("peer_assignment")
    with op.batch_alter_table("access_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_access_log_user_id"))
        batch_op.drop_index(batch_op.f("ix_access_log_review_id"))
        batch_op.drop_index(batch_op.f("ix_access_log_participant_id"))
        batch_op.drop_index(batch_op.f("ix_access_log_at"))

    op.drop_table("access_log")
    with op.batch_alter_table("review_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_member_user_id"))
        batch_op.drop_index(batch_op.f("ix_review_member_review_id"))

    op.drop_table("review_member")
    op.drop_table("user_account")
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_attempt_key"))
        batch_op.drop_index(batch_op.f("ix_login_attempt_email_key"))
        batch_op.drop_index(batch_op.f("ix_login_attempt_attempted_at"))

    op.drop_table("login_attempt")
