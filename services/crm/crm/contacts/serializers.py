"""The contact object of crm.md §3.1 (also the payload of the contact events)."""

from __future__ import annotations

from typing import Any

from crm.contacts.rules import display_name, full_name
from crm.models import Contact
from crm.values import text_to_tags
from shared.timefmt import iso_utc


def serialize_contact(contact: Contact) -> dict[str, Any]:
    return {
        "id": contact.id,
        "client_id": contact.client_id,
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "full_name": full_name(contact.first_name, contact.last_name),
        "display_name": display_name(contact.first_name, contact.last_name, contact.title),
        "email": contact.email,
        "phone": contact.phone,
        "mobile": contact.mobile,
        "title": contact.title,
        "department": contact.department,
        "role": contact.role,
        "is_primary": contact.is_primary,
        "address": contact.address,
        "notes": contact.notes,
        "tags": text_to_tags(contact.tags),
        "is_active": contact.is_active,
        "created_by": contact.created_by,
        "created_at": iso_utc(contact.created_at),
        "updated_at": iso_utc(contact.updated_at),
    }
