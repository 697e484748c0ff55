"""The stock-level rows with their warehouse and item."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory.models import StockItem, Warehouse, WarehouseStock


def stock_levels(
    session: Session, *, warehouse_id: int | None, stock_item_id: int | None, category: str | None
) -> list[tuple[WarehouseStock, Warehouse, StockItem]]:
    stmt = (
        select(WarehouseStock, Warehouse, StockItem)
        .join(Warehouse, Warehouse.id == WarehouseStock.warehouse_id)
        .join(StockItem, StockItem.id == WarehouseStock.stock_item_id)
        .order_by(Warehouse.code, StockItem.name, WarehouseStock.id)
    )
    if warehouse_id is not None:
        stmt = stmt.where(WarehouseStock.warehouse_id == warehouse_id)
    if stock_item_id is not None:
        stmt = stmt.where(WarehouseStock.stock_item_id == stock_item_id)
    if category is not None:
        stmt = stmt.where(StockItem.category == category)
    return list(session.execute(stmt).tuples())
