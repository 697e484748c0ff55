"""notes: a second revision, so a schema can be behind the code

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("demo_notes", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade() -> None:
    op.drop_table("demo_notes")
