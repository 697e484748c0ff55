"""Wire shapes of client contacts (crm.md §3). Text is trimmed and blank → null; lengths are
the columns' (first and last name ≤100 per §3.1)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, model_validator

from crm.values import Email, Tags, Text, Text50, Text100


class ContactFields(BaseModel):
    first_name: Text100 = None
    last_name: Text100 = None
    email: Email = None
    phone: Text50 = None
    mobile: Text50 = None
    title: Text100 = None
    department: Text100 = None
    role: Text50 = None
    address: Text = None
    notes: Text = None
    tags: Tags = None
    is_primary: bool | None = None


class ContactCreate(ContactFields):
    """The names are checked by the service (crm.md §3.3 message and the `name` fallback)."""

    # The mobile app's single name field, split when first_name and last_name are both absent.
    name: Text = None


class ContactUpdate(ContactFields):
    """PUT and PATCH: a key changes only when present and not null (crm.md §3.2), so nulls are
    dropped before validation and `model_fields_set` is exactly the keys to apply. A blank
    string is not null: it clears an optional field."""

    @model_validator(mode="before")
    @classmethod
    def _drop_nulls(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {key: value for key, value in data.items() if value is not None}
        return data


class ContactRead(BaseModel):
    id: int
    client_id: int
    first_name: str
    last_name: str
    full_name: str
    display_name: str
    email: str | None
    phone: str | None
    mobile: str | None
    title: str | None
    department: str | None
    role: str
    is_primary: bool
    address: str | None
    notes: str | None
    tags: list[str]
    is_active: bool
    created_by: int
    created_at: str
    updated_at: str


class ContactEnvelope(BaseModel):
    contact: ContactRead


class ContactMessageEnvelope(BaseModel):
    message: str
    contact: ContactRead


class ContactList(BaseModel):
    contacts: list[ContactRead]
