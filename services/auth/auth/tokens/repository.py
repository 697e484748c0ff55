"""Queries on api_tokens."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from auth.models import ApiToken, User


def get(session: Session, token_id: int, *, lock: bool = False) -> ApiToken | None:
    stmt = select(ApiToken).where(ApiToken.id == token_id)
    if lock:
        stmt = stmt.with_for_update()
    return session.scalar(stmt)


def add(session: Session, token: ApiToken) -> ApiToken:
    session.add(token)
    session.flush()
    return token


def remove(session: Session, token: ApiToken) -> None:
    session.execute(delete(ApiToken).where(ApiToken.id == token.id))
    session.expunge(token)


def list_with_usernames(session: Session) -> list[tuple[ApiToken, str]]:
    stmt = (
        select(ApiToken, User.username)
        .join(User, User.id == ApiToken.user_id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    )
    return [(token, username) for token, username in session.execute(stmt)]
