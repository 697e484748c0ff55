"""Transfer queries: transfers are groups of `transfer` movements sharing a reference id."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from inventory.models import StockMovement, transfer_reference_ids
from shared.pagination import PageParams


def next_reference_id(session: Session) -> int:
    return session.execute(transfer_reference_ids.next_value().select()).scalar_one()


def _transfer_movements(start: datetime | None, end: datetime | None) -> Select:
    stmt = select(StockMovement.reference_id).where(
        StockMovement.movement_type == "transfer", StockMovement.reference_id.is_not(None)
    )
    if start is not None:
        stmt = stmt.where(StockMovement.moved_at >= start)
    if end is not None:
        stmt = stmt.where(StockMovement.moved_at <= end)
    return stmt


def reference_page(
    session: Session, page: PageParams, *, start: datetime | None, end: datetime | None
) -> tuple[list[int], int]:
    """One page of reference ids, latest `moved_at` first, and how many there are in all."""
    matching = _transfer_movements(start, end)
    total = session.scalar(select(func.count(func.distinct(matching.subquery().c.reference_id)))) or 0
    latest = func.max(StockMovement.moved_at)
    stmt = (
        matching.group_by(StockMovement.reference_id)
        .order_by(latest.desc(), StockMovement.reference_id.desc())
        .limit(page.per_page)
        .offset(page.offset)
    )
    return list(session.scalars(stmt)), total


def movements_of(session: Session, reference_ids: Iterable[int]) -> dict[int, list[StockMovement]]:
    ids = list(reference_ids)
    if not ids:
        return {}
    stmt = (
        select(StockMovement)
        .where(StockMovement.movement_type == "transfer", StockMovement.reference_id.in_(ids))
        .order_by(StockMovement.id)
    )
    groups: dict[int, list[StockMovement]] = {ref: [] for ref in ids}
    for movement in session.scalars(stmt):
        groups[movement.reference_id].append(movement)
    return groups
