"""Time-entry queries: the filtered list, lookups, overlaps and a user's running timer."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from shared.db import copy_rows, utcnow
from shared.inputs import row_id
from tracking.entries.filters import EntryFilters
from tracking.models import Project, Task, TimeEntry


def _conditions(filters: EntryFilters) -> list[ColumnElement[bool]]:
    """Every filter except the running-timer one (see `count_entries`)."""
    conds: list[ColumnElement[bool]] = []
    if filters.user_id is not None:
        conds.append(TimeEntry.user_id == filters.user_id)
    if filters.project_id is not None:
        conds.append(TimeEntry.project_id == filters.project_id)
    if filters.start is not None:
        conds.append(TimeEntry.start_time >= filters.start)
    if filters.end is not None:
        conds.append(TimeEntry.start_time <= filters.end)
    if filters.billable is not None:
        conds.append(TimeEntry.billable.is_(filters.billable))
    return conds


def _completed_only(filters: EntryFilters) -> list[ColumnElement[bool]]:
    return [] if filters.include_active else [TimeEntry.end_time.is_not(None)]


def list_statement(filters: EntryFilters) -> Select:
    """Newest start first; the id breaks ties so pages are stable. The (user|project, start)
    indexes serve both the order and the filters."""
    conds = _conditions(filters) + _completed_only(filters)
    return select(TimeEntry).where(*conds).order_by(TimeEntry.start_time.desc(), TimeEntry.id.desc())


def count_entries(session: Session, filters: EntryFilters) -> int:
    """The list's total. Completed entries are counted as all matches minus running ones: both
    counts read only indexes ((user|project, start) and the partial running-timer index), where
    `end_time IS NOT NULL` would visit every matching row."""
    conds = _conditions(filters)
    if filters.include_active or filters.billable is not None:
        return session.scalar(select(func.count()).select_from(TimeEntry).where(*conds, *_completed_only(filters)))
    every = select(func.count()).select_from(TimeEntry).where(*conds).scalar_subquery()
    running = select(func.count()).select_from(TimeEntry).where(*conds, TimeEntry.end_time.is_(None)).scalar_subquery()
    return session.scalar(select(every - running))


def get_entry(session: Session, entry_id: int, *, lock: bool = False) -> TimeEntry | None:
    return session.get(TimeEntry, entry_id, with_for_update=lock)


def get_project(session: Session, project_id: int) -> Project | None:
    # an id past PostgreSQL integer cannot be any row (and the database would refuse it)
    return session.get(Project, row_id(project_id))


def get_task(session: Session, task_id: int) -> Task | None:
    return session.get(Task, row_id(task_id))


def overlapping_entry(
    session: Session, user_id: int, start: datetime, end: datetime, *, exclude_id: int | None = None
) -> int | None:
    """Id of a completed entry of the user strictly intersecting [start, end); touching edges
    do not count and running timers are ignored (§4.3 rule 10)."""
    stmt = select(TimeEntry.id).where(
        TimeEntry.user_id == user_id,
        TimeEntry.end_time.is_not(None),
        TimeEntry.start_time < end,
        TimeEntry.end_time > start,
    )
    if exclude_id is not None:
        stmt = stmt.where(TimeEntry.id != exclude_id)
    return session.scalars(stmt.limit(1)).first()


def active_timer(session: Session, user_id: int, *, lock: bool = False) -> TimeEntry | None:
    """The user's running entry; the most recently started one when several run (§6)."""
    stmt = (
        select(TimeEntry)
        .where(TimeEntry.user_id == user_id, TimeEntry.end_time.is_(None))
        .order_by(TimeEntry.start_time.desc(), TimeEntry.id.desc())
        .limit(1)
    )
    if lock:
        stmt = stmt.with_for_update()
    return session.scalars(stmt).first()


def latest_end_starting_between(session: Session, user_id: int, start: datetime, end: datetime) -> datetime | None:
    """The last end among the user's completed entries starting in [start, end)."""
    stmt = select(func.max(TimeEntry.end_time)).where(
        TimeEntry.user_id == user_id,
        TimeEntry.end_time.is_not(None),
        TimeEntry.start_time >= start,
        TimeEntry.start_time < end,
    )
    return session.scalar(stmt)


ENTRY_COLUMNS = tuple(column.key for column in TimeEntry.__table__.columns)


def insert_entries(session: Session, values: list[dict[str, Any]]) -> list[SimpleNamespace]:
    """New rows in one COPY, each given its id (in order) and its timestamps. Returned as plain
    objects with the row's attributes, for serialization: building ORM instances for a few
    thousand rows nobody changes afterwards costs more than the COPY."""
    ids = session.scalars(
        select(func.nextval(func.pg_get_serial_sequence(TimeEntry.__tablename__, "id"))).select_from(
            func.generate_series(1, len(values))
        )
    ).all()
    now = utcnow()
    rows = [
        SimpleNamespace(**row, id=entry_id, paused_at=None, created_at=now, updated_at=now)
        for row, entry_id in zip(values, sorted(ids), strict=True)
    ]
    copy_rows(session, TimeEntry.__tablename__, ENTRY_COLUMNS, ([getattr(r, c) for c in ENTRY_COLUMNS] for r in rows))
    return rows
