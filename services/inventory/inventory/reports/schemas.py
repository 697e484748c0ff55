"""Wire shapes of the four inventory reports (inventory.md §6)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class WarehouseValue(BaseModel):
    warehouse_id: int
    warehouse_name: str
    warehouse_code: str
    value: float
    currency: str


class CategoryValue(BaseModel):
    category: str
    value: float
    currency: str


class ValuationDetail(BaseModel):
    item_id: int
    sku: str
    name: str
    category: str | None
    warehouse_id: int
    warehouse_name: str
    quantity: float
    cost: float
    value: float
    currency: str


class ValuationReport(BaseModel):
    total_value: float
    by_warehouse: dict[str, WarehouseValue]
    by_category: dict[str, CategoryValue]
    item_details: list[ValuationDetail]
    currency: str
    warehouse_id: int | None
    category: str | None


class HistoryRow(BaseModel):
    id: int
    date: str
    item_id: int
    item_sku: str
    item_name: str
    warehouse_id: int
    warehouse_name: str
    quantity: float
    type: str
    reference: str | None
    notes: str | None


class MovementHistory(BaseModel):
    """`pagination` only when both `page` and `per_page` were given."""

    movements: list[HistoryRow]
    total_movements: int
    pagination: dict[str, Any] | None = None


class TurnoverRow(BaseModel):
    item_id: int
    sku: str
    name: str
    quantity_sold: float
    avg_stock: float
    turnover_rate: float
    days_on_hand: float


class TurnoverReport(BaseModel):
    start_date: str
    end_date: str
    items: list[TurnoverRow]


class LowStockRow(BaseModel):
    item_id: int
    item_sku: str
    item_name: str
    warehouse_id: int
    warehouse_code: str
    warehouse_name: str
    quantity_on_hand: float
    reorder_point: float
    reorder_quantity: float
    shortfall: float


class LowStockReport(BaseModel):
    items: list[LowStockRow]
