"""Who sees what (CONVENTIONS §4), the platform's one rule, applied by every service to its own
rows. A *scope* is what a role opens: admins and managers see every client and project;
subcontractors those of their assigned clients; every other role what it created (a row with no
creator is in nobody's own scope). Data about people — entries, reports — is the caller's own
unless they are an admin."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false

from shared.errors import ForbiddenError
from shared.identity import Identity

FULL_SCOPE_ROLES = frozenset({"admin", "manager"})


def sees_everything(identity: Identity) -> bool:
    return identity.is_admin or identity.role in FULL_SCOPE_ROLES


def scope_filter(identity: Identity, *, created_by: Any, client_id: Any) -> ColumnElement[bool] | None:
    """A condition for list queries on rows with these two columns; None when all are visible."""
    if sees_everything(identity):
        return None
    if identity.role == "subcontractor":
        return client_id.in_(identity.client_ids) if identity.client_ids else false()
    if identity.user_id is None:
        return false()
    return created_by == identity.user_id


def in_scope(identity: Identity, *, created_by: int | None, client_id: int | None) -> bool:
    """The same rule for one row already loaded."""
    if sees_everything(identity):
        return True
    if identity.role == "subcontractor":
        return client_id in identity.client_ids
    return created_by is not None and created_by == identity.user_id


def own_data_user(identity: Identity, requested: int | None) -> int | None:
    """Whose data a request is about: admins choose any user (None = everyone); others only
    themselves, and naming anyone else is `403 Access denied`."""
    if identity.is_admin:
        return requested
    if requested is not None and requested != identity.user_id:
        raise ForbiddenError("Access denied")
    return identity.user_id
