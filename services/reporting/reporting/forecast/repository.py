"""What the project forecast reads: the project replica, its time per day from the day
rollups (every user's, app-zone days) and its task counts."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reporting.forecast.rules import CLOSED_STATUSES, TaskCounts
from reporting.models import KnownProject, KnownTask, ProjectDayTotal


def find_project(session: Session, project_id: int) -> KnownProject | None:
    return session.get(KnownProject, project_id)


def seconds_by_day(session: Session, project_id: int) -> dict[date, int]:
    """Σ seconds of the project's completed entries per start day, days with positive time only
    (a zero-length entry makes no active day)."""
    seconds = func.sum(ProjectDayTotal.seconds)
    stmt = (
        select(ProjectDayTotal.day, seconds)
        .where(ProjectDayTotal.project_id == project_id)
        .group_by(ProjectDayTotal.day)
        .having(seconds > 0)
    )
    return {day: int(total) for day, total in session.execute(stmt)}


def task_counts(session: Session, project_id: int, today: date) -> TaskCounts:
    """The project's tasks (deleted ones excluded): all, done, open (neither done nor
    cancelled), and open ones due before `today`."""
    is_open = KnownTask.status.not_in(CLOSED_STATUSES)
    stmt = select(
        func.count(),
        func.count().filter(KnownTask.status == "done"),
        func.count().filter(is_open),
        func.count().filter(is_open, KnownTask.due_date < today),
    ).where(KnownTask.project_id == project_id, ~KnownTask.deleted)
    total, completed, open_, overdue = session.execute(stmt).one()
    return TaskCounts(total=total, completed=completed, open=open_, overdue=overdue)
