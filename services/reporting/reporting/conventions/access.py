"""Who may see what (CONVENTIONS §4): project scope by role. (A `user_id` filter on own data:
`shared.entry_filters.visible_user`.)"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, true

from reporting.models import KnownProject
from shared.identity import Identity

SEE_ALL_PROJECTS = ("admin", "manager")


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
