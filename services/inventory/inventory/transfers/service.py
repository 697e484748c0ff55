"""Transfer use cases (inventory.md §5): create a pair atomically, list pairs, get one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from inventory import events, ledger
from inventory.errors import TransferNotFoundError
from inventory.inputs import BIGINT_MAX, invalid, parse_id, parse_quantity, required
from inventory.items import service as items
from inventory.serializers import serialize_movement
from inventory.transfers import repository
from inventory.transfers.schemas import TransferCreate
from inventory.transfers.serializers import Pair, serialize_listed, serialize_transfer
from inventory.warehouses import service as warehouses
from shared.identity import Identity
from shared.pagination import PageParams, pagination_object


def create_transfer(
    session: Session, body: TransferCreate, *, actor: Identity, moved_at: datetime | None = None
) -> dict[str, Any]:
    """Checks in §5.1's order; `moved_at` is for tests writing history at a chosen instant."""
    required(
        {
            "stock_item_id": body.stock_item_id,
            "from_warehouse_id": body.from_warehouse_id,
            "to_warehouse_id": body.to_warehouse_id,
            "quantity": body.quantity,
        }
    )
    item_id = parse_id("stock_item_id", body.stock_item_id)
    source_id = parse_id("from_warehouse_id", body.from_warehouse_id)
    destination_id = parse_id("to_warehouse_id", body.to_warehouse_id)
    quantity = parse_quantity(body.quantity)
    if quantity <= 0:
        raise invalid("quantity", "quantity must be positive")
    if source_id == destination_id:
        raise invalid("to_warehouse_id", "Source and destination warehouses must be different")
    item = items.item_or_404(session, item_id)
    source = warehouses.warehouse_or_404(session, source_id)
    destination = warehouses.warehouse_or_404(session, destination_id)
    reference_id = repository.next_reference_id(session)
    entry = ledger.Entry(
        moved_by=actor.user_id,
        reference_type="transfer",
        reference_id=reference_id,
        reason=f"Transfer from {source.code} to {destination.code}",
        notes=body.notes,
        moved_at=moved_at,
    )
    out, into = ledger.post_transfer(session, item, source_id, destination_id, quantity, entry)
    pair = Pair(out.movement, into.movement)
    events.emit(session, "transfer", "completed", entity_id=reference_id, data=serialize_transfer(pair), actor=actor)
    return {
        "message": "Stock transfer completed successfully",
        "reference_id": reference_id,
        "transfers": [
            {"movement_id": leg.movement.id, "movement": serialize_movement(leg.movement)} for leg in (out, into)
        ],
    }


def list_transfers(
    session: Session, page: PageParams, *, start: datetime | None, end: datetime | None
) -> dict[str, Any]:
    """Paginated over reference ids; a group that is not a pair is left off the page but counted."""
    references, total = repository.reference_page(session, page, start=start, end=end)
    groups = repository.movements_of(session, references)
    pairs = (Pair.of(groups[ref]) for ref in references)
    return {
        "transfers": [serialize_listed(pair) for pair in pairs if pair is not None],
        "pagination": pagination_object(page, total),
    }


def get_transfer(session: Session, reference_id: int) -> dict[str, Any]:
    pair = None
    if reference_id <= BIGINT_MAX:
        pair = Pair.of(repository.movements_of(session, [reference_id])[reference_id])
    if pair is None:
        raise TransferNotFoundError(reference_id)
    return {"transfer": serialize_transfer(pair)}
