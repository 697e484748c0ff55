"""Stock item queries: the list, SKU uniqueness, stock totals per item, availability rows."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from inventory.models import StockItem, Warehouse, WarehouseStock
from inventory.serializers import ItemTotals
from shared.db import contains_any


def list_statement(*, search: str | None, category: str | None, active_only: bool) -> Select:
    stmt = select(StockItem).order_by(StockItem.name, StockItem.id)
    if search:
        stmt = stmt.where(contains_any(search, StockItem.sku, StockItem.name, StockItem.barcode))
    if category is not None:
        stmt = stmt.where(StockItem.category == category)
    if active_only:
        stmt = stmt.where(StockItem.is_active.is_(True))
    return stmt


def sku_taken(session: Session, sku: str) -> bool:
    return session.scalar(select(StockItem.id).where(StockItem.sku == sku).limit(1)) is not None


def totals(session: Session, item_ids: Iterable[int]) -> dict[int, ItemTotals]:
    """On-hand and reserved over every warehouse, and whether any warehouse is below the
    item's reorder point, for each item that has stock rows."""
    ids = set(item_ids)
    if not ids:
        return {}
    stmt = (
        select(
            WarehouseStock.stock_item_id,
            func.sum(WarehouseStock.quantity_on_hand),
            func.sum(WarehouseStock.quantity_reserved),
            func.bool_or(WarehouseStock.quantity_on_hand < StockItem.reorder_point),
        )
        .join(StockItem, StockItem.id == WarehouseStock.stock_item_id)
        .where(WarehouseStock.stock_item_id.in_(ids))
        .group_by(WarehouseStock.stock_item_id)
    )
    return {
        item_id: ItemTotals(on_hand=on_hand, reserved=reserved, below_reorder_point=bool(low))
        for item_id, on_hand, reserved, low in session.execute(stmt)
    }


def availability(session: Session, item_id: int, warehouse_id: int | None) -> list[tuple[WarehouseStock, Warehouse]]:
    stmt = (
        select(WarehouseStock, Warehouse)
        .join(Warehouse, Warehouse.id == WarehouseStock.warehouse_id)
        .where(WarehouseStock.stock_item_id == item_id)
        .order_by(Warehouse.code, Warehouse.id)
    )
    if warehouse_id is not None:
        stmt = stmt.where(WarehouseStock.warehouse_id == warehouse_id)
    return list(session.execute(stmt).tuples())
