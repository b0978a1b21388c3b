"""telegram: one-time deep links that bind a chat to a participant

Only the token's hash is kept; the chat it bound is kept as the same keyed
hash as participant.telegram_lookup, never the chat id itself.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 10:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "telegram_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("chat_lookup", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["participant_id"], ["participant.id"], name=op.f("fk_telegram_link_participant_id_participant")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_telegram_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_telegram_link_token_hash")),
    )
    with op.batch_alter_table("telegram_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_telegram_link_participant_id"), ["participant_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("telegram_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_telegram_link_participant_id"))
    op.drop_table("telegram_link")
