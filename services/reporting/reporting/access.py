"""Who may see what (CONVENTIONS §4): a user's own data unless admin; project scope by role."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, true

from reporting.models import KnownProject
from shared.errors import ForbiddenError
from shared.identity import Identity

SEE_ALL_PROJECTS = ("admin", "manager")


def report_user(identity: Identity, requested: int | None) -> int | None:
    """The user a report is about: admins choose any (None = everyone); others only
    themselves, and naming anyone else is `403 Access denied`."""
    if identity.is_admin:
        return requested
    if requested is not None and requested != identity.user_id:
        raise ForbiddenError("Access denied")
    return identity.user_id


def project_scope(identity: Identity) -> ColumnElement[bool]:
    """Filter of the projects in the caller's project scope."""
    if identity.is_admin or identity.role in SEE_ALL_PROJECTS:
        return true()
    if identity.role == "subcontractor":
        return KnownProject.client_id.in_(identity.client_ids) if identity.client_ids else false()
    return KnownProject.created_by == identity.user_id


def in_project_scope(identity: Identity, project: KnownProject) -> bool:
    if identity.is_admin or identity.role in SEE_ALL_PROJECTS:
        return True
    if identity.role == "subcontractor":
        return project.client_id in identity.client_ids
    return project.created_by is not None and project.created_by == identity.user_id
