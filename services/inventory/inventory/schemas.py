"""The API objects of inventory.md §1 that several features return and the events carry."""

from __future__ import annotations

from pydantic import BaseModel


class MessageResponse(BaseModel):
    message: str


class WarehouseRead(BaseModel):
    id: int
    name: str
    code: str
    address: str | None
    contact_person: str | None
    contact_email: str | None
    contact_phone: str | None
    notes: str | None
    is_active: bool
    created_at: str
    updated_at: str
    created_by: int


class ItemRead(BaseModel):
    id: int
    sku: str
    name: str
    description: str | None
    category: str | None
    unit: str
    default_cost: float | None
    default_price: float | None
    currency_code: str
    barcode: str | None
    is_active: bool
    is_trackable: bool
    reorder_point: float | None
    reorder_quantity: float | None
    supplier: str | None
    supplier_sku: str | None
    image_url: str | None
    notes: str | None
    created_at: str
    updated_at: str
    created_by: int
    total_quantity_on_hand: float | None
    total_quantity_reserved: float | None
    total_quantity_available: float | None
    is_low_stock: bool


class StockRead(BaseModel):
    """A stock level row (§1.3)."""

    id: int
    warehouse_id: int
    stock_item_id: int
    quantity_on_hand: float
    quantity_reserved: float
    quantity_available: float
    location: str | None
    last_counted_at: str | None
    last_counted_by: int | None
    created_at: str
    updated_at: str


class MovementRead(BaseModel):
    id: int
    movement_type: str
    stock_item_id: int
    warehouse_id: int
    quantity: float
    reference_type: str | None
    reference_id: int | None
    unit_cost: float | None
    reason: str | None
    notes: str | None
    moved_by: int
    moved_at: str
