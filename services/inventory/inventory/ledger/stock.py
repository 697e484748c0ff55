"""Stock level rows and their locks. Every movement takes its (item, warehouse) row with
`SELECT … FOR UPDATE` after an `INSERT … ON CONFLICT DO NOTHING` get-or-create, so the first
movement of a pair cannot race another into a duplicate, and every check on the row happens
after the lock. The lock also guards that row's lots and valuation aggregate."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from inventory.models import WarehouseStock
from shared.db import utcnow


def lock_stock(session: Session, item_id: int, warehouse_id: int) -> WarehouseStock:
    """The (item, warehouse) stock row, created at 0 if missing, locked until the transaction ends."""
    now = utcnow()
    session.execute(
        insert(WarehouseStock)
        .values(stock_item_id=item_id, warehouse_id=warehouse_id, created_at=now, updated_at=now)
        .on_conflict_do_nothing(index_elements=[WarehouseStock.warehouse_id, WarehouseStock.stock_item_id])
    )
    stmt = (
        select(WarehouseStock)
        .where(WarehouseStock.stock_item_id == item_id, WarehouseStock.warehouse_id == warehouse_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return session.execute(stmt).scalar_one()


def lock_pair(
    session: Session, item_id: int, source_id: int, destination_id: int
) -> tuple[WarehouseStock, WarehouseStock]:
    """Both rows of a transfer, always locked lower warehouse id first: two transfers between
    the same warehouses in opposite directions wait for each other instead of deadlocking."""
    first, second = sorted((source_id, destination_id))
    locked = {first: lock_stock(session, item_id, first), second: lock_stock(session, item_id, second)}
    return locked[source_id], locked[destination_id]
