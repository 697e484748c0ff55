"""initial: projects, tasks, time_entries, idempotency_records, approval_policies,
time_entry_approvals, favorite_projects, timer_settings, the user and client replicas, outbox,
processed_events

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
        "idempotency_records",
        sa.Column("token_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=50), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.SmallInteger(), nullable=False),
        sa.Column("body", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", TZ, server_default=sa.text("now()"), nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("token_id", "scope", "key_hash", name=op.f("pk_idempotency_records")),
    )
    op.create_index(op.f("ix_idempotency_records_expires_at"), "idempotency_records", ["expires_at"], unique=False)
    op.create_table(
        "known_clients",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), server_default="active", nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("deleted", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("event_at", TZ, server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_known_clients")),
    )
    op.create_table(
        "known_users",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=True),
        sa.Column("role", sa.String(length=20), server_default="user", nullable=False),
        sa.Column("is_admin", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("time_rounding_enabled", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("time_rounding_minutes", sa.Integer(), server_default="1", nullable=False),
        sa.Column("time_rounding_method", sa.String(length=10), server_default="nearest", nullable=False),
        sa.Column("event_at", TZ, server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_known_users")),
    )
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
        "projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=True),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("billable", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("hourly_rate", sa.Numeric(precision=9, scale=2), nullable=True),
        sa.Column("billing_ref", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=20), server_default="active", nullable=False),
        sa.Column("estimated_hours", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("budget_amount", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("budget_threshold_percent", sa.Integer(), server_default="80", nullable=False),
        sa.Column(
            "custom_fields",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("color", sa.String(length=7), nullable=True),
        sa.Column("archived_at", TZ, nullable=True),
        sa.Column("archived_by", sa.Integer(), nullable=True),
        sa.Column("archived_reason", sa.Text(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", TZ, server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", TZ, server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "status IN ('active', 'inactive', 'archived', 'on_hold')", name=op.f("ck_projects_status_valid")
        ),
        sa.CheckConstraint(
            "budget_threshold_percent BETWEEN 0 AND 100", name=op.f("ck_projects_budget_threshold_valid")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_projects")),
        sa.UniqueConstraint("client_id", "name", name="uq_projects_client_name"),
        sa.UniqueConstraint("code", name=op.f("uq_projects_code")),
    )
    op.create_index(op.f("ix_projects_client_id"), "projects", ["client_id"], unique=False)
    op.create_index(op.f("ix_projects_created_by"), "projects", ["created_by"], unique=False)
    op.create_table(
        "timer_settings",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("single_active_timer", sa.Boolean(), nullable=False),
        sa.Column("updated_at", TZ, server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timer_settings")),
    )
    op.create_table(
        "approval_policies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("enabled", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("requires_approval", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("billable_only", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("min_hours", sa.Numeric(precision=6, scale=2), nullable=True),
        sa.Column("approver_ids", postgresql.ARRAY(sa.Integer()), server_default="{}", nullable=False),
        sa.Column("created_at", TZ, server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_approval_policies_project_id_projects"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_policies")),
    )
    op.create_table(
        "favorite_projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("created_at", TZ, server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_favorite_projects_project_id_projects"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_favorite_projects")),
        sa.UniqueConstraint("user_id", "project_id", name="uq_favorite_projects_user_project"),
    )
    op.create_table(
        "tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=50), server_default="todo", nullable=False),
        sa.Column("priority", sa.String(length=20), server_default="medium", nullable=False),
        sa.Column("estimated_hours", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("assigned_to", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", TZ, server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", TZ, server_default=sa.text("now()"), nullable=False),
        sa.Column("started_at", TZ, nullable=True),
        sa.Column("completed_at", TZ, nullable=True),
        sa.Column("tags", sa.Text(), nullable=True),
        sa.Column("external_ref", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_tasks_project_id_projects"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tasks")),
    )
    op.create_index(op.f("ix_tasks_assigned_to"), "tasks", ["assigned_to"], unique=False)
    op.create_index(op.f("ix_tasks_external_ref"), "tasks", ["external_ref"], unique=False)
    op.create_index(op.f("ix_tasks_project_id"), "tasks", ["project_id"], unique=False)
    op.create_table(
        "time_entries",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("client_id", sa.Integer(), nullable=True),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("start_time", TZ, nullable=False),
        sa.Column("end_time", TZ, nullable=True),
        sa.Column("duration_seconds", sa.Integer(), nullable=True),
        sa.Column("break_seconds", sa.Integer(), server_default="0", nullable=False),
        sa.Column("paused_at", TZ, nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("tags", sa.String(length=500), nullable=True),
        sa.Column("source", sa.String(length=20), server_default="manual", nullable=False),
        sa.Column("billable", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("paid", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("invoice_number", sa.String(length=100), nullable=True),
        sa.Column("created_at", TZ, server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", TZ, server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("break_seconds >= 0", name=op.f("ck_time_entries_break_seconds_valid")),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_time_entries_project_id_projects"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["tasks.id"], name=op.f("fk_time_entries_task_id_tasks"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_time_entries")),
    )
    op.create_index(
        "ix_time_entries_active",
        "time_entries",
        ["user_id"],
        unique=False,
        postgresql_where=sa.text("end_time IS NULL"),
    )
    op.create_index(
        "ix_time_entries_client",
        "time_entries",
        ["client_id"],
        unique=False,
        postgresql_where=sa.text("client_id IS NOT NULL"),
    )
    op.create_index(
        "ix_time_entries_project_start",
        "time_entries",
        ["project_id", sa.literal_column("start_time DESC")],
        unique=False,
    )
    op.create_index("ix_time_entries_start", "time_entries", [sa.literal_column("start_time DESC")], unique=False)
    op.create_index(op.f("ix_time_entries_task_id"), "time_entries", ["task_id"], unique=False)
    op.create_index("ix_time_entries_user_end", "time_entries", ["user_id", "end_time"], unique=False)
    op.create_index(
        "ix_time_entries_user_start", "time_entries", ["user_id", sa.literal_column("start_time DESC")], unique=False
    )
    op.create_table(
        "time_entry_approvals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("time_entry_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=20), server_default="pending", nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=False),
        sa.Column("approver_id", sa.Integer(), nullable=True),
        sa.Column("approved_by", sa.Integer(), nullable=True),
        sa.Column("requested_at", TZ, nullable=False),
        sa.Column("approved_at", TZ, nullable=True),
        sa.Column("rejected_at", TZ, nullable=True),
        sa.Column("request_comment", sa.Text(), nullable=True),
        sa.Column("approval_comment", sa.Text(), nullable=True),
        sa.Column("rejection_reason", sa.Text(), nullable=True),
        sa.Column("parent_approval_id", sa.Integer(), nullable=True),
        sa.Column("approval_level", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected', 'cancelled')",
            name=op.f("ck_time_entry_approvals_status_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["parent_approval_id"],
            ["time_entry_approvals.id"],
            name=op.f("fk_time_entry_approvals_parent_approval_id_time_entry_approvals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["time_entry_id"],
            ["time_entries.id"],
            name=op.f("fk_time_entry_approvals_time_entry_id_time_entries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_time_entry_approvals")),
    )
    op.create_index(op.f("ix_time_entry_approvals_approver_id"), "time_entry_approvals", ["approver_id"], unique=False)
    op.create_index(
        op.f("ix_time_entry_approvals_time_entry_id"), "time_entry_approvals", ["time_entry_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_time_entry_approvals_time_entry_id"), table_name="time_entry_approvals")
    op.drop_index(op.f("ix_time_entry_approvals_approver_id"), table_name="time_entry_approvals")
    op.drop_table("time_entry_approvals")
    op.drop_index("ix_time_entries_user_start", table_name="time_entries")
    op.drop_index("ix_time_entries_user_end", table_name="time_entries")
    op.drop_index(op.f("ix_time_entries_task_id"), table_name="time_entries")
    op.drop_index("ix_time_entries_start", table_name="time_entries")
    op.drop_index("ix_time_entries_project_start", table_name="time_entries")
    op.drop_index(
        "ix_time_entries_client", table_name="time_entries", postgresql_where=sa.text("client_id IS NOT NULL")
    )
    op.drop_index("ix_time_entries_active", table_name="time_entries", postgresql_where=sa.text("end_time IS NULL"))
    op.drop_table("time_entries")
    op.drop_index(op.f("ix_tasks_project_id"), table_name="tasks")
    op.drop_index(op.f("ix_tasks_external_ref"), table_name="tasks")
    op.drop_index(op.f("ix_tasks_assigned_to"), table_name="tasks")
    op.drop_table("tasks")
    op.drop_table("favorite_projects")
    op.drop_table("approval_policies")
    op.drop_table("timer_settings")
    op.drop_index(op.f("ix_projects_created_by"), table_name="projects")
    op.drop_index(op.f("ix_projects_client_id"), table_name="projects")
    op.drop_table("projects")
    op.drop_table("processed_events")
    op.drop_index("ix_outbox_unpublished", table_name="outbox", postgresql_where=sa.text("published_at IS NULL"))
    op.drop_table("outbox")
    op.drop_table("known_users")
    op.drop_table("known_clients")
    op.drop_index(op.f("ix_idempotency_records_expires_at"), table_name="idempotency_records")
    op.drop_table("idempotency_records")
