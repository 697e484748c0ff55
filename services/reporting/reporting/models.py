"""The reporting service's read models, all fed by events (docs/architecture.md): replicas of users,
clients, projects, tasks and time entries, and the rollups the reports answer from.

Rollups keep, per bucket, whole seconds, billable seconds, the entry count and the sum of the
per-entry rounded hundredths of an hour (reporting.md §1 rounds each entry first), so every
report is a sum of integers. Id columns of a bucket use 0 for "none" (a key cannot hold NULL).
Money is `Numeric`; instants are UTC `timestamptz`."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Boolean, Date, Float, Index, Integer, Numeric, SmallInteger, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import TZDateTime, make_base, new_metadata
from shared.events.outbox import outbox_table, processed_events_table

metadata = new_metadata()
Base = make_base(metadata)
# Reporting publishes nothing yet; the outbox exists because every service app has one.
outbox = outbox_table(metadata)
processed_events = processed_events_table(metadata)


def _event_at() -> Any:
    """When the applied event happened: an older event arriving later changes nothing."""
    return mapped_column(TZDateTime(), nullable=False)


def _flag(default: bool = False) -> Any:
    return mapped_column(Boolean, nullable=False, default=default, server_default=text(str(default).lower()))


class KnownUser(Base):
    """`tt.auth.user.*`: names for exports, the admin flag, calendar preferences."""

    __tablename__ = "known_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    username: Mapped[str] = mapped_column(String(80), nullable=False)
    full_name: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), nullable=False, default="user", server_default="user")
    is_admin: Mapped[bool] = _flag()
    is_active: Mapped[bool] = _flag(True)
    # The user's time-zone override (None: the app time zone) and week start (0 = Sunday).
    timezone: Mapped[str | None] = mapped_column(String(50))
    week_start_day: Mapped[int] = mapped_column(SmallInteger, nullable=False, default=1, server_default="1")
    standard_hours_per_day: Mapped[float] = mapped_column(Float, nullable=False, default=8.0, server_default="8")
    event_at: Mapped[datetime] = _event_at()


class KnownClient(Base):
    """`tt.crm.client.*`: names and the default rate of the value dashboard."""

    __tablename__ = "known_clients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    default_hourly_rate: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    deleted: Mapped[bool] = _flag()
    event_at: Mapped[datetime] = _event_at()


class KnownProject(Base):
    """`tt.tracking.project.*`: names, rates, budgets and scope."""

    __tablename__ = "known_projects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    client_id: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="active", server_default="active")
    hourly_rate: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    estimated_hours: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    budget_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    created_by: Mapped[int | None] = mapped_column(Integer)
    event_at: Mapped[datetime] = _event_at()


class KnownTask(Base):
    """`tt.tracking.task.*`: names, status, due dates and assignees (forecast, suggestions)."""

    __tablename__ = "known_tasks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    project_id: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    status: Mapped[str] = mapped_column(String(50), nullable=False, default="todo", server_default="todo")
    due_date: Mapped[date | None] = mapped_column(Date)
    assigned_to: Mapped[int | None] = mapped_column(Integer, index=True)
    created_by: Mapped[int | None] = mapped_column(Integer)
    deleted: Mapped[bool] = _flag()
    event_at: Mapped[datetime] = _event_at()


class Entry(Base):
    """`tt.tracking.time_entry.*`: every entry's latest state. A deleted entry stays as a
    tombstone (`deleted`), so an older event that arrives after the delete cannot revive it."""

    __tablename__ = "entries"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    user_id: Mapped[int] = mapped_column(Integer, nullable=False)
    project_id: Mapped[int | None] = mapped_column(Integer)
    task_id: Mapped[int | None] = mapped_column(Integer)
    client_id: Mapped[int | None] = mapped_column(Integer)
    start_time: Mapped[datetime] = mapped_column(TZDateTime(), nullable=False)
    end_time: Mapped[datetime | None] = mapped_column(TZDateTime())
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    break_seconds: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    paused_at: Mapped[datetime | None] = mapped_column(TZDateTime())
    billable: Mapped[bool] = _flag(True)
    notes: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[str | None] = mapped_column(String(500))
    # Calendar date of `start_time` in the app time zone: the entry's day bucket (reporting.md
    # counts an entry on the day it starts, also when it runs past midnight).
    day: Mapped[date] = mapped_column(Date, nullable=False)
    # round(duration_seconds / 3600, 2) × 100: the entry's rounded hours in hundredths.
    centihours: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    # The entry's API object as the event carried it (exports serve it).
    doc: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    deleted: Mapped[bool] = _flag()
    event_at: Mapped[datetime] = _event_at()


# Live entries only: a user's by start (reports, dashboards, exports), everyone's by start,
# a project's by start, and the running timers.
_live = text("NOT deleted")
Index("ix_entries_user_start", Entry.user_id, Entry.start_time, postgresql_where=_live)
Index("ix_entries_start", Entry.start_time, postgresql_where=_live)
Index("ix_entries_project_start", Entry.project_id, Entry.start_time, postgresql_where=_live)
Index("ix_entries_active", Entry.user_id, postgresql_where=text("NOT deleted AND end_time IS NULL"))


class _Measures:
    """What every rollup bucket sums, over completed entries."""

    seconds: Mapped[int] = mapped_column(BigInteger, nullable=False)
    billable_seconds: Mapped[int] = mapped_column(BigInteger, nullable=False)
    entries: Mapped[int] = mapped_column(Integer, nullable=False)
    centihours: Mapped[int] = mapped_column(BigInteger, nullable=False)
    billable_centihours: Mapped[int] = mapped_column(BigInteger, nullable=False)


class DayTotal(_Measures, Base):
    """Per user × project × task × direct client × day (app time zone)."""

    __tablename__ = "day_totals"

    # Key order: a user's buckets over a date range are one index range.
    user_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(Integer, primary_key=True)


class MonthTotal(_Measures, Base):
    """Per user × project × month (first day of the month): long report ranges read these."""

    __tablename__ = "month_totals"

    user_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, primary_key=True)


class ProjectDayTotal(_Measures, Base):
    """Per day × project, all users together: reports over everyone (admins) and a project's
    history (forecast) read a few rows per day instead of one per user."""

    __tablename__ = "project_day_totals"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, primary_key=True)


class ProjectMonthTotal(_Measures, Base):
    """Per month × project, all users together."""

    __tablename__ = "project_month_totals"

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, primary_key=True)


# Everyone's per-user buckets by date (payroll for all users); a project's history by date.
Index("ix_day_totals_day", DayTotal.day)
Index("ix_project_day_totals_project", ProjectDayTotal.project_id, ProjectDayTotal.day)
Index("ix_month_totals_month", MonthTotal.month)


class AppliedPosition(Base):
    """Per consumer: when the newest event it applied happened (the `X-TT-Data-As-Of` header)."""

    __tablename__ = "applied_positions"

    consumer: Mapped[str] = mapped_column(String(100), primary_key=True)
    event_at: Mapped[datetime] = mapped_column(TZDateTime(), nullable=False)
    applied_at: Mapped[datetime] = mapped_column(TZDateTime(), nullable=False)
