"""Project scope: CONVENTIONS §4's rule (`shared.visibility`) on tracking's projects."""

from __future__ import annotations

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from shared.errors import NotFoundError
from shared.identity import Identity
from shared.visibility import in_scope, scope_filter
from tracking.errors import NoProjectAccessError
from tracking.models import Project


def project_scope(identity: Identity) -> ColumnElement[bool] | None:
    """A condition on `Project` for list queries; None when every project is visible."""
    return scope_filter(identity, created_by=Project.created_by, client_id=Project.client_id)


def can_access_project(identity: Identity, project: Project) -> bool:
    return in_scope(identity, created_by=project.created_by, client_id=project.client_id)


def project_not_found(project_id: int) -> NotFoundError:
    return NotFoundError(f"Project with ID {project_id} not found", error="Project not found")


def project_in_scope(session: Session, project_id: int, identity: Identity, *, lock: bool = False) -> Project:
    """The project, or 404 when unknown and 403 when outside the caller's scope."""
    project = session.get(Project, project_id, with_for_update=lock)
    if project is None:
        raise project_not_found(project_id)
    if not can_access_project(identity, project):
        raise NoProjectAccessError()
    return project
