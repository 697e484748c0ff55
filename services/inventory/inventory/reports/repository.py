"""The reports' queries. None of them scans the ledger: valuation reads the stock rows'
lot aggregates, turnover the day buckets plus at most two partial days of movements, the
history pages through indexes on `moved_at`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, case, exists, func, select
from sqlalchemy.orm import Session

from inventory.ledger.rules import SOLD_TYPES
from inventory.models import StockItem, StockLot, StockMovement, TurnoverDay, Warehouse, WarehouseStock
from inventory.reports.turnover import Split, Sums
from shared.pagination import PageParams

# valuation ----------------------------------------------------------------------------------


def any_lots(session: Session) -> bool:
    return bool(session.scalar(select(exists().where(StockLot.id.is_not(None)))))


def valuation_rows(
    session: Session, *, lot_mode: bool, warehouse_id: int | None, category: str | None, currency: str | None
) -> list[tuple[StockItem, Warehouse, WarehouseStock]]:
    """Stock rows of active, trackable items that hold value: positive lots (lot mode) or
    positive on-hand (fallback), ordered by item then warehouse."""
    stmt = (
        select(StockItem, Warehouse, WarehouseStock)
        .join(StockItem, StockItem.id == WarehouseStock.stock_item_id)
        .join(Warehouse, Warehouse.id == WarehouseStock.warehouse_id)
        .where(StockItem.is_active.is_(True), StockItem.is_trackable.is_(True))
        .where(WarehouseStock.lot_quantity > 0 if lot_mode else WarehouseStock.quantity_on_hand > 0)
        .order_by(StockItem.id, Warehouse.id)
    )
    if warehouse_id is not None:
        stmt = stmt.where(WarehouseStock.warehouse_id == warehouse_id)
    if category is not None:
        stmt = stmt.where(StockItem.category == category)
    if currency is not None:
        stmt = stmt.where(StockItem.currency_code == currency)
    return list(session.execute(stmt).tuples())


# movement history ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HistoryFilters:
    start: datetime | None = None
    end: datetime | None = None
    stock_item_id: int | None = None
    warehouse_id: int | None = None
    movement_type: str | None = None


def _filtered(stmt: Select, filters: HistoryFilters) -> Select:
    if filters.start is not None:
        stmt = stmt.where(StockMovement.moved_at >= filters.start)
    if filters.end is not None:
        stmt = stmt.where(StockMovement.moved_at <= filters.end)
    if filters.stock_item_id is not None:
        stmt = stmt.where(StockMovement.stock_item_id == filters.stock_item_id)
    if filters.warehouse_id is not None:
        stmt = stmt.where(StockMovement.warehouse_id == filters.warehouse_id)
    if filters.movement_type is not None:
        stmt = stmt.where(StockMovement.movement_type == filters.movement_type)
    return stmt


def history(
    session: Session, filters: HistoryFilters, page: PageParams | None
) -> tuple[list[tuple[StockMovement, StockItem, Warehouse]], int]:
    """The matching movements, newest first (one page, or all), and how many match."""
    total = session.scalar(_filtered(select(func.count()).select_from(StockMovement), filters)) or 0
    stmt = _filtered(
        select(StockMovement, StockItem, Warehouse)
        .join(StockItem, StockItem.id == StockMovement.stock_item_id)
        .join(Warehouse, Warehouse.id == StockMovement.warehouse_id)
        .order_by(StockMovement.moved_at.desc(), StockMovement.id.desc()),
        filters,
    )
    if page is not None:
        stmt = stmt.limit(page.per_page).offset(page.offset)
    return list(session.execute(stmt).tuples()), total


# turnover -----------------------------------------------------------------------------------


def _items(stmt: Select, column, item_ids: Iterable[int] | None) -> Select:
    return stmt if item_ids is None else stmt.where(column.in_(list(item_ids)))


def _raw_sums(
    session: Session, start: datetime, end: datetime | None, item_ids: Iterable[int] | None
) -> dict[int, Sums]:
    sold = case((StockMovement.movement_type.in_(SOLD_TYPES), func.abs(StockMovement.quantity)), else_=0)
    sales = case((StockMovement.movement_type.in_(SOLD_TYPES), 1), else_=0)
    stmt = select(
        StockMovement.stock_item_id, func.sum(sold), func.sum(sales), func.sum(StockMovement.stock_change)
    ).where(StockMovement.moved_at >= start)
    if end is not None:
        stmt = stmt.where(StockMovement.moved_at < end)
    stmt = _items(stmt, StockMovement.stock_item_id, item_ids).group_by(StockMovement.stock_item_id)
    return {item: Sums(s, int(n), c) for item, s, n, c in session.execute(stmt)}


def _day_sums(session: Session, first: date, end: date | None, item_ids: Iterable[int] | None) -> dict[int, Sums]:
    stmt = select(
        TurnoverDay.stock_item_id,
        func.sum(TurnoverDay.quantity_sold),
        func.sum(TurnoverDay.sales),
        func.sum(TurnoverDay.stock_change),
    ).where(TurnoverDay.day >= first)
    if end is not None:
        stmt = stmt.where(TurnoverDay.day < end)
    stmt = _items(stmt, TurnoverDay.stock_item_id, item_ids).group_by(TurnoverDay.stock_item_id)
    return {item: Sums(s, int(n), c) for item, s, n, c in session.execute(stmt)}


def span_sums(session: Session, span: Split, item_ids: Iterable[int] | None = None) -> dict[int, Sums]:
    """Per item, what the movements of a split span add up to: whole days from the buckets,
    the edges from the ledger (through its `(stock_item_id, moved_at)` / `moved_at` indexes)."""
    ids = None if item_ids is None else list(item_ids)
    parts = [_raw_sums(session, a, b, ids) for a, b in span.edges]
    if span.first_day is not None:
        parts.append(_day_sums(session, span.first_day, span.end_day, ids))
    total: dict[int, Sums] = {}
    for part in parts:
        for item, sums in part.items():
            total[item] = total.get(item, Sums()) + sums
    return total


def changes_at(session: Session, moment: datetime, item_ids: Iterable[int]) -> dict[int, Sums]:
    """Movements at exactly `moment` (the start instant belongs to on_hand_at(start))."""
    stmt = (
        select(StockMovement.stock_item_id, func.sum(StockMovement.stock_change))
        .where(StockMovement.moved_at == moment, StockMovement.stock_item_id.in_(list(item_ids)))
        .group_by(StockMovement.stock_item_id)
    )
    return {item: Sums(change=c) for item, c in session.execute(stmt)}


def current_on_hand(session: Session, item_ids: Iterable[int]) -> dict[int, object]:
    stmt = (
        select(WarehouseStock.stock_item_id, func.sum(WarehouseStock.quantity_on_hand))
        .where(WarehouseStock.stock_item_id.in_(list(item_ids)))
        .group_by(WarehouseStock.stock_item_id)
    )
    return dict(session.execute(stmt).tuples().all())


def items_by_id(session: Session, item_ids: Iterable[int]) -> list[StockItem]:
    stmt = select(StockItem).where(StockItem.id.in_(list(item_ids))).order_by(StockItem.name, StockItem.id)
    return list(session.scalars(stmt))


# low stock ----------------------------------------------------------------------------------


def low_stock(session: Session, warehouse_id: int | None) -> list[tuple[StockItem, Warehouse, WarehouseStock]]:
    stmt = (
        select(StockItem, Warehouse, WarehouseStock)
        .join(StockItem, StockItem.id == WarehouseStock.stock_item_id)
        .join(Warehouse, Warehouse.id == WarehouseStock.warehouse_id)
        .where(
            StockItem.is_active.is_(True),
            StockItem.is_trackable.is_(True),
            StockItem.reorder_point.is_not(None),
            StockItem.reorder_point != 0,
            WarehouseStock.quantity_on_hand < StockItem.reorder_point,
        )
        .order_by(StockItem.name, StockItem.id, Warehouse.code, Warehouse.id)
    )
    if warehouse_id is not None:
        stmt = stmt.where(WarehouseStock.warehouse_id == warehouse_id)
    return list(session.execute(stmt).tuples())
