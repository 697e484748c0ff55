"""Contact queries: one contact, a client's active contacts, the client's primary contacts."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.models import Contact


def get_contact(session: Session, contact_id: int) -> Contact | None:
    return session.get(Contact, contact_id)


def active_contacts(session: Session, client_id: int) -> list[Contact]:
    stmt = (
        select(Contact)
        .where(Contact.client_id == client_id, Contact.is_active.is_(True))
        .order_by(Contact.last_name, Contact.first_name, Contact.id)
    )
    return list(session.scalars(stmt))


def other_primary_contacts(session: Session, client_id: int, *, exclude_id: int) -> list[Contact]:
    """The client's other contacts flagged primary, active or not."""
    stmt = (
        select(Contact)
        .where(Contact.client_id == client_id, Contact.id != exclude_id, Contact.is_primary.is_(True))
        .order_by(Contact.id)
    )
    return list(session.scalars(stmt))
