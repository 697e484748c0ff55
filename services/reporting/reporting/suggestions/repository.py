"""What the suggestions read: the user's entries (replica, live and completed) and the task and
project replicas. Every entry query is a range of the user's `(user_id, start_time)` index."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import and_, exists, func, literal, select, union_all
from sqlalchemy.orm import Session

from reporting.models import Entry, KnownTask

OPEN_STATUSES = ("todo", "in_progress")
RECENT_ENTRIES = 100


def _completed(user_id: int):
    return (Entry.user_id == user_id, ~Entry.deleted, Entry.end_time.is_not(None))


def recent_pairs(session: Session, user_id: int, since: datetime) -> list[tuple[int | None, int | None]]:
    """(project, task) of the user's last 100 completed entries started since `since`, newest first."""
    stmt = (
        select(Entry.project_id, Entry.task_id)
        .where(*_completed(user_id), Entry.start_time >= since)
        .order_by(Entry.start_time.desc(), Entry.id.desc())
        .limit(RECENT_ENTRIES)
    )
    return [(project, task) for project, task in session.execute(stmt)]


def _open_tasks_of(user_id: int):
    return select(KnownTask.id, KnownTask.project_id).where(
        KnownTask.assigned_to == user_id, KnownTask.status.in_(OPEN_STATUSES), ~KnownTask.deleted
    )


def idle_open_tasks(
    session: Session, user_id: int, day_begins: datetime, day_ends: datetime, limit: int
) -> list[tuple[int, int]]:
    """(task, project) of open tasks assigned to the user with no entry of theirs on that task
    starting in [day_begins, day_ends) (today), newest task first."""
    logged_today = exists().where(
        Entry.user_id == user_id,
        ~Entry.deleted,
        Entry.task_id == KnownTask.id,
        Entry.start_time >= day_begins,
        Entry.start_time < day_ends,
    )
    stmt = _open_tasks_of(user_id).where(~logged_today).order_by(KnownTask.id.desc()).limit(limit)
    return [(task, project) for task, project in session.execute(stmt)]


def due_tasks(session: Session, user_id: int, until: date, limit: int) -> list[tuple[int, int, date]]:
    """(task, project, due date) of open tasks assigned to the user due by `until` (overdue
    included), earliest due first."""
    stmt = (
        _open_tasks_of(user_id)
        .add_columns(KnownTask.due_date)
        .where(KnownTask.due_date.is_not(None), KnownTask.due_date <= until)
        .order_by(KnownTask.due_date, KnownTask.id)
        .limit(limit)
    )
    return [(task, project, due) for task, project, due in session.execute(stmt)]


def usual_project_at_hour(session: Session, user_id: int, since: datetime, hour: int, zone_name: str) -> int | None:
    """The project of most of the user's completed entries since `since` that started at `hour`
    (wall clock in `zone_name`); equal counts go to the project used most recently."""
    local_hour = func.extract("hour", func.timezone(zone_name, Entry.start_time))
    stmt = (
        select(Entry.project_id)
        .where(*_completed(user_id), Entry.start_time >= since, Entry.project_id.is_not(None), local_hour == hour)
        .group_by(Entry.project_id)
        .order_by(func.count().desc(), func.max(Entry.start_time).desc(), Entry.project_id)
        .limit(1)
    )
    return session.execute(stmt).scalar_one_or_none()


def task_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    stmt = select(KnownTask.id, KnownTask.name).where(KnownTask.id.in_(ids))
    return {tid: name for tid, name in session.execute(stmt)}


def latest_details(
    session: Session, user_id: int, pairs: Sequence[tuple[int, int | None]]
) -> dict[tuple[int, int | None], tuple[str | None, str | None, bool]]:
    """(notes, tags, billable) of the user's most recent completed entry on each exact
    (project, task) pair (task None = entries without a task). One round trip, one index
    probe per pair."""
    if not pairs:
        return {}
    parts = []
    for index, (project, task) in enumerate(pairs):
        same_task = Entry.task_id.is_(None) if task is None else Entry.task_id == task
        parts.append(
            select(literal(index), Entry.notes, Entry.tags, Entry.billable)
            .where(*_completed(user_id), and_(Entry.project_id == project, same_task))
            .order_by(Entry.start_time.desc(), Entry.id.desc())
            .limit(1)
        )
    stmt = union_all(*parts) if len(parts) > 1 else parts[0]
    return {pairs[index]: (notes, tags, billable) for index, notes, tags, billable in session.execute(stmt)}
