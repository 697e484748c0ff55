"""Wire shape of the stock-level list (inventory.md §3.7)."""

from __future__ import annotations

from pydantic import BaseModel

from inventory.schemas import ItemRead, WarehouseRead


class StockLevelRead(BaseModel):
    warehouse: WarehouseRead
    stock_item: ItemRead
    quantity_on_hand: float
    quantity_reserved: float
    quantity_available: float
    location: str | None


class StockLevelList(BaseModel):
    stock_levels: list[StockLevelRead]
