"""Wire shapes of client notes (crm.md §2)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from crm.values import Text


class NoteFields(BaseModel):
    """`content` is optional here and required by the service, so a missing or blank one gets
    the spec's message ("content is required") rather than pydantic's."""

    content: Text = None
    is_important: bool | None = None


class NoteCreate(NoteFields):
    pass


class NoteUpdate(NoteFields):
    """PUT and PATCH: `content` on every update (upstream rule), `is_important` when present."""


class NoteRead(BaseModel):
    id: int
    content: str
    client_id: int
    client_name: str
    user_id: int
    author: str | None
    author_full_name: str | None
    author_name: str
    is_important: bool
    created_at: str
    updated_at: str


class NoteEnvelope(BaseModel):
    note: NoteRead


class NoteMessageEnvelope(BaseModel):
    message: str
    note: NoteRead


class NoteList(BaseModel):
    notes: list[NoteRead]
    pagination: dict[str, Any]
