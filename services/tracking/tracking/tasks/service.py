"""Task use cases: list, get, create, update, delete (tracking.md §3). Tasks have no visibility
rule: every caller holding the scope sees and edits every task, as upstream.

Also the feature's face to its siblings: the connectors create (with an `external_ref`) and
update tasks through `create_task` / `update_task`, find them with `task_by_external_ref` and
ask `would_change` before an update that should not happen when nothing differs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, tzinfo
from typing import Any

from sqlalchemy.orm import Session

from shared.errors import NotFoundError, ValidationError
from shared.identity import Identity
from shared.inputs import int_or_none
from shared.pagination import PageParams, paginate
from tracking import events, replicas
from tracking.errors import InvalidProjectError
from tracking.models import Task
from tracking.tasks import repository
from tracking.tasks.rules import DEFAULT_PRIORITY, DEFAULT_STATUS, tag_terms
from tracking.tasks.schemas import TaskCreate, TaskFields, TaskUpdate
from tracking.tasks.serializers import serialize_one, serialize_tasks

# The feature's face: the router's use cases and what sibling features call.
__all__ = [
    "TaskCreate",
    "TaskUpdate",
    "create_task",
    "delete_task",
    "get_task",
    "list_tasks",
    "task_by_external_ref",
    "update_task",
    "would_change",
]

# Body field → column, for the fields create and update share.
COLUMNS = {
    "description": "description",
    "status": "status",
    "priority": "priority",
    "assignee_id": "assigned_to",
    "due_date": "due_date",
    "estimated_hours": "estimated_hours",
    "tags": "tags",
    "name": "name",
}
# Columns that cannot hold null: a null in an update leaves them unchanged.
NOT_NULLABLE = frozenset({"status", "priority"})


def _today(zone: tzinfo) -> date:
    """ "Today" for `is_overdue` is the app time zone's calendar day (CONVENTIONS §6.1)."""
    return datetime.now(zone).date()


def task_not_found(task_id: int) -> NotFoundError:
    return NotFoundError(f"Task with ID {task_id} not found", error="Task not found")


def _task_or_404(session: Session, task_id: int, *, lock: bool = False) -> Task:
    task = repository.get(session, task_id, lock=lock)
    if task is None:
        raise task_not_found(task_id)
    return task


def list_tasks(
    session: Session,
    page: PageParams,
    *,
    zone: tzinfo,
    project_id: str | None,
    status: str | None,
    tags: str | None,
) -> dict[str, Any]:
    """Unparseable filters are ignored (CONVENTIONS §5.4)."""
    stmt = repository.list_statement(project_id=int_or_none(project_id), status=status, tags=tag_terms(tags))
    tasks, pagination = paginate(session, stmt, page)
    return {"tasks": serialize_tasks(session, tasks, today=_today(zone)), "pagination": pagination}


def get_task(session: Session, task_id: int, *, zone: tzinfo) -> dict[str, Any]:
    return {"task": serialize_one(session, _task_or_404(session, task_id), today=_today(zone))}


def _check_assignee(session: Session, body: TaskFields) -> None:
    if body.assignee_id is not None and replicas.active_user(session, body.assignee_id) is None:
        raise ValidationError({body.assignee_key: ["Assigned user not found"]}, "Assigned user not found")


def _assignments(body: TaskFields, fields: set[str]) -> Iterator[tuple[str, Any]]:
    """(column, value) of each field the body sets; a null leaves a non-nullable column alone."""
    for field in fields & COLUMNS.keys():
        value = getattr(body, field)
        if value is None and field in NOT_NULLABLE:
            continue
        yield COLUMNS[field], value


def _apply(task: Task, body: TaskFields, fields: set[str]) -> None:
    for column, value in _assignments(body, fields):
        setattr(task, column, value)


def would_change(task: Task, body: TaskUpdate) -> bool:
    """Whether `update_task` with this body would change a column of the task."""
    return any(getattr(task, column) != value for column, value in _assignments(body, body.model_fields_set))


def task_by_external_ref(
    session: Session, external_ref: str, *, project_id: int | None = None, lock: bool = False
) -> Task | None:
    """The task a connector created for `external_ref` (in that project, else in any), the
    lowest id when several carry it."""
    return repository.by_external_ref(session, external_ref, project_id=project_id, lock=lock)


def create_task(
    session: Session, body: TaskCreate, *, actor: Identity, zone: tzinfo, external_ref: str | None = None
) -> dict[str, Any]:
    """Any existing project will do, archived and inactive ones included (tracking.md §3.3).
    `external_ref` is the connectors' key of the task (not serialized, tracking.md §1.2)."""
    if not repository.project_exists(session, body.project_id):
        raise InvalidProjectError()
    _check_assignee(session, body)
    task = Task(
        project_id=body.project_id,
        created_by=actor.user_id,
        status=DEFAULT_STATUS,
        priority=DEFAULT_PRIORITY,
        external_ref=external_ref,
    )
    _apply(task, body, body.model_fields_set)
    session.add(task)
    session.flush()
    data = serialize_one(session, task, today=_today(zone))
    events.emit(session, "task", "created", entity_id=task.id, data=data, actor=actor)
    if task.assigned_to is not None:
        events.emit(session, "task", "assigned", entity_id=task.id, data=data, actor=actor)
    return {"message": "Task created successfully", "task": data}


def update_task(session: Session, task_id: int, body: TaskUpdate, *, actor: Identity, zone: tzinfo) -> dict[str, Any]:
    task = _task_or_404(session, task_id, lock=True)
    fields = body.model_fields_set
    # Re-sending the current assignee (a client saving the whole form) is not a new assignment.
    if "assignee_id" in fields and body.assignee_id != task.assigned_to:
        _check_assignee(session, body)
    status_before, assignee_before = task.status, task.assigned_to
    _apply(task, body, fields)
    session.flush()
    data = serialize_one(session, task, today=_today(zone))
    actions = ["updated"]
    if task.status != status_before:
        actions.append("status_changed")
        if task.status == "done":
            actions.append("completed")
    if task.assigned_to != assignee_before:
        actions.append("assigned")
    for action in actions:
        events.emit(session, "task", action, entity_id=task.id, data=data, actor=actor)
    return {"message": "Task updated successfully", "task": data}


def delete_task(session: Session, task_id: int, *, actor: Identity, zone: tzinfo) -> dict[str, Any]:
    """Hard delete; the foreign key sets `task_id` to null on the task's time entries."""
    task = _task_or_404(session, task_id, lock=True)
    data = serialize_one(session, task, today=_today(zone))
    session.delete(task)
    session.flush()
    events.emit(session, "task", "deleted", entity_id=task_id, data=data, actor=actor)
    return {"message": "Task deleted successfully"}
