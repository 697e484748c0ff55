"""Cost layers ("lots", inventory.md §1.5) of one item in one warehouse, and the valuation
aggregate on its stock row (Σ positive lot quantity and value), kept in step with every lot
change. Callers hold the stock row's lock (`ledger.stock`), which guards these lots too."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import exists, select, tuple_
from sqlalchemy.orm import Session

from inventory.errors import InsufficientLotsError
from inventory.ledger.rules import ZERO, plan_fifo, positive
from inventory.models import StockItem, StockLot, WarehouseStock

# Lots read per round trip while consuming oldest first.
FIFO_BATCH = 50


@dataclass(frozen=True, slots=True)
class Layer:
    """Goods taken from (or given to) a lot: what a transfer's inbound half re-creates."""

    quantity: Decimal
    unit_cost: Decimal
    lot_type: str
    created_at: datetime


def _set_quantity(stock: WarehouseStock, lot: StockLot, quantity: Decimal) -> None:
    delta = positive(quantity) - positive(lot.quantity)
    stock.lot_quantity += delta
    stock.lot_value += delta * lot.unit_cost
    lot.quantity = quantity


def add_lot(
    session: Session,
    stock: WarehouseStock,
    *,
    quantity: Decimal,
    unit_cost: Decimal,
    lot_type: str,
    created_at: datetime,
    source_movement_id: int | None,
) -> StockLot:
    lot = StockLot(
        stock_item_id=stock.stock_item_id,
        warehouse_id=stock.warehouse_id,
        lot_type=lot_type,
        unit_cost=unit_cost,
        quantity=ZERO,
        source_movement_id=source_movement_id,
        created_at=created_at,
    )
    _set_quantity(stock, lot, quantity)
    session.add(lot)
    return lot


def _has_lots(session: Session, stock: WarehouseStock) -> bool:
    return bool(
        session.scalar(
            select(
                exists().where(
                    StockLot.stock_item_id == stock.stock_item_id, StockLot.warehouse_id == stock.warehouse_id
                )
            )
        )
    )


def ensure_opening_lot(session: Session, stock: WarehouseStock, item: StockItem) -> None:
    """Stock on hand but no lots yet: one `normal` lot holds it at the default cost, oldest of all."""
    if stock.quantity_on_hand > 0 and not _has_lots(session, stock):
        add_lot(
            session,
            stock,
            quantity=stock.quantity_on_hand,
            unit_cost=item.default_cost or ZERO,
            lot_type="normal",
            created_at=stock.created_at,
            source_movement_id=None,
        )
        session.flush()


def _positive_lots(session: Session, stock: WarehouseStock) -> Iterator[tuple[StockLot, Decimal]]:
    """Lots with something to take, oldest first (creation time, then id), read in batches."""
    after: tuple[datetime, int] | None = None
    while True:
        stmt = select(StockLot).where(
            StockLot.stock_item_id == stock.stock_item_id,
            StockLot.warehouse_id == stock.warehouse_id,
            StockLot.quantity > 0,
        )
        if after is not None:
            stmt = stmt.where(tuple_(StockLot.created_at, StockLot.id) > tuple_(*after))
        batch = list(session.scalars(stmt.order_by(StockLot.created_at, StockLot.id).limit(FIFO_BATCH)))
        for lot in batch:
            yield lot, lot.quantity
        if len(batch) < FIFO_BATCH:
            return
        after = (batch[-1].created_at, batch[-1].id)


def _newest_lot(session: Session, stock: WarehouseStock) -> StockLot | None:
    stmt = (
        select(StockLot)
        .where(StockLot.stock_item_id == stock.stock_item_id, StockLot.warehouse_id == stock.warehouse_id)
        .order_by(StockLot.created_at.desc(), StockLot.id.desc())
        .limit(1)
    )
    return session.scalar(stmt)


def take(
    session: Session, stock: WarehouseStock, item: StockItem, amount: Decimal, *, allow_negative: bool = False
) -> list[Layer]:
    """Consume `amount` from the lots, oldest first. What they cannot cover fails
    (`InsufficientLotsError`) unless `allow_negative` (adjustments): then the newest lot — or a
    new `normal` one at the default cost — goes negative by the rest."""
    plan = plan_fifo(_positive_lots(session, stock), amount)
    layers = []
    for lot, quantity in plan.takes:
        _set_quantity(stock, lot, lot.quantity - quantity)
        layers.append(Layer(quantity, lot.unit_cost, lot.lot_type, lot.created_at))
    if plan.remaining > 0:
        if not allow_negative:
            raise InsufficientLotsError()
        session.flush()
        lot = _newest_lot(session, stock)
        if lot is None:
            lot = add_lot(
                session,
                stock,
                quantity=ZERO,
                unit_cost=item.default_cost or ZERO,
                lot_type="normal",
                created_at=stock.created_at,
                source_movement_id=None,
            )
        _set_quantity(stock, lot, lot.quantity - plan.remaining)
        layers.append(Layer(plan.remaining, lot.unit_cost, lot.lot_type, lot.created_at))
    session.flush()
    return layers


def take_from(session: Session, stock: WarehouseStock, lot: StockLot, amount: Decimal) -> list[Layer]:
    """Consume `amount` from one given lot (a waste's own devalued lot, §4 step 3)."""
    _set_quantity(stock, lot, lot.quantity - amount)
    session.flush()
    return [Layer(amount, lot.unit_cost, lot.lot_type, lot.created_at)]


def devalue(
    session: Session,
    stock: WarehouseStock,
    item: StockItem,
    amount: Decimal,
    *,
    unit_cost: Decimal,
    at: datetime,
    source_movement_id: int | None,
) -> StockLot:
    """Move `amount` out of the oldest lots into one new `devalued` lot at `unit_cost`; the
    physical stock does not change."""
    take(session, stock, item, amount)
    lot = add_lot(
        session,
        stock,
        quantity=amount,
        unit_cost=unit_cost,
        lot_type="devalued",
        created_at=at,
        source_movement_id=source_movement_id,
    )
    session.flush()
    return lot


def copy_layers(
    session: Session, stock: WarehouseStock, layers: list[Layer], *, source_movement_id: int
) -> list[StockLot]:
    """A transfer's inbound half: the consumed layers again, same costs, types and age."""
    lots = [
        add_lot(
            session,
            stock,
            quantity=layer.quantity,
            unit_cost=layer.unit_cost,
            lot_type=layer.lot_type,
            created_at=layer.created_at,
            source_movement_id=source_movement_id,
        )
        for layer in layers
    ]
    session.flush()
    return lots
