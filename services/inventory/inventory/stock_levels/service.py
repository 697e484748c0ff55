"""`GET /stock-levels` (inventory.md §3.7): every stock row, with its warehouse and item objects."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from inventory.items import service as items
from inventory.serializers import serialize_warehouse
from inventory.stock_levels import repository
from shared.inputs import as_number


def list_stock_levels(
    session: Session, *, warehouse_id: int | None, stock_item_id: int | None, category: str | None
) -> dict[str, Any]:
    rows = repository.stock_levels(session, warehouse_id=warehouse_id, stock_item_id=stock_item_id, category=category)
    distinct_items = list({item.id: item for _, _, item in rows}.values())
    item_data = {data["id"]: data for data in items.item_objects(session, distinct_items)}
    return {
        "stock_levels": [
            {
                "warehouse": serialize_warehouse(warehouse),
                "stock_item": item_data[item.id],
                "quantity_on_hand": as_number(stock.quantity_on_hand),
                "quantity_reserved": as_number(stock.quantity_reserved),
                "quantity_available": as_number(stock.quantity_on_hand - stock.quantity_reserved),
                "location": stock.location,
            }
            for stock, warehouse, item in rows
        ]
    }
