"""The task object of tracking.md §1.2 (also the `task.*` event data), with hours and
usernames looked up for a whole page at once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from shared.inputs import as_number
from shared.timefmt import iso_utc
from tracking.durations import hours
from tracking.models import Task
from tracking.tags import tag_list
from tracking.tasks import repository, rules


def serialize_task(task: Task, *, seconds: tuple[int, int], names: dict[int, str], today: date) -> dict[str, Any]:
    total_hours = hours(seconds[0])
    return {
        "id": task.id,
        "project_id": task.project_id,
        "name": task.name,
        "description": task.description,
        "status": task.status,
        "status_display": rules.status_display(task.status),
        "priority": task.priority,
        "priority_display": rules.priority_display(task.priority),
        "priority_class": rules.priority_class(task.priority),
        "estimated_hours": as_number(task.estimated_hours),
        "due_date": task.due_date.isoformat() if task.due_date else None,
        "assigned_to": task.assigned_to,
        "assigned_user": names.get(task.assigned_to) if task.assigned_to is not None else None,
        "created_by": task.created_by,
        "creator": names.get(task.created_by),
        "created_at": iso_utc(task.created_at),
        "updated_at": iso_utc(task.updated_at),
        "started_at": iso_utc(task.started_at),
        "completed_at": iso_utc(task.completed_at),
        "total_hours": total_hours,
        "total_billable_hours": hours(seconds[1]),
        "progress_percentage": rules.progress_percentage(total_hours, task.estimated_hours),
        "is_active": rules.is_active(task.status),
        "is_overdue": rules.is_overdue(task.due_date, task.status, today),
        "tags": task.tags,
        "tag_list": tag_list(task.tags),
    }


def serialize_tasks(session: Session, tasks: Sequence[Task], *, today: date) -> list[dict[str, Any]]:
    seconds = repository.seconds_by_task(session, (t.id for t in tasks))
    names = repository.usernames(session, [u for t in tasks for u in (t.assigned_to, t.created_by)])
    return [serialize_task(t, seconds=seconds.get(t.id, (0, 0)), names=names, today=today) for t in tasks]


def serialize_one(session: Session, task: Task, *, today: date) -> dict[str, Any]:
    return serialize_tasks(session, [task], today=today)[0]
