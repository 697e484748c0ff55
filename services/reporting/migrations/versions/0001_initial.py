"""initial: the user, client, project, task and entry replicas, day and month rollups (per user
and per project), applied positions, outbox, processed_events

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

TZ = sa.DateTime(timezone=True)
revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "applied_positions",
        sa.Column("consumer", sa.String(length=100), nullable=False),
        sa.Column("event_at", TZ, nullable=False),
        sa.Column("applied_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("consumer", name=op.f("pk_applied_positions")),
    )
    op.create_table(
        "day_totals",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.BigInteger(), nullable=False),
        sa.Column("billable_seconds", sa.BigInteger(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("centihours", sa.BigInteger(), nullable=False),
        sa.Column("billable_centihours", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "day", "project_id", "task_id", "client_id", name=op.f("pk_day_totals")),
    )
    op.create_index("ix_day_totals_day", "day_totals", ["day"], unique=False)
    op.create_table(
        "entries",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("client_id", sa.Integer(), nullable=True),
        sa.Column("start_time", TZ, nullable=False),
        sa.Column("end_time", TZ, nullable=True),
        sa.Column("duration_seconds", sa.Integer(), nullable=True),
        sa.Column("break_seconds", sa.Integer(), server_default="0", nullable=False),
        sa.Column("paused_at", TZ, nullable=True),
        sa.Column("billable", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("tags", sa.String(length=500), nullable=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("centihours", sa.Integer(), server_default="0", nullable=False),
        sa.Column("doc", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("deleted", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("event_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entries")),
    )
    op.create_index(
        "ix_entries_active",
        "entries",
        ["user_id"],
        unique=False,
        postgresql_where=sa.text("NOT deleted AND end_time IS NULL"),
    )
    op.create_index(
        "ix_entries_project_start",
        "entries",
        ["project_id", "start_time"],
        unique=False,
        postgresql_where=sa.text("NOT deleted"),
    )
    op.create_index(
        "ix_entries_start", "entries", ["start_time"], unique=False, postgresql_where=sa.text("NOT deleted")
    )
    op.create_index(
        "ix_entries_user_start",
        "entries",
        ["user_id", "start_time"],
        unique=False,
        postgresql_where=sa.text("NOT deleted"),
    )
    op.create_table(
        "known_clients",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("default_hourly_rate", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("deleted", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("event_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_known_clients")),
    )
    op.create_table(
        "known_projects",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), server_default="active", nullable=False),
        sa.Column("hourly_rate", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("estimated_hours", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("budget_amount", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("event_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_known_projects")),
    )
    op.create_table(
        "known_tasks",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=50), server_default="todo", nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("assigned_to", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("deleted", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("event_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_known_tasks")),
    )
    op.create_index(op.f("ix_known_tasks_assigned_to"), "known_tasks", ["assigned_to"], unique=False)
    op.create_index(op.f("ix_known_tasks_project_id"), "known_tasks", ["project_id"], unique=False)
    op.create_table(
        "known_users",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=True),
        sa.Column("role", sa.String(length=20), server_default="user", nullable=False),
        sa.Column("is_admin", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("timezone", sa.String(length=50), nullable=True),
        sa.Column("week_start_day", sa.SmallInteger(), server_default="1", nullable=False),
        sa.Column("standard_hours_per_day", sa.Float(), server_default="8", nullable=False),
        sa.Column("event_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_known_users")),
    )
    op.create_table(
        "month_totals",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.BigInteger(), nullable=False),
        sa.Column("billable_seconds", sa.BigInteger(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("centihours", sa.BigInteger(), nullable=False),
        sa.Column("billable_centihours", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "month", "project_id", name=op.f("pk_month_totals")),
    )
    op.create_index("ix_month_totals_month", "month_totals", ["month"], unique=False)
    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("published_at", TZ, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("event_id", name=op.f("uq_outbox_event_id")),
    )
    op.create_index(
        "ix_outbox_unpublished", "outbox", ["id"], unique=False, postgresql_where=sa.text("published_at IS NULL")
    )
    op.create_table(
        "processed_events",
        sa.Column("consumer", sa.String(length=100), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("processed_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("consumer", "event_id", name=op.f("pk_processed_events")),
    )

    op.create_table(
        "project_day_totals",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.BigInteger(), nullable=False),
        sa.Column("billable_seconds", sa.BigInteger(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("centihours", sa.BigInteger(), nullable=False),
        sa.Column("billable_centihours", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("day", "project_id", name=op.f("pk_project_day_totals")),
    )
    op.create_index("ix_project_day_totals_project", "project_day_totals", ["project_id", "day"], unique=False)
    op.create_table(
        "project_month_totals",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.BigInteger(), nullable=False),
        sa.Column("billable_seconds", sa.BigInteger(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("centihours", sa.BigInteger(), nullable=False),
        sa.Column("billable_centihours", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("month", "project_id", name=op.f("pk_project_month_totals")),
    )


def downgrade() -> None:
    op.drop_table("project_month_totals")
    op.drop_index("ix_project_day_totals_project", table_name="project_day_totals")
    op.drop_table("project_day_totals")
    op.drop_table("processed_events")
    op.drop_index("ix_outbox_unpublished", table_name="outbox", postgresql_where=sa.text("published_at IS NULL"))
    op.drop_table("outbox")
    op.drop_index("ix_month_totals_month", table_name="month_totals")
    op.drop_table("month_totals")
    op.drop_table("known_users")
    op.drop_index(op.f("ix_known_tasks_project_id"), table_name="known_tasks")
    op.drop_index(op.f("ix_known_tasks_assigned_to"), table_name="known_tasks")
    op.drop_table("known_tasks")
    op.drop_table("known_projects")
    op.drop_table("known_clients")
    op.drop_index("ix_entries_user_start", table_name="entries", postgresql_where=sa.text("NOT deleted"))
    op.drop_index("ix_entries_start", table_name="entries", postgresql_where=sa.text("NOT deleted"))
    op.drop_index("ix_entries_project_start", table_name="entries", postgresql_where=sa.text("NOT deleted"))
    op.drop_index(
        "ix_entries_active", table_name="entries", postgresql_where=sa.text("NOT deleted AND end_time IS NULL")
    )
    op.drop_table("entries")
    op.drop_index("ix_day_totals_day", table_name="day_totals")
    op.drop_table("day_totals")
    op.drop_table("applied_positions")
