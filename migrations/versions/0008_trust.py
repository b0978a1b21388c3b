"""trust: how a participant withdrew, kept on the tombstone erasure leaves

Withdrawal (app/services/erasure.py) erases a participant's words and contact
details and keeps their row as a minimal tombstone: audit ref, role, when they
withdrew and now how (the channel they asked on, or the coordinator).

Revision ID: 0008
Revises: 0005 (the head when this was written)
Create Date: 2026-12-01 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.add_column(sa.Column("withdrawn_how", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.drop_column("withdrawn_how")
