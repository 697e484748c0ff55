"""Stock item use cases (inventory.md §3.1–§3.6), and what sibling features use: the item
lookup and the item object with its stock totals."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from inventory import events
from inventory.errors import DuplicateEntryError, StockItemNotFoundError
from inventory.inputs import invalid, required
from inventory.items import repository
from inventory.items.schemas import ItemCreate, ItemFields, ItemUpdate
from inventory.models import StockItem
from inventory.serializers import ItemTotals, serialize_item
from shared.identity import Identity
from shared.inputs import as_number
from shared.pagination import PageParams, paginate

DEFAULT_UNIT = "pcs"
DEFAULT_CURRENCY = "EUR"
# Columns that cannot hold null: a null leaves them unchanged (booleans, currency), falls back
# to the default (unit), or is refused (name).
KEEP_ON_NULL = frozenset({"is_active", "is_trackable", "currency_code"})


def item_or_404(session: Session, item_id: int, *, lock: bool = False) -> StockItem:
    item = session.get(StockItem, item_id, with_for_update=lock)
    if item is None:
        raise StockItemNotFoundError(item_id)
    return item


def item_objects(session: Session, items: Sequence[StockItem]) -> list[dict[str, Any]]:
    """The §1.2 objects, stock totals included (one query for all of them)."""
    totals = repository.totals(session, (item.id for item in items))
    return [serialize_item(item, totals.get(item.id, ItemTotals())) for item in items]


def item_object(session: Session, item: StockItem) -> dict[str, Any]:
    return item_objects(session, [item])[0]


def list_items(
    session: Session, page: PageParams, *, search: str | None, category: str | None, active_only: bool
) -> dict[str, Any]:
    stmt = repository.list_statement(search=search, category=category, active_only=active_only)
    items, pagination = paginate(session, stmt, page)
    return {"items": item_objects(session, items), "pagination": pagination}


def get_item(session: Session, item_id: int) -> dict[str, Any]:
    return {"item": item_object(session, item_or_404(session, item_id))}


def _duplicate(sku: str) -> DuplicateEntryError:
    return DuplicateEntryError(f"A stock item with SKU '{sku}' already exists")


def _apply(item: StockItem, body: ItemFields, fields: set[str]) -> None:
    for field in fields:
        value = getattr(body, field)
        if value is None:
            if field in KEEP_ON_NULL:
                continue
            if field == "name":
                raise invalid("name", "name must not be empty")
            if field == "unit":
                value = DEFAULT_UNIT
        setattr(item, field, value)


def create_item(session: Session, body: ItemCreate, *, actor: Identity) -> dict[str, Any]:
    required({"sku": body.sku, "name": body.name})
    if repository.sku_taken(session, body.sku):
        raise _duplicate(body.sku)
    item = StockItem(
        sku=body.sku,
        created_by=actor.user_id,
        unit=DEFAULT_UNIT,
        currency_code=DEFAULT_CURRENCY,
        is_active=True,
        is_trackable=True,
    )
    _apply(item, body, body.model_fields_set - {"sku"})
    session.add(item)
    try:  # a concurrent create of the same SKU loses at the unique index: same answer
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise _duplicate(body.sku) from exc
    data = serialize_item(item, ItemTotals())
    events.emit(session, "stock_item", "created", entity_id=item.id, data=data, actor=actor)
    return {"message": "Stock item created successfully", "item": data}


def update_item(session: Session, item_id: int, body: ItemUpdate, *, actor: Identity) -> dict[str, Any]:
    item = item_or_404(session, item_id, lock=True)
    _apply(item, body, body.model_fields_set)
    session.flush()
    data = item_object(session, item)
    events.emit(session, "stock_item", "updated", entity_id=item.id, data=data, actor=actor)
    return {"message": "Stock item updated successfully", "item": data}


def deactivate_item(session: Session, item_id: int, *, actor: Identity) -> dict[str, Any]:
    """Soft delete: `is_active = false` (an `updated` event)."""
    item = item_or_404(session, item_id, lock=True)
    item.is_active = False
    session.flush()
    events.emit(session, "stock_item", "updated", entity_id=item.id, data=item_object(session, item), actor=actor)
    return {"message": "Stock item deactivated successfully"}


def get_availability(session: Session, item_id: int, *, warehouse_id: int | None) -> dict[str, Any]:
    item = item_or_404(session, item_id)
    rows = repository.availability(session, item.id, warehouse_id)
    return {
        "item_id": item.id,
        "item_sku": item.sku,
        "item_name": item.name,
        "availability": [
            {
                "warehouse_id": warehouse.id,
                "warehouse_code": warehouse.code,
                "warehouse_name": warehouse.name,
                "quantity_on_hand": as_number(stock.quantity_on_hand),
                "quantity_reserved": as_number(stock.quantity_reserved),
                "quantity_available": as_number(stock.quantity_on_hand - stock.quantity_reserved),
                "location": stock.location,
            }
            for stock, warehouse in rows
        ],
    }
