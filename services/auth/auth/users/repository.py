"""Queries on users."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from auth.models import User


def get(session: Session, user_id: int, *, lock: bool = False) -> User | None:
    if lock:
        return session.scalar(select(User).where(User.id == user_id).with_for_update())
    return session.get(User, user_id)


def get_by_username(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.username) == username.lower()))


def slack_user_id_taken(session: Session, slack_user_id: str, *, exclude_user_id: int | None = None) -> bool:
    stmt = select(User.id).where(User.slack_user_id == slack_user_id)
    if exclude_user_id is not None:
        stmt = stmt.where(User.id != exclude_user_id)
    return session.scalar(stmt.limit(1)) is not None


def active_users() -> Select:
    return select(User).where(User.is_active.is_(True)).order_by(User.username, User.id)


def add(session: Session, user: User) -> User:
    session.add(user)
    session.flush()
    return user


def insert_if_absent(session: Session, values: dict[str, Any]) -> int | None:
    """INSERT … ON CONFLICT DO NOTHING: the new id, or None when the username already exists
    (safe when several replicas bootstrap the same admin at once)."""
    stmt = insert(User).values(**values).on_conflict_do_nothing().returning(User.id)
    return session.execute(stmt).scalar_one_or_none()
