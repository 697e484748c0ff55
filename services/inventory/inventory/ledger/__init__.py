"""The stock ledger: the one path by which a movement changes stock (inventory.md §1.3–§1.5,
§4 step 4–5, §5.1 effect). Each posting locks its stock row(s), checks availability under the
lock, applies the on-hand change, the cost layers and the valuation aggregate, writes the
movement and its turnover bucket — all in the caller's transaction. Input rules and messages
are the features'; what makes stock consistent is here, once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from inventory.errors import InsufficientStockError
from inventory.ledger import history, lots
from inventory.ledger.lots import Layer
from inventory.ledger.rules import ZERO, applied_change
from inventory.ledger.stock import lock_pair, lock_stock
from inventory.models import StockItem, StockMovement, WarehouseStock
from shared.db import utcnow

__all__ = ["Entry", "Posted", "post_devaluation", "post_movement", "post_transfer"]


@dataclass(frozen=True, slots=True)
class Entry:
    """What a movement records besides its type, item, warehouse and quantity."""

    moved_by: int
    unit_cost: Decimal | None = None
    reference_type: str | None = None
    reference_id: int | None = None
    reason: str | None = None
    notes: str | None = None
    # Set by tests writing history at chosen instants; requests always post at "now".
    moved_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Posted:
    movement: StockMovement
    stock: WarehouseStock | None  # None for non-trackable items
    layers: list[Layer] = field(default_factory=list)  # the cost layers an outbound movement took


def _insert(
    session: Session,
    item: StockItem,
    warehouse_id: int,
    movement_type: str,
    quantity: Decimal,
    entry: Entry,
    *,
    moved_at: datetime,
    stock_change: Decimal = ZERO,
) -> StockMovement:
    movement = StockMovement(
        movement_type=movement_type,
        stock_item_id=item.id,
        warehouse_id=warehouse_id,
        quantity=quantity,
        reference_type=entry.reference_type,
        reference_id=entry.reference_id,
        unit_cost=entry.unit_cost,
        reason=entry.reason,
        notes=entry.notes,
        moved_by=entry.moved_by,
        moved_at=moved_at,
        stock_change=stock_change,
    )
    session.add(movement)
    session.flush()
    return movement


def _require_on_hand(stock: WarehouseStock, requested: Decimal) -> None:
    if stock.quantity_on_hand < requested:
        raise InsufficientStockError.short(available=stock.quantity_on_hand, requested=requested)


def post_movement(
    session: Session,
    item: StockItem,
    warehouse_id: int,
    movement_type: str,
    quantity: Decimal,
    entry: Entry,
    *,
    devalued_cost: Decimal | None = None,
) -> Posted:
    """Record one movement. Outbound movements other than adjustments need the on-hand
    (`insufficient_stock`) and, except rent, lots to cover them. `devalued_cost` (return and
    waste with devaluation): a return's lot is `devalued` at that cost; a waste first devalues
    what it removes, then consumes that devalued lot. Non-trackable items: recorded only."""
    moved_at = entry.moved_at or utcnow()
    if not item.is_trackable:
        movement = _insert(session, item, warehouse_id, movement_type, quantity, entry, moved_at=moved_at)
        history.add_to_day(
            session, item_id=item.id, moved_at=moved_at, sold=history.sold_quantity(movement_type, quantity),
            stock_change=ZERO,
        )  # fmt: skip
        return Posted(movement, None)
    stock = lock_stock(session, item.id, warehouse_id)
    outbound = quantity < 0
    if outbound and movement_type != "adjustment":
        _require_on_hand(stock, -quantity)
    if outbound and movement_type != "rent":
        lots.ensure_opening_lot(session, stock, item)
    change = applied_change(stock.quantity_on_hand, quantity)
    stock.quantity_on_hand += change
    movement = _insert(
        session, item, warehouse_id, movement_type, quantity, entry, moved_at=moved_at, stock_change=change
    )
    layers: list[Layer] = []
    if quantity > 0:
        lots.add_lot(
            session,
            stock,
            quantity=quantity,
            unit_cost=devalued_cost if devalued_cost is not None else entry.unit_cost or item.default_cost or ZERO,
            lot_type="normal" if devalued_cost is None else "devalued",
            created_at=moved_at,
            source_movement_id=movement.id,
        )
    elif outbound and movement_type != "rent":  # rent: the goods leave, their value stays on the books
        if devalued_cost is not None:
            lot = lots.devalue(
                session, stock, item, -quantity, unit_cost=devalued_cost, at=moved_at, source_movement_id=movement.id
            )
            layers = lots.take_from(session, stock, lot, -quantity)
        else:
            layers = lots.take(session, stock, item, -quantity, allow_negative=movement_type == "adjustment")
    session.flush()
    history.add_to_day(
        session, item_id=item.id, moved_at=moved_at, sold=history.sold_quantity(movement_type, quantity),
        stock_change=change,
    )  # fmt: skip
    return Posted(movement, stock, layers)


def post_devaluation(
    session: Session, item: StockItem, warehouse_id: int, quantity: Decimal, entry: Entry, *, unit_cost: Decimal
) -> Posted:
    """§4 step 2: re-layer `quantity` out of the oldest lots into a `devalued` lot at
    `unit_cost`; the movement records quantity 0 and the new cost. Trackable items only."""
    moved_at = entry.moved_at or utcnow()
    stock = lock_stock(session, item.id, warehouse_id)
    _require_on_hand(stock, quantity)
    lots.ensure_opening_lot(session, stock, item)
    movement = _insert(session, item, warehouse_id, "devaluation", ZERO, entry, moved_at=moved_at)
    lots.devalue(session, stock, item, quantity, unit_cost=unit_cost, at=moved_at, source_movement_id=movement.id)
    return Posted(movement, stock)


def post_transfer(
    session: Session,
    item: StockItem,
    source_id: int,
    destination_id: int,
    quantity: Decimal,
    entry: Entry,
) -> tuple[Posted, Posted]:
    """A transfer's pair, out first: both rows locked lower warehouse id first, the source's
    available quantity (on-hand − reserved) checked under the lock, the consumed cost layers
    re-created in the destination with their age. Non-trackable items: the pair is recorded only."""
    moved_at = entry.moved_at or utcnow()
    if not item.is_trackable:
        out = _insert(session, item, source_id, "transfer", -quantity, entry, moved_at=moved_at)
        into = _insert(session, item, destination_id, "transfer", quantity, entry, moved_at=moved_at)
        return Posted(out, None), Posted(into, None)
    source, destination = lock_pair(session, item.id, source_id, destination_id)
    available = source.quantity_on_hand - source.quantity_reserved
    if available < quantity:
        raise InsufficientStockError.short(available=available, requested=quantity, where="in the source warehouse")
    lots.ensure_opening_lot(session, source, item)
    source.quantity_on_hand -= quantity
    destination.quantity_on_hand += quantity
    out = _insert(session, item, source_id, "transfer", -quantity, entry, moved_at=moved_at, stock_change=-quantity)
    layers = lots.take(session, source, item, quantity)
    into = _insert(session, item, destination_id, "transfer", quantity, entry, moved_at=moved_at, stock_change=quantity)
    lots.copy_layers(session, destination, layers, source_movement_id=into.id)
    session.flush()
    # The pair nets to zero on the item's day: no bucket write (history.add_to_day skips it).
    return Posted(out, source, layers), Posted(into, destination)
