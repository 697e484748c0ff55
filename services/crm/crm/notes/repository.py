"""Client-note queries: one note, a client's ordered notes, the authors of a page."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from crm.models import ClientNote, KnownUser


def get_note(session: Session, note_id: int, *, lock: bool = False) -> ClientNote | None:
    stmt = select(ClientNote).where(ClientNote.id == note_id)
    if lock:
        # Only the note row: its client is joined in (an outer join), which FOR UPDATE cannot cover.
        stmt = stmt.with_for_update(of=ClientNote).execution_options(populate_existing=True)
    return session.scalars(stmt).first()


def list_statement(client_id: int) -> Select:
    """Important notes first, then newest first (id breaks ties between equal timestamps)."""
    return (
        select(ClientNote)
        .where(ClientNote.client_id == client_id)
        .order_by(ClientNote.is_important.desc(), ClientNote.created_at.desc(), ClientNote.id.desc())
    )


def get_author(session: Session, user_id: int) -> KnownUser | None:
    return session.get(KnownUser, user_id)


def authors(session: Session, user_ids: Iterable[int]) -> dict[int, KnownUser]:
    """user id → replica row, for a whole page in one query; unknown ids are simply absent."""
    ids = set(user_ids)
    if not ids:
        return {}
    return {user.id: user for user in session.scalars(select(KnownUser).where(KnownUser.id.in_(ids)))}
