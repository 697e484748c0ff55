"""The API objects of inventory.md §1 (also the event payloads): numbers as JSON numbers,
instants in UTC with `Z`, and upstream's `0 → null` rules."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from inventory.models import StockItem, StockMovement, Warehouse, WarehouseStock
from shared.inputs import as_number
from shared.timefmt import iso_utc

ZERO = Decimal("0")


def shown(value: Decimal | None) -> float | None:
    """`0` → null (§1.2, §1.4: upstream's truthiness)."""
    return as_number(value) if value else None


@dataclass(frozen=True, slots=True)
class ItemTotals:
    """An item's stock over every warehouse: on-hand and reserved sums, and whether some
    warehouse's on-hand is below the item's reorder point."""

    on_hand: Decimal = ZERO
    reserved: Decimal = ZERO
    below_reorder_point: bool = False


def serialize_warehouse(warehouse: Warehouse) -> dict[str, Any]:
    return {
        "id": warehouse.id,
        "name": warehouse.name,
        "code": warehouse.code,
        "address": warehouse.address,
        "contact_person": warehouse.contact_person,
        "contact_email": warehouse.contact_email,
        "contact_phone": warehouse.contact_phone,
        "notes": warehouse.notes,
        "is_active": warehouse.is_active,
        "created_at": iso_utc(warehouse.created_at),
        "updated_at": iso_utc(warehouse.updated_at),
        "created_by": warehouse.created_by,
    }


def serialize_item(item: StockItem, totals: ItemTotals) -> dict[str, Any]:
    """Totals are null for non-trackable items and when they are 0 (upstream truthiness)."""
    trackable = item.is_trackable
    return {
        "id": item.id,
        "sku": item.sku,
        "name": item.name,
        "description": item.description,
        "category": item.category,
        "unit": item.unit,
        "default_cost": shown(item.default_cost),
        "default_price": shown(item.default_price),
        "currency_code": item.currency_code,
        "barcode": item.barcode,
        "is_active": item.is_active,
        "is_trackable": trackable,
        "reorder_point": shown(item.reorder_point),
        "reorder_quantity": shown(item.reorder_quantity),
        "supplier": item.supplier,
        "supplier_sku": item.supplier_sku,
        "image_url": item.image_url,
        "notes": item.notes,
        "created_at": iso_utc(item.created_at),
        "updated_at": iso_utc(item.updated_at),
        "created_by": item.created_by,
        "total_quantity_on_hand": shown(totals.on_hand) if trackable else None,
        "total_quantity_reserved": shown(totals.reserved) if trackable else None,
        "total_quantity_available": shown(totals.on_hand - totals.reserved) if trackable else None,
        "is_low_stock": bool(trackable and item.reorder_point and totals.below_reorder_point),
    }


def serialize_stock(stock: WarehouseStock) -> dict[str, Any]:
    return {
        "id": stock.id,
        "warehouse_id": stock.warehouse_id,
        "stock_item_id": stock.stock_item_id,
        "quantity_on_hand": as_number(stock.quantity_on_hand),
        "quantity_reserved": as_number(stock.quantity_reserved),
        "quantity_available": as_number(stock.quantity_on_hand - stock.quantity_reserved),
        "location": stock.location,
        "last_counted_at": iso_utc(stock.last_counted_at),
        "last_counted_by": stock.last_counted_by,
        "created_at": iso_utc(stock.created_at),
        "updated_at": iso_utc(stock.updated_at),
    }


def serialize_movement(movement: StockMovement) -> dict[str, Any]:
    return {
        "id": movement.id,
        "movement_type": movement.movement_type,
        "stock_item_id": movement.stock_item_id,
        "warehouse_id": movement.warehouse_id,
        "quantity": as_number(movement.quantity),
        "reference_type": movement.reference_type,
        "reference_id": movement.reference_id,
        "unit_cost": shown(movement.unit_cost),
        "reason": movement.reason,
        "notes": movement.notes,
        "moved_by": movement.moved_by,
        "moved_at": iso_utc(movement.moved_at),
    }
