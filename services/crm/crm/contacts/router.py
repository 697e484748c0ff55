"""Client contacts (crm.md §3): `/api/v1/clients/{client_id}/contacts` for a client's contacts
and `/api/v1/contacts/{contact_id}` for one contact."""

from __future__ import annotations

from typing import Annotated

from fastapi import status

from crm.contacts import service
from crm.contacts.schemas import ContactCreate, ContactEnvelope, ContactList, ContactMessageEnvelope, ContactUpdate
from crm.routing import feature_router
from crm.schemas import MessageResponse
from shared.db import SessionDep
from shared.identity import Identity, requires

client_contacts_router = feature_router("/api/v1/clients", tags=["contacts"])
contacts_router = feature_router("/api/v1/contacts", tags=["contacts"])
ReadScope = Annotated[Identity, requires("read:contacts", module="contacts")]
WriteScope = Annotated[Identity, requires("write:contacts", module="contacts")]


@client_contacts_router.get("/{client_id:id}/contacts", response_model=ContactList)
def list_client_contacts(client_id: int, session: SessionDep, identity: ReadScope) -> dict:
    """A client's active contacts by last name, then first name (not paginated); 404 unknown
    client, 403 outside the caller's client scope."""
    return service.list_contacts(session, client_id, identity)


@client_contacts_router.post(
    "/{client_id:id}/contacts", response_model=ContactMessageEnvelope, status_code=status.HTTP_201_CREATED
)
def create_client_contact(client_id: int, body: ContactCreate, session: SessionDep, identity: WriteScope) -> dict:
    """Add a contact to a client; first and last name are required (or one `name` to split).
    `is_primary: true` takes the flag from the client's other contacts."""
    return service.create_contact(session, client_id, body, actor=identity)


@contacts_router.get("/{contact_id:id}", response_model=ContactEnvelope)
def get_contact(contact_id: int, session: SessionDep, identity: ReadScope) -> dict:
    """One contact, active or not; 403 outside the client scope of its client."""
    return service.get_contact(session, contact_id, identity)


@contacts_router.patch("/{contact_id:id}", response_model=ContactMessageEnvelope)
def update_contact(contact_id: int, body: ContactUpdate, session: SessionDep, identity: WriteScope) -> dict:
    """Partial update: keys present and not null change; `is_primary: true` takes the flag
    from the client's other contacts."""
    return service.update_contact(session, contact_id, body, actor=identity)


@contacts_router.put("/{contact_id:id}", response_model=ContactMessageEnvelope)
def update_contact_put(contact_id: int, body: ContactUpdate, session: SessionDep, identity: WriteScope) -> dict:
    """Same semantics as PATCH (CONVENTIONS §1)."""
    return service.update_contact(session, contact_id, body, actor=identity)


@contacts_router.delete("/{contact_id:id}", response_model=MessageResponse)
def delete_contact(contact_id: int, session: SessionDep, identity: WriteScope) -> dict:
    """Soft delete: the contact leaves the client's list and stays readable by id."""
    return service.delete_contact(session, contact_id, actor=identity)
