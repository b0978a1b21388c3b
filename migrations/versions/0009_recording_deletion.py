"""recording deletion: recordings erasure still has to delete at Twilio

Erasure (app/services/erasure.py) drops the address of each recording of a
withdrawn person's answers and asks Twilio to delete the audio once the
erasure has committed. A row here is one still to delete (or whose deletion
failed, with why); it names no one.

Revision ID: 0009
Revises: 0007 (the head when this was written)
Create Date: 2026-12-08 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "recording_deletion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recording_sid", sa.String(length=34), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_tried_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recording_deletion")),
        sa.UniqueConstraint("recording_sid", name=op.f("uq_recording_deletion_recording_sid")),
    )


def downgrade() -> None:
    op.drop_table("recording_deletion")
