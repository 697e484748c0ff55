"""`/api/v1/projects`: the project resource (tracking.md §2)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, status

from shared.db import SessionDep
from shared.identity import Identity, requires
from shared.pagination import PageDep
from tracking.projects import service
from tracking.projects.schemas import (
    ProjectCreate,
    ProjectEnvelope,
    ProjectList,
    ProjectMessageEnvelope,
    ProjectUpdate,
)
from tracking.routing import feature_router
from tracking.schemas import MessageResponse

router = feature_router("/api/v1/projects", tags=["projects"])
ReadScope = Annotated[Identity, requires("read:projects")]
WriteScope = Annotated[Identity, requires("write:projects")]


@router.get("", response_model=ProjectList)
def list_projects(
    session: SessionDep,
    page: PageDep,
    identity: ReadScope,
    status: Annotated[str | None, Query(description="Exact status (default active); `all` for every status")] = None,
    client_id: Annotated[str | None, Query(description="Only projects of this client")] = None,
) -> dict:
    """Projects in the caller's project scope, ordered by name."""
    return service.list_projects(session, identity, page, status=status, client_id=client_id)


@router.get("/{project_id:id}", response_model=ProjectEnvelope)
def get_project(project_id: int, session: SessionDep, identity: ReadScope) -> dict:
    """One project; 403 outside the caller's project scope."""
    return service.get_project(session, project_id, identity)


@router.post("", response_model=ProjectMessageEnvelope, status_code=status.HTTP_201_CREATED)
def create_project(body: ProjectCreate, session: SessionDep, identity: WriteScope) -> dict:
    """Create a project for a known client; the caller becomes its creator."""
    return service.create_project(session, body, actor=identity)


@router.patch("/{project_id:id}", response_model=ProjectMessageEnvelope)
def update_project(project_id: int, body: ProjectUpdate, session: SessionDep, identity: WriteScope) -> dict:
    """Partial update: only the keys present change."""
    return service.update_project(session, project_id, body, actor=identity)


@router.put("/{project_id:id}", response_model=ProjectMessageEnvelope)
def update_project_put(project_id: int, body: ProjectUpdate, session: SessionDep, identity: WriteScope) -> dict:
    """Same partial semantics as PATCH (CONVENTIONS §1)."""
    return service.update_project(session, project_id, body, actor=identity)


@router.delete("/{project_id:id}", response_model=MessageResponse)
def archive_project(project_id: int, session: SessionDep, identity: WriteScope) -> dict:
    """Archive the project (never deletes it); repeating it re-stamps `archived_at`."""
    return service.archive_project(session, project_id, actor=identity)
