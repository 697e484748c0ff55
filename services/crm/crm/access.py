"""Client scope (CONVENTIONS §4): which clients a user may see. Admins and managers see all;
subcontractors their assigned clients; every other role the clients they created."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false
from sqlalchemy.orm import Session

from crm.errors import NoClientAccessError
from crm.models import Client
from shared.errors import NotFoundError
from shared.identity import Identity

FULL_SCOPE_ROLES = frozenset({"admin", "manager"})


def sees_all_clients(identity: Identity) -> bool:
    return identity.is_admin or identity.role in FULL_SCOPE_ROLES


def client_scope(identity: Identity) -> ColumnElement[bool] | None:
    """A condition on `Client` for list queries; None when every client is visible."""
    if sees_all_clients(identity):
        return None
    if identity.role == "subcontractor":
        return Client.id.in_(identity.client_ids) if identity.client_ids else false()
    if identity.user_id is None:
        return false()
    return Client.created_by == identity.user_id


def can_access_client(identity: Identity, client: Client) -> bool:
    if sees_all_clients(identity):
        return True
    if identity.role == "subcontractor":
        return client.id in identity.client_ids
    return client.created_by is not None and client.created_by == identity.user_id


def client_not_found(client_id: int) -> NotFoundError:
    return NotFoundError(f"Client with ID {client_id} not found", error="Client not found")


def client_in_scope(session: Session, client_id: int, identity: Identity, *, lock: bool = False) -> Client:
    """The client, or 404 when unknown and 403 when outside the caller's scope."""
    client = session.get(Client, client_id, with_for_update=lock)
    if client is None:
        raise client_not_found(client_id)
    if not can_access_client(identity, client):
        raise NoClientAccessError()
    return client
