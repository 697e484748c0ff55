"""Task queries: the ordered, filtered list, per-page hours and usernames, existence checks, the
connectors' lookup by external reference."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import Session

from shared.db import contains_any
from shared.inputs import row_id
from tracking.models import KnownUser, Project, Task, TimeEntry
from tracking.tasks.rules import CLOSED_STATUSES, PRIORITY_RANK

_priority_rank = case(PRIORITY_RANK, value=Task.priority, else_=0)


def list_statement(*, project_id: int | None, status: str | None, tags: list[str]) -> Select:
    stmt = select(Task).order_by(
        _priority_rank.desc(), Task.due_date.asc().nulls_last(), Task.created_at.asc(), Task.id.asc()
    )
    if project_id is not None:
        stmt = stmt.where(Task.project_id == row_id(project_id))
    if status == "active":
        # COMPAT: the extension's task picker asks for open tasks this way.
        stmt = stmt.where(Task.status.not_in(CLOSED_STATUSES))
    elif status:
        stmt = stmt.where(Task.status == status)
    if tags:
        stmt = stmt.where(or_(*(contains_any(tag, Task.tags) for tag in tags)))
    return stmt


def get(session: Session, task_id: int, *, lock: bool = False) -> Task | None:
    return session.get(Task, row_id(task_id), with_for_update=lock)


def by_external_ref(session: Session, external_ref: str, *, project_id: int | None, lock: bool = False) -> Task | None:
    stmt = select(Task).where(Task.external_ref == external_ref)
    if project_id is not None:
        stmt = stmt.where(Task.project_id == row_id(project_id))
    stmt = stmt.order_by(Task.id).limit(1)
    if lock:
        # after the wait, the row as committed (not as this session may have loaded it)
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return session.scalars(stmt).first()


def project_exists(session: Session, project_id: int) -> bool:
    return session.get(Project, row_id(project_id)) is not None


def seconds_by_task(session: Session, task_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """task id → (seconds of completed entries, of which billable), one grouped query."""
    ids = set(task_ids)
    if not ids:
        return {}
    seconds = func.coalesce(TimeEntry.duration_seconds, 0)
    stmt = (
        select(
            TimeEntry.task_id,
            func.coalesce(func.sum(seconds), 0),
            func.coalesce(func.sum(seconds).filter(TimeEntry.billable.is_(True)), 0),
        )
        .where(TimeEntry.task_id.in_(ids), TimeEntry.end_time.is_not(None))
        .group_by(TimeEntry.task_id)
    )
    return {task_id: (int(total), int(billable)) for task_id, total, billable in session.execute(stmt)}


def usernames(session: Session, user_ids: Iterable[int | None]) -> dict[int, str]:
    ids = {i for i in user_ids if i is not None}
    if not ids:
        return {}
    stmt = select(KnownUser.id, KnownUser.username).where(KnownUser.id.in_(ids))
    return dict(session.execute(stmt).tuples().all())
