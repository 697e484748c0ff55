"""Client use cases: scoped list and get, create, update, delete (crm.md §1)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crm import events
from crm.access import client_in_scope, client_scope
from crm.clients import repository
from crm.clients.schemas import ClientCreate, ClientFields, ClientUpdate
from crm.clients.serializers import client_event_data, serialize_client
from crm.errors import DuplicateClientError
from crm.models import Client
from shared.consistency import catch_up
from shared.errors import ConflictError, ValidationError
from shared.identity import Identity
from shared.pagination import PageParams, paginate

NAME_REQUIRED = {"name": ["Client name is required"]}
# Columns that cannot hold null: a null in the body leaves them unchanged.
NOT_NULLABLE = frozenset({"status", "prepaid_reset_day"})


def _serialize(session: Session, client: Client) -> dict[str, Any]:
    counts = repository.project_counts(session, [client.id]).get(client.id, (0, 0))
    return serialize_client(client, counts)


def list_clients(session: Session, identity: Identity, page: PageParams, *, status: str | None) -> dict[str, Any]:
    stmt = repository.list_statement(scope=client_scope(identity), status=status)
    clients, pagination = paginate(session, stmt, page)
    counts = repository.project_counts(session, (c.id for c in clients))
    return {
        "clients": [serialize_client(c, counts.get(c.id, (0, 0))) for c in clients],
        "pagination": pagination,
    }


def get_client(session: Session, client_id: int, identity: Identity) -> dict[str, Any]:
    return {"client": _serialize(session, client_in_scope(session, client_id, identity))}


def _ensure_unique_name(session: Session, name: str, *, exclude_id: int | None = None) -> None:
    if repository.find_by_name(session, name, exclude_id=exclude_id) is not None:
        raise DuplicateClientError(f"A client named '{name}' already exists")


def _apply(client: Client, body: ClientFields, fields: set[str]) -> None:
    for field in fields:
        value = getattr(body, field)
        if value is None and field in NOT_NULLABLE:
            continue
        if field == "custom_fields" and value is None:
            value = {}
        setattr(client, field, value)


def _flush_unique(session: Session, name: str) -> None:
    """A concurrent create of the same name loses at the unique index: same answer as the check."""
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise DuplicateClientError(f"A client named '{name}' already exists") from exc


def create_client(session: Session, body: ClientCreate, *, actor: Identity) -> dict[str, Any]:
    if not body.name:
        raise ValidationError(NAME_REQUIRED, "Client name is required")
    _ensure_unique_name(session, body.name)
    client = Client(created_by=actor.user_id, custom_fields={})
    _apply(client, body, body.model_fields_set)
    session.add(client)
    _flush_unique(session, body.name)
    data = client_event_data(client)
    events.emit(session, "client", "created", entity_id=client.id, data=data, actor=actor)
    return {"message": "Client created successfully", "client": serialize_client(client)}


def update_client(session: Session, client_id: int, body: ClientUpdate, *, actor: Identity) -> dict[str, Any]:
    client = client_in_scope(session, client_id, actor, lock=True)
    fields = body.model_fields_set
    if "name" in fields:
        if not body.name:
            raise ValidationError(NAME_REQUIRED, "Client name is required")
        _ensure_unique_name(session, body.name, exclude_id=client.id)
    _apply(client, body, fields)
    _flush_unique(session, client.name)
    counts = repository.project_counts(session, [client.id]).get(client.id, (0, 0))
    events.emit(session, "client", "updated", entity_id=client.id, data=client_event_data(client, counts), actor=actor)
    return {"message": "Client updated successfully", "client": serialize_client(client, counts)}


def delete_client(session: Session, client_id: int, *, actor: Identity) -> dict[str, Any]:
    """Refused while projects or quotes reference the client (retire it with status instead);
    otherwise its contacts and notes go with it. Projects live in tracking: the project replica
    catches up first, so a project created a moment ago guards its client too."""
    client = client_in_scope(session, client_id, actor, lock=True)
    catch_up("tracking")
    if repository.has_projects(session, client.id):
        raise ConflictError("The client still has projects; set its status to inactive instead")
    if repository.has_quotes(session, client.id):
        raise ConflictError("The client still has quotes; set its status to inactive instead")
    data = client_event_data(client)
    session.delete(client)
    session.flush()
    events.emit(session, "client", "deleted", entity_id=client_id, data=data, actor=actor)
    return {"message": "Client deleted successfully"}
