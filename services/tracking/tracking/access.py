"""Project scope (CONVENTIONS §4): admins and managers see every project; subcontractors the
projects of their assigned clients; every other role the projects they created."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false
from sqlalchemy.orm import Session

from shared.errors import NotFoundError
from shared.identity import Identity
from tracking.errors import NoProjectAccessError
from tracking.models import Project

FULL_SCOPE_ROLES = frozenset({"admin", "manager"})


def sees_all_projects(identity: Identity) -> bool:
    return identity.is_admin or identity.role in FULL_SCOPE_ROLES


def project_scope(identity: Identity) -> ColumnElement[bool] | None:
    """A condition on `Project` for list queries; None when every project is visible."""
    if sees_all_projects(identity):
        return None
    if identity.role == "subcontractor":
        return Project.client_id.in_(identity.client_ids) if identity.client_ids else false()
    if identity.user_id is None:
        return false()
    return Project.created_by == identity.user_id


def can_access_project(identity: Identity, project: Project) -> bool:
    if sees_all_projects(identity):
        return True
    if identity.role == "subcontractor":
        return project.client_id in identity.client_ids
    return project.created_by is not None and project.created_by == identity.user_id


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
