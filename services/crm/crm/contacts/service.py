"""Contact use cases (crm.md §3): a client's active contacts, one contact, create, update and
soft delete, all within the caller's client scope.

Every write locks the parent client's row first: writes to one client's contacts (and the
single primary flag among them) are serialized, and the lock order matches client deletion,
which locks the client before its contacts go."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from crm import events
from crm.access import client_in_scope
from crm.contacts import repository
from crm.contacts.rules import NAMES_REQUIRED, creation_names
from crm.contacts.schemas import ContactCreate, ContactUpdate
from crm.contacts.serializers import serialize_contact
from crm.models import Contact
from shared.errors import NotFoundError, ValidationError
from shared.identity import Identity

DEFAULT_ROLE = "contact"
NAME_FIELDS = ("first_name", "last_name")
OPTIONAL_FIELDS = ("email", "phone", "mobile", "title", "department", "address", "notes", "tags")


def _contact_in_scope(session: Session, contact_id: int, identity: Identity, *, lock: bool = False) -> Contact:
    """The contact, or 404; 403 when its client is outside the caller's client scope."""
    contact = repository.get_contact(session, contact_id)
    if contact is None:
        raise NotFoundError(f"Contact with ID {contact_id} not found", error="Contact not found")
    client_in_scope(session, contact.client_id, identity, lock=lock)
    if lock:
        # Read after the client lock: a write that held it may have changed the contact meanwhile.
        session.refresh(contact)
    return contact


def _emit(session: Session, contact: Contact, action: str, actor: Identity) -> dict[str, Any]:
    data = serialize_contact(contact)
    events.emit(session, "contact", action, entity_id=contact.id, data=data, actor=actor)
    return data


def _demote_other_primaries(session: Session, contact: Contact, actor: Identity) -> None:
    """One primary contact per client: the others lose the flag, each with its own event."""
    others = repository.other_primary_contacts(session, contact.client_id, exclude_id=contact.id)
    for other in others:
        other.is_primary = False
    session.flush()
    for other in others:
        _emit(session, other, "updated", actor)


def list_contacts(session: Session, client_id: int, identity: Identity) -> dict[str, Any]:
    client_in_scope(session, client_id, identity)
    return {"contacts": [serialize_contact(c) for c in repository.active_contacts(session, client_id)]}


def get_contact(session: Session, contact_id: int, identity: Identity) -> dict[str, Any]:
    return {"contact": serialize_contact(_contact_in_scope(session, contact_id, identity))}


def create_contact(session: Session, client_id: int, body: ContactCreate, *, actor: Identity) -> dict[str, Any]:
    client_in_scope(session, client_id, actor, lock=True)
    first_name, last_name = creation_names(body.first_name, body.last_name, body.name)
    contact = Contact(
        client_id=client_id,
        first_name=first_name,
        last_name=last_name,
        role=body.role or DEFAULT_ROLE,
        is_primary=bool(body.is_primary),
        is_active=True,
        created_by=actor.user_id,
    )
    for field in OPTIONAL_FIELDS:
        setattr(contact, field, getattr(body, field))
    session.add(contact)
    session.flush()
    data = _emit(session, contact, "created", actor)
    if contact.is_primary:
        _demote_other_primaries(session, contact, actor)
    return {"message": "Contact created successfully", "contact": data}


def _apply(contact: Contact, body: ContactUpdate, fields: set[str]) -> None:
    """Nulls never reach here (the schema drops them); a blank name is refused, a blank role
    falls back to the default, a blank optional field is cleared."""
    blank_names = [field for field in NAME_FIELDS if field in fields and getattr(body, field) is None]
    if blank_names:
        raise ValidationError({field: [NAMES_REQUIRED] for field in blank_names}, NAMES_REQUIRED)
    for field in fields:
        value = getattr(body, field)
        if field == "role":
            value = value or DEFAULT_ROLE
        setattr(contact, field, value)


def update_contact(session: Session, contact_id: int, body: ContactUpdate, *, actor: Identity) -> dict[str, Any]:
    contact = _contact_in_scope(session, contact_id, actor, lock=True)
    _apply(contact, body, body.model_fields_set)
    session.flush()
    data = _emit(session, contact, "updated", actor)
    if contact.is_primary and "is_primary" in body.model_fields_set:
        _demote_other_primaries(session, contact, actor)
    return {"message": "Contact updated successfully", "contact": data}


def delete_contact(session: Session, contact_id: int, *, actor: Identity) -> dict[str, Any]:
    """Soft delete: the contact leaves the client's list but stays readable by id. Deleting it
    again answers the same and changes nothing, so no second event."""
    contact = _contact_in_scope(session, contact_id, actor, lock=True)
    if contact.is_active:
        contact.is_active = False
        session.flush()
        _emit(session, contact, "deleted", actor)
    return {"message": "Contact deleted successfully"}
