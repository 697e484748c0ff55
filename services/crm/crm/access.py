"""Client scope: CONVENTIONS §4's rule (`shared.visibility`) on CRM's clients."""

from __future__ import annotations

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from crm.errors import NoClientAccessError
from crm.models import Client
from shared.errors import NotFoundError
from shared.identity import Identity
from shared.visibility import in_scope, scope_filter


def client_scope(identity: Identity) -> ColumnElement[bool] | None:
    """A condition on `Client` for list queries; None when every client is visible."""
    return scope_filter(identity, created_by=Client.created_by, client_id=Client.id)


def can_access_client(identity: Identity, client: Client) -> bool:
    return in_scope(identity, created_by=client.created_by, client_id=client.id)


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
