"""`/api/v1/clients`: the client resource (crm.md §1)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, status

from crm.clients import service
from crm.clients.schemas import ClientCreate, ClientEnvelope, ClientList, ClientMessageEnvelope, ClientUpdate
from crm.routing import feature_router
from crm.schemas import MessageResponse
from shared.db import SessionDep
from shared.identity import Identity, requires
from shared.pagination import PageDep

router = feature_router("/api/v1/clients", tags=["clients"])
ReadScope = Annotated[Identity, requires("read:clients", module="clients")]
WriteScope = Annotated[Identity, requires("write:clients", module="clients")]


@router.get("", response_model=ClientList)
def list_clients(
    session: SessionDep,
    page: PageDep,
    identity: ReadScope,
    status: Annotated[str | None, Query(description="Exact status: active or inactive")] = None,
) -> dict:
    """Clients in the caller's client scope, ordered by name."""
    return service.list_clients(session, identity, page, status=status)


@router.get("/{client_id:id}", response_model=ClientEnvelope)
def get_client(client_id: int, session: SessionDep, identity: ReadScope) -> dict:
    """One client; 403 outside the caller's client scope."""
    return service.get_client(session, client_id, identity)


@router.post("", response_model=ClientMessageEnvelope, status_code=status.HTTP_201_CREATED)
def create_client(body: ClientCreate, session: SessionDep, identity: WriteScope) -> dict:
    """Create a client; the name is required and globally unique."""
    return service.create_client(session, body, actor=identity)


@router.patch("/{client_id:id}", response_model=ClientMessageEnvelope)
def update_client(client_id: int, body: ClientUpdate, session: SessionDep, identity: WriteScope) -> dict:
    """Partial update: only the keys present change."""
    return service.update_client(session, client_id, body, actor=identity)


@router.put("/{client_id:id}", response_model=ClientMessageEnvelope)
def update_client_put(client_id: int, body: ClientUpdate, session: SessionDep, identity: WriteScope) -> dict:
    """Same partial semantics as PATCH (CONVENTIONS §1)."""
    return service.update_client(session, client_id, body, actor=identity)


@router.delete("/{client_id:id}", response_model=MessageResponse)
def delete_client(client_id: int, session: SessionDep, identity: WriteScope) -> dict:
    """Delete a client with its contacts and notes; 409 while projects or quotes reference it."""
    return service.delete_client(session, client_id, actor=identity)
