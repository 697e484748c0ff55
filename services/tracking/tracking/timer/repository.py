"""Timer queries: a user's running entries and the references a start checks."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.inputs import row_id
from tracking.models import Project, Task, TimeEntry


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


def find_project(session: Session, project_id: int) -> Project | None:
    # an id past PostgreSQL integer cannot be any row (and the database would refuse it)
    return session.get(Project, row_id(project_id))


def find_task(session: Session, task_id: int) -> Task | None:
    return session.get(Task, row_id(task_id))
