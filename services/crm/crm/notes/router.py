"""Client notes (crm.md §2): `/api/v1/clients/{client_id}/notes` for a client's notes and
`/api/v1/client-notes/{note_id}` for one note."""

from __future__ import annotations

from typing import Annotated

from fastapi import status

from crm.notes import service
from crm.notes.schemas import NoteCreate, NoteEnvelope, NoteList, NoteMessageEnvelope, NoteUpdate
from crm.routing import feature_router
from crm.schemas import MessageResponse
from shared.db import SessionDep
from shared.identity import Identity, requires
from shared.pagination import PageDep

client_notes_router = feature_router("/api/v1/clients", tags=["client notes"])
notes_router = feature_router("/api/v1/client-notes", tags=["client notes"])
ReadScope = Annotated[Identity, requires("read:clients", module="clients")]
WriteScope = Annotated[Identity, requires("write:clients", module="clients")]


@client_notes_router.get("/{client_id:id}/notes", response_model=NoteList)
def list_client_notes(client_id: int, session: SessionDep, page: PageDep, identity: ReadScope) -> dict:
    """A client's notes, important first, then newest first; 404 unknown client, 403 outside
    the caller's client scope."""
    return service.list_notes(session, client_id, identity, page)


@client_notes_router.post(
    "/{client_id:id}/notes", response_model=NoteMessageEnvelope, status_code=status.HTTP_201_CREATED
)
def create_client_note(client_id: int, body: NoteCreate, session: SessionDep, identity: WriteScope) -> dict:
    """Add a note to a client as the caller; `content` is required."""
    return service.create_note(session, client_id, body, actor=identity)


@notes_router.get("/{note_id:id}", response_model=NoteEnvelope)
def get_client_note(note_id: int, session: SessionDep, identity: ReadScope) -> dict:
    """One note; every caller with the scope may read any note (CONVENTIONS §4)."""
    return service.get_note(session, note_id)


@notes_router.patch("/{note_id:id}", response_model=NoteMessageEnvelope)
def update_client_note(note_id: int, body: NoteUpdate, session: SessionDep, identity: WriteScope) -> dict:
    """Change a note's content (required) and optionally `is_important`; author or admin only."""
    return service.update_note(session, note_id, body, actor=identity)


@notes_router.put("/{note_id:id}", response_model=NoteMessageEnvelope)
def update_client_note_put(note_id: int, body: NoteUpdate, session: SessionDep, identity: WriteScope) -> dict:
    """Same semantics as PATCH (CONVENTIONS §1)."""
    return service.update_note(session, note_id, body, actor=identity)


@notes_router.delete("/{note_id:id}", response_model=MessageResponse)
def delete_client_note(note_id: int, session: SessionDep, identity: WriteScope) -> dict:
    """Delete a note; author or admin only."""
    return service.delete_note(session, note_id, actor=identity)
