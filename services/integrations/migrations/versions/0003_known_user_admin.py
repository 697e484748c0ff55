"""known_users.is_admin: a non-admin's webhook receives only the events its owner caused

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("known_users", sa.Column("is_admin", sa.Boolean(), server_default="false", nullable=False))


def downgrade() -> None:
    op.drop_column("known_users", "is_admin")
