"""The note object of crm.md §2 (also the payload of the client_note events)."""

from __future__ import annotations

from typing import Any

from crm.models import ClientNote, KnownUser
from shared.timefmt import iso_utc

UNKNOWN = "Unknown"


def author_fields(author: KnownUser | None) -> dict[str, Any]:
    """Names from the auth-user replica; an author not (yet) replicated reads as "Unknown"."""
    username = author.username if author else None
    full_name = author.full_name if author else None
    return {
        "author": username,
        "author_full_name": full_name,
        "author_name": full_name or username or UNKNOWN,
    }


def serialize_note(note: ClientNote, author: KnownUser | None) -> dict[str, Any]:
    return {
        "id": note.id,
        "content": note.content,
        "client_id": note.client_id,
        "client_name": note.client.name if note.client is not None else UNKNOWN,
        "user_id": note.user_id,
        **author_fields(author),
        "is_important": note.is_important,
        "created_at": iso_utc(note.created_at),
        "updated_at": iso_utc(note.updated_at),
    }
