"""Client-note use cases (crm.md §2): a client's notes, one note, create, update, delete.

Client scope guards the notes of a client (list, create). A single note is read by id without
it, as the spec's table names only 404 there and CONVENTIONS §4 lets everyone read all notes;
changing or deleting a note is for its author or an admin."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from crm import events
from crm.access import client_in_scope
from crm.models import ClientNote
from crm.notes import repository
from crm.notes.schemas import NoteCreate, NoteUpdate
from crm.notes.serializers import serialize_note
from shared.errors import ForbiddenError, NotFoundError, ValidationError
from shared.identity import Identity
from shared.pagination import PageParams, paginate

CONTENT_REQUIRED = "content is required"


def _note_or_404(session: Session, note_id: int, *, lock: bool = False) -> ClientNote:
    note = repository.get_note(session, note_id, lock=lock)
    if note is None:
        raise NotFoundError(f"Client note with ID {note_id} not found", error="Client note not found")
    return note


def _require_content(content: str | None) -> str:
    if not content:
        raise ValidationError({"content": [CONTENT_REQUIRED]}, CONTENT_REQUIRED)
    return content


def _ensure_author_or_admin(note: ClientNote, identity: Identity) -> None:
    if not (identity.is_admin or note.user_id == identity.user_id):
        raise ForbiddenError("Only the author of a note or an administrator can change it")


def _serialize(session: Session, note: ClientNote) -> dict[str, Any]:
    return serialize_note(note, repository.get_author(session, note.user_id))


def list_notes(session: Session, client_id: int, identity: Identity, page: PageParams) -> dict[str, Any]:
    client_in_scope(session, client_id, identity)
    notes, pagination = paginate(session, repository.list_statement(client_id), page)
    authors = repository.authors(session, (note.user_id for note in notes))
    return {
        "notes": [serialize_note(note, authors.get(note.user_id)) for note in notes],
        "pagination": pagination,
    }


def get_note(session: Session, note_id: int) -> dict[str, Any]:
    return {"note": _serialize(session, _note_or_404(session, note_id))}


def create_note(session: Session, client_id: int, body: NoteCreate, *, actor: Identity) -> dict[str, Any]:
    client = client_in_scope(session, client_id, actor)
    note = ClientNote(
        client=client,
        user_id=actor.user_id,
        content=_require_content(body.content),
        is_important=bool(body.is_important),
    )
    session.add(note)
    session.flush()
    data = _serialize(session, note)
    events.emit(session, "client_note", "created", entity_id=note.id, data=data, actor=actor)
    return {"message": "Client note created successfully", "note": data}


def update_note(session: Session, note_id: int, body: NoteUpdate, *, actor: Identity) -> dict[str, Any]:
    note = _note_or_404(session, note_id, lock=True)
    _ensure_author_or_admin(note, actor)
    note.content = _require_content(body.content)
    # A null is_important leaves the flag as it is (the column cannot hold null).
    if body.is_important is not None:
        note.is_important = body.is_important
    session.flush()
    data = _serialize(session, note)
    events.emit(session, "client_note", "updated", entity_id=note.id, data=data, actor=actor)
    return {"message": "Client note updated successfully", "note": data}


def delete_note(session: Session, note_id: int, *, actor: Identity) -> dict[str, Any]:
    note = _note_or_404(session, note_id, lock=True)
    _ensure_author_or_admin(note, actor)
    data = _serialize(session, note)
    session.delete(note)
    session.flush()
    events.emit(session, "client_note", "deleted", entity_id=note_id, data=data, actor=actor)
    return {"message": "Client note deleted successfully"}
