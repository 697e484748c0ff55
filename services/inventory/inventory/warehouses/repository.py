"""Warehouse queries."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from inventory.models import Warehouse


def list_statement(*, active_only: bool) -> Select:
    stmt = select(Warehouse).order_by(Warehouse.code, Warehouse.id)
    return stmt.where(Warehouse.is_active.is_(True)) if active_only else stmt


def code_taken(session: Session, code: str, *, exclude_id: int | None = None) -> bool:
    stmt = select(Warehouse.id).where(Warehouse.code == code)
    if exclude_id is not None:
        stmt = stmt.where(Warehouse.id != exclude_id)
    return session.scalar(stmt.limit(1)) is not None
