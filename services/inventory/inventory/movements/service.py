"""`POST /movements` (inventory.md §4): the checks in the spec's order, then one posting to
the ledger and one `movement.recorded` event, atomically."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from inventory import events, ledger
from inventory.inputs import invalid, parse_id, parse_quantity, required
from inventory.items import service as items
from inventory.models import StockItem
from inventory.movements import rules
from inventory.movements.schemas import MovementCreate
from inventory.serializers import serialize_movement, serialize_stock
from inventory.warehouses import service as warehouses
from shared.identity import Identity

REQUIRED_MESSAGE = "stock_item_id, warehouse_id and quantity are required"
RECORDED = "Stock movement recorded successfully"
DEVALUED = "{kind} movement recorded successfully with devaluation applied"


def _new_cost(item: StockItem, body: MovementCreate) -> Decimal:
    return rules.devalued_cost(
        item.default_cost, method=body.devalue_method, percent=body.devalue_percent, unit_cost=body.devalue_unit_cost
    )


def _emit(session: Session, posted: ledger.Posted, actor: Identity) -> dict[str, Any]:
    data = {
        "movement": serialize_movement(posted.movement),
        "updated_stock": None if posted.stock is None else serialize_stock(posted.stock),
    }
    events.emit(session, "movement", "recorded", entity_id=posted.movement.id, data=data, actor=actor)
    return data


def record_movement(
    session: Session, body: MovementCreate, *, actor: Identity, moved_at: datetime | None = None
) -> dict[str, Any]:
    """`moved_at` is for tests writing history at a chosen instant; requests post at now."""
    required(
        {"stock_item_id": body.stock_item_id, "warehouse_id": body.warehouse_id, "quantity": body.quantity},
        REQUIRED_MESSAGE,
    )
    item_id = parse_id("stock_item_id", body.stock_item_id)
    warehouse_id = parse_id("warehouse_id", body.warehouse_id)
    quantity = parse_quantity(body.quantity)
    kind = rules.movement_type(body.movement_type)
    item = items.item_or_404(session, item_id)
    warehouses.warehouse_or_404(session, warehouse_id)
    entry = ledger.Entry(
        moved_by=actor.user_id,
        unit_cost=body.unit_cost,
        reference_type=body.reference_type,
        reference_id=body.reference_id,
        reason=body.reason,
        notes=body.notes,
        moved_at=moved_at,
    )
    if kind == "devaluation":
        rules.check_devaluable(is_trackable=item.is_trackable, default_cost=item.default_cost, what="A devaluation")
        if quantity <= 0:
            raise invalid("quantity", "A devaluation needs a positive quantity")
        cost = _new_cost(item, body)
        entry = replace(entry, unit_cost=cost)
        posted = ledger.post_devaluation(session, item, warehouse_id, quantity, entry, unit_cost=cost)
        _emit(session, posted, actor)
        return {"message": "Stock devaluation recorded successfully"}
    rules.check_direction(kind, quantity)
    devalued = None
    if body.devalue_enabled and kind in rules.DEVALUABLE_TYPES:
        rules.check_devaluable(is_trackable=item.is_trackable, default_cost=item.default_cost, what="Devaluation")
        devalued = _new_cost(item, body)
        rules.check_not_above_default(devalued, item.default_cost)
        entry = replace(entry, unit_cost=devalued or None)
    posted = ledger.post_movement(session, item, warehouse_id, kind, quantity, entry, devalued_cost=devalued)
    data = _emit(session, posted, actor)
    message = RECORDED if devalued is None else DEVALUED.format(kind=kind.capitalize())
    return {"message": message, **data}
