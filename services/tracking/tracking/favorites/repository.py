"""Favorite queries: one user's favorites, and one (user, project) pair."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracking.models import FavoriteProject


def list_for_user(session: Session, user_id: int) -> list[FavoriteProject]:
    stmt = select(FavoriteProject).where(FavoriteProject.user_id == user_id)
    return list(session.scalars(stmt.order_by(FavoriteProject.created_at, FavoriteProject.id)))


def find(session: Session, user_id: int, project_id: int) -> FavoriteProject | None:
    stmt = select(FavoriteProject).where(FavoriteProject.user_id == user_id, FavoriteProject.project_id == project_id)
    return session.scalars(stmt).first()
