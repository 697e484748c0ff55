"""Search queries: case-insensitive substring matches with `%`/`_` taken literally."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, Row, or_, select
from sqlalchemy.orm import Session

from shared.db import contains_any
from tracking.models import Project, Task, TimeEntry


def projects(session: Session, query: str, *, scope: ColumnElement[bool] | None, limit: int) -> Sequence[Project]:
    stmt = select(Project).where(Project.status == "active", contains_any(query, Project.name, Project.description))
    if scope is not None:
        stmt = stmt.where(scope)
    return session.scalars(stmt.order_by(Project.name, Project.id).limit(limit)).all()


def tasks(
    session: Session,
    query: str,
    *,
    scope: ColumnElement[bool] | None,
    own_user_id: int | None,
    restricted: bool,
    limit: int,
) -> Sequence[Row]:
    """(task, project name) rows; `restricted` keeps tasks assigned to or created by the user."""
    stmt = (
        select(Task, Project.name)
        .join(Project, Task.project_id == Project.id)
        .where(Project.status == "active", contains_any(query, Task.name, Task.description))
    )
    if scope is not None:
        stmt = stmt.where(scope)
    if restricted:
        stmt = stmt.where(or_(Task.assigned_to == own_user_id, Task.created_by == own_user_id))
    return session.execute(stmt.order_by(Task.name, Task.id).limit(limit)).all()


def entries(session: Session, query: str, *, user_id: int | None, limit: int) -> Sequence[Row]:
    """(entry, project name, task name) rows of completed entries, newest start first;
    `user_id` None = every user's."""
    stmt = (
        select(TimeEntry, Project.name, Task.name)
        .outerjoin(Project, TimeEntry.project_id == Project.id)
        .outerjoin(Task, TimeEntry.task_id == Task.id)
        .where(TimeEntry.end_time.is_not(None), contains_any(query, TimeEntry.notes, TimeEntry.tags))
    )
    if user_id is not None:
        stmt = stmt.where(TimeEntry.user_id == user_id)
    return session.execute(stmt.order_by(TimeEntry.start_time.desc(), TimeEntry.id.desc()).limit(limit)).all()
