"""The tracking service's tables, its replicas of auth users and CRM clients, and the shared
outbox and processed_events tables. Money is `Numeric`; instants are UTC `timestamptz`;
durations are whole seconds."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import TZDateTime, created_at_column, make_base, new_metadata, updated_at_column, utcnow
from shared.events.outbox import outbox_table, processed_events_table

metadata = new_metadata()
Base = make_base(metadata)
outbox = outbox_table(metadata)
processed_events = processed_events_table(metadata)

PROJECT_STATUSES = ("active", "inactive", "archived", "on_hold")


class Project(Base):
    __tablename__ = "projects"
    __table_args__ = (
        UniqueConstraint("client_id", "name", name="uq_projects_client_name"),
        CheckConstraint("status IN ('active', 'inactive', 'archived', 'on_hold')", name="status_valid"),
        CheckConstraint("budget_threshold_percent BETWEEN 0 AND 100", name="budget_threshold_valid"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    code: Mapped[str | None] = mapped_column(String(20), unique=True)
    # A CRM client (checked against the client replica; no foreign key across services).
    client_id: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    description: Mapped[str | None] = mapped_column(Text)
    billable: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, server_default=text("true"))
    hourly_rate: Mapped[Decimal | None] = mapped_column(Numeric(9, 2))
    billing_ref: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="active", server_default="active")
    estimated_hours: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    budget_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    budget_threshold_percent: Mapped[int] = mapped_column(Integer, nullable=False, default=80, server_default="80")
    custom_fields: Mapped[dict[str, Any]] = mapped_column(
        JSONB, nullable=False, default=dict, server_default=text("'{}'::jsonb")
    )
    color: Mapped[str | None] = mapped_column(String(7))
    archived_at: Mapped[datetime | None] = mapped_column(TZDateTime())
    archived_by: Mapped[int | None] = mapped_column(Integer)
    archived_reason: Mapped[str | None] = mapped_column(Text)
    # Defines project scope for standard users (CONVENTIONS §4); not serialized.
    created_by: Mapped[int | None] = mapped_column(Integer, index=True)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class Task(Base):
    __tablename__ = "tasks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(50), nullable=False, default="todo", server_default="todo")
    priority: Mapped[str] = mapped_column(String(20), nullable=False, default="medium", server_default="medium")
    estimated_hours: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    due_date: Mapped[date | None] = mapped_column(Date)
    assigned_to: Mapped[int | None] = mapped_column(Integer, index=True)
    created_by: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()
    started_at: Mapped[datetime | None] = mapped_column(TZDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(TZDateTime())
    tags: Mapped[str | None] = mapped_column(Text)
    # Set by connectors (e.g. `github_issue_42`); not serialized.
    external_ref: Mapped[str | None] = mapped_column(String(200), index=True)


class TimeEntry(Base):
    __tablename__ = "time_entries"
    __table_args__ = (CheckConstraint("break_seconds >= 0", name="break_seconds_valid"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, nullable=False)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="RESTRICT"))
    # A CRM client billed directly (client replica); may be stored beside a project.
    client_id: Mapped[int | None] = mapped_column(Integer)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="SET NULL"), index=True)
    start_time: Mapped[datetime] = mapped_column(TZDateTime(), nullable=False)
    end_time: Mapped[datetime | None] = mapped_column(TZDateTime())
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    break_seconds: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    paused_at: Mapped[datetime | None] = mapped_column(TZDateTime())
    notes: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[str | None] = mapped_column(String(500))
    source: Mapped[str] = mapped_column(String(20), nullable=False, default="manual", server_default="manual")
    billable: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, server_default=text("true"))
    paid: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=text("false"))
    invoice_number: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


# The list's orders and filters: a user's entries newest first, everyone's newest first, a
# project's newest first, and the running timers (few) per user. (user_id, end_time) serves
# the overlap check: only the user's entries ending after the new start are read.
Index("ix_time_entries_user_start", TimeEntry.user_id, TimeEntry.start_time.desc())
Index("ix_time_entries_user_end", TimeEntry.user_id, TimeEntry.end_time)
Index("ix_time_entries_start", TimeEntry.start_time.desc())
Index("ix_time_entries_project_start", TimeEntry.project_id, TimeEntry.start_time.desc())
Index("ix_time_entries_client", TimeEntry.client_id, postgresql_where=TimeEntry.client_id.is_not(None))
Index("ix_time_entries_active", TimeEntry.user_id, postgresql_where=TimeEntry.end_time.is_(None))


class IdempotencyRecord(Base):
    """A stored 201 of `POST /time-entries` per (token, scope, key hash), CONVENTIONS §11."""

    __tablename__ = "idempotency_records"

    token_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(50), primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    status_code: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    body: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    created_at: Mapped[datetime] = created_at_column()
    expires_at: Mapped[datetime] = mapped_column(TZDateTime(), nullable=False, index=True)


class ApprovalPolicy(Base):
    """Who approves entries (tracking.md §7.2); managed outside the API."""

    __tablename__ = "approval_policies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(Integer)
    enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, server_default=text("true"))
    requires_approval: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, server_default=text("true"))
    billable_only: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=text("false"))
    min_hours: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    approver_ids: Mapped[list[int]] = mapped_column(
        ARRAY(Integer), nullable=False, default=lambda: [], server_default="{}"
    )
    created_at: Mapped[datetime] = created_at_column()


class TimeEntryApproval(Base):
    __tablename__ = "time_entry_approvals"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'approved', 'rejected', 'cancelled')", name="status_valid"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    time_entry_id: Mapped[int] = mapped_column(
        ForeignKey("time_entries.id", ondelete="CASCADE"), nullable=False, index=True
    )
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="pending", server_default="pending")
    requested_by: Mapped[int] = mapped_column(Integer, nullable=False)
    # The user who may decide this level (one approval row per approver and level).
    approver_id: Mapped[int | None] = mapped_column(Integer, index=True)
    approved_by: Mapped[int | None] = mapped_column(Integer)
    requested_at: Mapped[datetime] = mapped_column(TZDateTime(), nullable=False, default=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column(TZDateTime())
    rejected_at: Mapped[datetime | None] = mapped_column(TZDateTime())
    request_comment: Mapped[str | None] = mapped_column(Text)
    approval_comment: Mapped[str | None] = mapped_column(Text)
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    parent_approval_id: Mapped[int | None] = mapped_column(ForeignKey("time_entry_approvals.id", ondelete="CASCADE"))
    approval_level: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default="1")


class FavoriteProject(Base):
    __tablename__ = "favorite_projects"
    __table_args__ = (UniqueConstraint("user_id", "project_id", name="uq_favorite_projects_user_project"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, nullable=False)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), nullable=False)
    created_at: Mapped[datetime] = created_at_column()


class TimerSettings(Base):
    """The persisted system settings the timer obeys: one row (id 1), seeded from env."""

    __tablename__ = "timer_settings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    single_active_timer: Mapped[bool] = mapped_column(Boolean, nullable=False)
    updated_at: Mapped[datetime] = updated_at_column()


class KnownUser(Base):
    """Replica of auth users (`tt.auth.user.*`): names, admin flag, rounding preferences."""

    __tablename__ = "known_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    username: Mapped[str] = mapped_column(String(80), nullable=False)
    full_name: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), nullable=False, default="user", server_default="user")
    is_admin: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=text("false"))
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, server_default=text("true"))
    time_rounding_enabled: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=True, server_default=text("true")
    )
    time_rounding_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default="1")
    time_rounding_method: Mapped[str] = mapped_column(
        String(10), nullable=False, default="nearest", server_default="nearest"
    )
    # When the applied event happened: an older event arriving later changes nothing.
    event_at: Mapped[datetime] = mapped_column(TZDateTime(), nullable=False, default=utcnow, server_default=func.now())


class KnownClient(Base):
    """Replica of CRM clients (`tt.crm.client.*`): validation of `client_id`, names, scope."""

    __tablename__ = "known_clients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="active", server_default="active")
    created_by: Mapped[int | None] = mapped_column(Integer)
    # A deleted client stays for the names on old rows but is no longer a valid reference.
    deleted: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=text("false"))
    event_at: Mapped[datetime] = mapped_column(TZDateTime(), nullable=False, default=utcnow, server_default=func.now())
