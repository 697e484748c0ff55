"""`/api/v1/tasks`: the task resource (tracking.md §3)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from shared.db import SessionDep
from shared.identity import Identity, requires
from shared.pagination import PageDep
from tracking.deps import SettingsDep
from tracking.routing import feature_router
from tracking.schemas import MessageResponse
from tracking.tasks import service
from tracking.tasks.schemas import TaskCreate, TaskEnvelope, TaskList, TaskMessageEnvelope, TaskUpdate

router = feature_router("/api/v1/tasks", tags=["tasks"])
ReadScope = Annotated[Identity, requires("read:tasks")]
WriteScope = Annotated[Identity, requires("write:tasks")]


@router.get("", response_model=TaskList)
def list_tasks(
    session: SessionDep,
    settings: SettingsDep,
    page: PageDep,
    identity: ReadScope,
    project_id: Annotated[str | None, Query(description="Tasks of this project (ignored unless an integer)")] = None,
    status: Annotated[str | None, Query(description="Exact status; `active` = neither done nor cancelled")] = None,
    tags: Annotated[str | None, Query(description="Comma list; a task matches any (case-insensitive part)")] = None,
) -> dict:
    """Every task (no visibility rule), most urgent first, then by due date (none last) and age."""
    return service.list_tasks(session, page, zone=settings.zone, project_id=project_id, status=status, tags=tags)


@router.get("/{task_id:id}", response_model=TaskEnvelope)
def get_task(task_id: int, session: SessionDep, settings: SettingsDep, identity: ReadScope) -> dict:
    """One task with its logged hours and progress."""
    return service.get_task(session, task_id, zone=settings.zone)


@router.post("", response_model=TaskMessageEnvelope, status_code=201)
def create_task(body: TaskCreate, session: SessionDep, settings: SettingsDep, identity: WriteScope) -> dict:
    """Create a task on any existing project; the caller becomes its creator."""
    return service.create_task(session, body, actor=identity, zone=settings.zone)


@router.patch("/{task_id:id}", response_model=TaskMessageEnvelope)
def update_task(
    task_id: int, body: TaskUpdate, session: SessionDep, settings: SettingsDep, identity: WriteScope
) -> dict:
    """Partial update: only the keys present change; `project_id` cannot be changed."""
    return service.update_task(session, task_id, body, actor=identity, zone=settings.zone)


@router.put("/{task_id:id}", response_model=TaskMessageEnvelope)
def update_task_put(
    task_id: int, body: TaskUpdate, session: SessionDep, settings: SettingsDep, identity: WriteScope
) -> dict:
    """Same partial semantics as PATCH (CONVENTIONS §1)."""
    return service.update_task(session, task_id, body, actor=identity, zone=settings.zone)


@router.delete("/{task_id:id}", response_model=MessageResponse)
def delete_task(task_id: int, session: SessionDep, settings: SettingsDep, identity: WriteScope) -> dict:
    """Delete the task for good; its time entries stay, without a task."""
    return service.delete_task(session, task_id, actor=identity, zone=settings.zone)
