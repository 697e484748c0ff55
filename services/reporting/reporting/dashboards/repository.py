"""The dashboards' reads: one user's day rollups (app-zone days), entry rows over a bounded
range, the tracked days of the streak, the running timer and replica names. Each statement
filters on the user first: `day_totals`' key and `ix_entries_user_start` serve it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, Integer, Row, and_, cast, func, select
from sqlalchemy.orm import Session, aliased

from reporting.models import DayTotal, Entry, KnownClient, KnownProject, KnownTask


@dataclass(frozen=True, slots=True)
class Lifetime:
    seconds: int
    entries: int
    active_days: int
    week_seconds: int
    month_seconds: int


def _completed():
    return and_(~Entry.deleted, Entry.end_time.is_not(None), Entry.duration_seconds.is_not(None))


def lifetime(session: Session, user_id: int, *, week: tuple[date, date], month: tuple[date, date]) -> Lifetime:
    """All-time seconds, entries and distinct days, with the seconds of two day ranges."""
    seconds = func.sum(DayTotal.seconds)
    row = session.execute(
        select(
            func.coalesce(seconds, 0),
            func.coalesce(func.sum(DayTotal.entries), 0),
            func.count(DayTotal.day.distinct()),
            func.coalesce(seconds.filter(DayTotal.day.between(*week)), 0),
            func.coalesce(seconds.filter(DayTotal.day.between(*month)), 0),
        ).where(DayTotal.user_id == user_id)
    ).one()
    return Lifetime(*(int(value) for value in row))


def seconds_by_weekday(session: Session, user_id: int) -> dict[int, int]:
    """All-time seconds per weekday of the app-zone day, 0 = Sunday … 6 = Saturday."""
    weekday = cast(func.extract("dow", DayTotal.day), Integer)
    rows = session.execute(
        select(weekday, func.sum(DayTotal.seconds)).where(DayTotal.user_id == user_id).group_by(weekday)
    )
    return {int(dow): int(total) for dow, total in rows}


def seconds_by_day(session: Session, user_id: int, first: date, last: date) -> dict[date, int]:
    """Seconds per app-zone day in [first, last]; days without time are absent."""
    rows = session.execute(
        select(DayTotal.day, func.sum(DayTotal.seconds))
        .where(DayTotal.user_id == user_id, DayTotal.day.between(first, last))
        .group_by(DayTotal.day)
    )
    return {day: int(total) for day, total in rows}


def value_seconds(session: Session, user_id: int) -> Decimal:
    """Σ seconds × rate over the user's time (reporting.md §4.1): the rate of each (project,
    direct client) pair is read from the replicas now, so a rate change revalues history."""
    pairs = (
        select(DayTotal.project_id, DayTotal.client_id, func.sum(DayTotal.seconds).label("seconds"))
        .where(DayTotal.user_id == user_id)
        .group_by(DayTotal.project_id, DayTotal.client_id)
        .subquery()
    )
    direct = aliased(KnownClient)
    via_project = aliased(KnownClient)
    rate = func.coalesce(
        KnownProject.hourly_rate, direct.default_hourly_rate, via_project.default_hourly_rate, Decimal(0)
    )
    total = session.execute(
        select(func.sum(pairs.c.seconds * rate))
        .select_from(pairs)
        .outerjoin(KnownProject, KnownProject.id == pairs.c.project_id)
        # a deleted client is gone upstream (hard delete): its rate no longer applies
        .outerjoin(direct, and_(direct.id == pairs.c.client_id, ~direct.deleted))
        .outerjoin(via_project, and_(via_project.id == KnownProject.client_id, ~via_project.deleted))
    ).scalar_one()
    return Decimal(total or 0)


def completed_seconds(session: Session, user_id: int, start: datetime, end: datetime) -> int:
    """Seconds of completed entries starting in [start, end]."""
    total = session.execute(
        select(func.sum(Entry.duration_seconds)).where(
            Entry.user_id == user_id, _completed(), Entry.start_time.between(start, end)
        )
    ).scalar_one()
    return int(total or 0)


def completed_entries(session: Session, user_id: int, start: datetime, end: datetime) -> list[Row]:
    """(start_time, duration_seconds, billable, project_id) of completed entries starting in
    [start, end)."""
    return list(
        session.execute(
            select(Entry.start_time, Entry.duration_seconds, Entry.billable, Entry.project_id).where(
                Entry.user_id == user_id, _completed(), Entry.start_time >= start, Entry.start_time < end
            )
        )
    )


def rollup_days(session: Session, user_id: int, first: date, last: date) -> set[date]:
    """App-zone days in [first, last] with at least one completed entry."""
    rows = session.execute(
        select(DayTotal.day).where(DayTotal.user_id == user_id, DayTotal.day.between(first, last)).distinct()
    )
    return set(rows.scalars())


def entry_days(session: Session, user_id: int, start: datetime, end: datetime, zone_name: str) -> set[date]:
    """Days (in `zone_name`) on which completed entries starting in [start, end) start."""
    local_day = cast(func.timezone(zone_name, Entry.start_time), Date)
    rows = session.execute(
        select(local_day)
        .where(Entry.user_id == user_id, _completed(), Entry.start_time >= start, Entry.start_time < end)
        .distinct()
    )
    return set(rows.scalars())


def running_entry(session: Session, user_id: int) -> Row | None:
    """The user's running timer (the latest, should there be more) with its names."""
    return session.execute(
        select(
            Entry.id,
            Entry.start_time,
            Entry.paused_at,
            Entry.break_seconds,
            KnownProject.name.label("project_name"),
            KnownTask.name.label("task_name"),
        )
        .outerjoin(KnownProject, KnownProject.id == Entry.project_id)
        .outerjoin(KnownTask, and_(KnownTask.id == Entry.task_id, ~KnownTask.deleted))
        .where(Entry.user_id == user_id, ~Entry.deleted, Entry.end_time.is_(None))
        .order_by(Entry.start_time.desc(), Entry.id.desc())
        .limit(1)
    ).one_or_none()
