"""Connector queries: calendar markers already imported, entries to export, a day's totals,
project resolution within a scope."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, Row, Text, column, exists, func, literal, or_, select, values
from sqlalchemy.orm import Session

from shared.db import contains_any
from shared.inputs import row_id
from tracking.models import Project, Task, TimeEntry

IMPORT_MARKER = "gcal:"
# An imported entry's notes end with `[gcal:<event id>]`; exports leave those out.
IMPORTED_TAG = "[gcal:"


def imported_event_ids(session: Session, user_id: int, event_ids: Sequence[str]) -> set[str]:
    """Those of `event_ids` for which the user has an entry whose notes contain
    `gcal:<event id>` case-insensitively; one query for the whole batch."""
    if not event_ids:
        return set()
    batch = values(column("event_id", Text), name="batch").data([(event_id,) for event_id in event_ids])
    marker = func.lower(literal(IMPORT_MARKER) + batch.c.event_id)
    seen = exists().where(TimeEntry.user_id == user_id, func.strpos(func.lower(TimeEntry.notes), marker) > 0)
    return set(session.scalars(select(batch.c.event_id).where(seen)))


def entries_created_since(session: Session, user_id: int, since: datetime, *, limit: int) -> Sequence[Row]:
    """(entry, project name, task name) of the user's completed entries created at or after
    `since`, oldest first, imported ones left out."""
    not_imported = or_(TimeEntry.notes.is_(None), func.strpos(TimeEntry.notes, IMPORTED_TAG) == 0)
    stmt = (
        select(TimeEntry, Project.name, Task.name)
        .outerjoin(Project, TimeEntry.project_id == Project.id)
        .outerjoin(Task, TimeEntry.task_id == Task.id)
        .where(
            TimeEntry.user_id == user_id,
            TimeEntry.end_time.is_not(None),
            TimeEntry.created_at >= since,
            not_imported,
        )
        .order_by(TimeEntry.created_at, TimeEntry.id)
        .limit(limit)
    )
    return session.execute(stmt).all()


def totals_starting_between(session: Session, user_id: int, start: datetime, end: datetime) -> tuple[int, int]:
    """(worked seconds, distinct projects) of the user's completed entries starting in [start, end)."""
    stmt = select(
        func.coalesce(func.sum(TimeEntry.duration_seconds), 0), func.count(func.distinct(TimeEntry.project_id))
    ).where(
        TimeEntry.user_id == user_id,
        TimeEntry.end_time.is_not(None),
        TimeEntry.start_time >= start,
        TimeEntry.start_time < end,
    )
    seconds, projects = session.execute(stmt).one()
    return int(seconds), int(projects)


def _active_in_scope(scope: ColumnElement[bool] | None):
    stmt = select(Project).where(Project.status == "active")
    return stmt if scope is None else stmt.where(scope)


def active_project_by_id(session: Session, project_id: int, *, scope: ColumnElement[bool] | None) -> Project | None:
    return session.scalars(_active_in_scope(scope).where(Project.id == row_id(project_id))).first()


def first_active_project_named(session: Session, text: str, *, scope: ColumnElement[bool] | None) -> Project | None:
    stmt = _active_in_scope(scope).where(contains_any(text, Project.name))
    return session.scalars(stmt.order_by(Project.name, Project.id).limit(1)).first()
