"""voice: the steps of each phone call, so a retried webhook gets the same TwiML

Outbound call attempts are messages (channel 'voice', direction 'out'), as
texts are: no table of their own.

Revision ID: 0005
Revises: 0006 (the head when this was written: 0006_audit came first)
Create Date: 2026-11-26 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "call_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_sid", sa.String(length=64), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column(
            "prompt",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("silences", sa.Integer(), nullable=False),
        sa.Column("pending", sa.Text(), nullable=True),
        sa.Column("recording", sa.Boolean(), nullable=False),
        sa.Column("twiml", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"], ["participant.id"], name=op.f("fk_call_step_participant_id_participant")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_step")),
        sa.UniqueConstraint("call_sid", "step", name=op.f("uq_call_step_call_sid_step")),
    )
    with op.batch_alter_table("call_step", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_call_step_participant_id"), ["participant_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("call_step", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_call_step_participant_id"))
    op.drop_table("call_step")
