"""Quote queries: the visible list and the candidates for the next quote number."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from crm.models import Quote


def list_statement(*, created_by: int | None, status: str | None, client_id: int | None) -> Select:
    """`created_by` None: every creator (admins)."""
    stmt = select(Quote).order_by(Quote.created_at.desc(), Quote.id.desc())
    if created_by is not None:
        stmt = stmt.where(Quote.created_by == created_by)
    if status is not None:
        stmt = stmt.where(Quote.status == status)
    if client_id is not None:
        stmt = stmt.where(Quote.client_id == client_id)
    return stmt


def numbers_between(session: Session, head: str, tail: str) -> list[str]:
    """Quote numbers that start with `head` and end with `tail` (LIKE wildcards escaped)."""
    stmt = select(Quote.quote_number).where(
        Quote.quote_number.startswith(head, autoescape=True),
        Quote.quote_number.endswith(tail, autoescape=True),
    )
    return list(session.scalars(stmt))
