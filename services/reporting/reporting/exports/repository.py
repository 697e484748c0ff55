"""Export queries: weekly sums from the day rollups, one keyset chunk of entries, and the
display names of the entries in a chunk."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import ColumnElement, Date, DateTime, Row, cast, func, select, tuple_
from sqlalchemy.orm import Session

from reporting.exports.filters import ExportFilters
from reporting.models import DayTotal, Entry, KnownClient, KnownProject, KnownTask, KnownUser


def week_totals(session: Session, first: date, last: date, user_id: int | None) -> list[Row]:
    """`(user_id, monday, seconds, billable_seconds)` per user and ISO week of the days
    `first`…`last` (app-zone days, both inclusive); `user_id` None = every user."""
    # date_trunc of a `timestamp` (not `timestamptz`): the session's time zone plays no part.
    monday = cast(func.date_trunc("week", cast(DayTotal.day, DateTime())), Date).label("monday")
    sums = (func.sum(DayTotal.seconds), func.sum(DayTotal.billable_seconds))
    stmt = select(DayTotal.user_id, monday, *sums).where(DayTotal.day.between(first, last))
    if user_id is not None:
        stmt = stmt.where(DayTotal.user_id == user_id)
    return list(session.execute(stmt.group_by(DayTotal.user_id, monday)))


def usernames(session: Session, user_ids: Iterable[int]) -> dict[int, str]:
    wanted = set(user_ids)
    if not wanted:
        return {}
    stmt = select(KnownUser.id, KnownUser.username).where(KnownUser.id.in_(wanted))
    return dict(session.execute(stmt).tuples().all())


def _conditions(filters: ExportFilters) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = [~Entry.deleted]
    if filters.user_id is not None:
        conds.append(Entry.user_id == filters.user_id)
    if filters.project_id is not None:
        conds.append(Entry.project_id == filters.project_id)
    if filters.start is not None:
        conds.append(Entry.start_time >= filters.start)
    if filters.end is not None:
        conds.append(Entry.start_time <= filters.end)
    if filters.billable is not None:
        conds.append(Entry.billable.is_(filters.billable))
    if not filters.include_active:
        conds.append(Entry.end_time.is_not(None))
    return conds


def entry_chunk(session: Session, filters: ExportFilters, after: tuple[datetime, int] | None, limit: int) -> list[Row]:
    """Up to `limit` matching entries, newest start first (id breaks ties), strictly after the
    `(start_time, id)` of the previous chunk's last row: each chunk is one index range, and
    a row is never read twice however many chunks there are."""
    stmt = select(
        Entry.id,
        Entry.user_id,
        Entry.project_id,
        Entry.task_id,
        Entry.client_id,
        Entry.start_time,
        Entry.end_time,
        Entry.paused_at,
        Entry.break_seconds,
        Entry.doc,
    ).where(*_conditions(filters))
    if after is not None:
        stmt = stmt.where(tuple_(Entry.start_time, Entry.id) < tuple_(*after))
    return list(session.execute(stmt.order_by(Entry.start_time.desc(), Entry.id.desc()).limit(limit)))


@dataclass(slots=True)
class Names:
    """id → current display name per kind, from the replicas; `gone_tasks`: tasks deleted
    since (tracking nulls their entries' `task_id` without an entry event)."""

    users: dict[int, str] = field(default_factory=dict)
    projects: dict[int, str] = field(default_factory=dict)
    clients: dict[int, str] = field(default_factory=dict)
    tasks: dict[int, str] = field(default_factory=dict)
    gone_tasks: set[int] = field(default_factory=set)


def _lookup(session: Session, id_col, name_col, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(session.execute(select(id_col, name_col).where(id_col.in_(wanted))).tuples().all())


def names_for(session: Session, rows: Sequence[Row]) -> Names:
    """Deleted clients keep their name (tracking shows it on old entries)."""
    task_ids = {row.task_id for row in rows if row.task_id is not None}
    tasks: dict[int, str] = {}
    gone: set[int] = set()
    if task_ids:
        stmt = select(KnownTask.id, KnownTask.name, KnownTask.deleted).where(KnownTask.id.in_(task_ids))
        for task_id, name, deleted in session.execute(stmt):
            if deleted:
                gone.add(task_id)
            else:
                tasks[task_id] = name
    return Names(
        users=_lookup(session, KnownUser.id, KnownUser.username, (row.user_id for row in rows)),
        projects=_lookup(session, KnownProject.id, KnownProject.name, (row.project_id for row in rows)),
        clients=_lookup(session, KnownClient.id, KnownClient.name, (row.client_id for row in rows)),
        tasks=tasks,
        gone_tasks=gone,
    )
