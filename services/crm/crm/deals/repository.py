"""Deal queries: the filtered list and existence checks for linked rows."""

from __future__ import annotations

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import Session

from crm.models import Base, Deal


def list_statement(*, status: str | None, stage: str | None, owner_id: int | None) -> Select:
    """Soonest expected close first (undated last), then newest."""
    stmt = select(Deal).order_by(Deal.expected_close_date.asc().nulls_last(), Deal.created_at.desc(), Deal.id.desc())
    if status is not None:
        stmt = stmt.where(Deal.status == status)
    if stage is not None:
        stmt = stmt.where(Deal.stage == stage)
    if owner_id is not None:
        stmt = stmt.where(Deal.owner_id == owner_id)
    return stmt


def row_exists(session: Session, model: type[Base], row_id: int) -> bool:
    return bool(session.scalar(select(exists().where(model.id == row_id))))
