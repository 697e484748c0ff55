"""tracked_entries: per-entry worked seconds behind users.total_seconds

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

TZ = sa.DateTime(timezone=True)

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tracked_entries",
        sa.Column("entry_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.BigInteger(), nullable=False),
        sa.Column("event_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("entry_id", name=op.f("pk_tracked_entries")),
    )


def downgrade() -> None:
    op.drop_table("tracked_entries")
