"""initial: the demo service's tables as its metadata declares them

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from alembic import op
from demo_service import metadata

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    metadata.create_all(op.get_bind())


def downgrade() -> None:
    metadata.drop_all(op.get_bind())
