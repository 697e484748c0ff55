"""Real concurrency on real PostgreSQL: each worker commits its own transaction, as requests
do. Concurrent transfers draining one stock level never oversell, and concurrent first
movements of a pair create one stock row. These tests commit, so they clean up after
themselves instead of rolling back."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from inventory.models import StockItem, StockLot, StockMovement, Warehouse, WarehouseStock, outbox
from inventory.movements import service as movements
from inventory.movements.schemas import MovementCreate
from inventory.transfers import service as transfers
from inventory.transfers.schemas import TransferCreate
from shared.errors import ApiError
from shared.events.outbox import session_info
from shared.identity import Identity

ACTOR = Identity(user_id=1, scopes=("write:inventory",))
TABLES = "turnover_days, stock_lots, stock_movements, warehouse_stock, stock_items, warehouses, outbox"


@pytest.fixture
def sessions(engine):
    def wipe() -> None:
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE"))

    wipe()
    yield sessionmaker(engine, info=session_info(outbox), expire_on_commit=False)
    wipe()


def _in_transaction(sessions: sessionmaker[Session], work) -> str:
    """One request: commit on success, roll back on a refusal; returns the outcome."""
    with sessions() as session:
        try:
            work(session)
            session.commit()
            return "ok"
        except ApiError as exc:
            session.rollback()
            return exc.error_code


def _setup(sessions, on_hand: int) -> tuple[int, int, int]:
    with sessions() as session:
        item = StockItem(sku="RACE", name="Race", created_by=1)
        a, b = Warehouse(name="A", code="A", created_by=1), Warehouse(name="B", code="B", created_by=1)
        session.add_all([item, a, b])
        session.flush()
        ids = (item.id, a.id, b.id)
        session.commit()
    if on_hand:
        body = MovementCreate(
            movement_type="purchase", stock_item_id=ids[0], warehouse_id=ids[1], quantity=on_hand, unit_cost=3
        )
        assert _in_transaction(sessions, lambda s: movements.record_movement(s, body, actor=ACTOR)) == "ok"
    return ids


def test_concurrent_transfers_never_oversell(engine, sessions):
    item_id, a, b = _setup(sessions, on_hand=20)

    def move(n: int) -> str:
        # both directions, so the fixed lock order is what keeps them from deadlocking
        source, destination = (a, b) if n % 5 else (b, a)
        body = TransferCreate(stock_item_id=item_id, from_warehouse_id=source, to_warehouse_id=destination, quantity=1)
        return _in_transaction(sessions, lambda s: transfers.create_transfer(s, body, actor=ACTOR))

    with ThreadPoolExecutor(max_workers=12) as pool:
        outcomes = list(pool.map(move, range(50)))
    assert set(outcomes) <= {"ok", "insufficient_stock"} and "insufficient_stock" in outcomes
    with sessions() as session:
        levels = dict(
            session.execute(select(WarehouseStock.warehouse_id, WarehouseStock.quantity_on_hand)).tuples().all()
        )
        assert sum(levels.values()) == 20 and min(levels.values()) >= 0
        pairs = session.scalar(select(func.count()).where(StockMovement.movement_type == "transfer")) // 2
        forward = sum(1 for n, o in enumerate(outcomes) if o == "ok" and n % 5)
        assert pairs == outcomes.count("ok") and levels[b] == forward - (outcomes.count("ok") - forward)
        for stock in session.scalars(select(WarehouseStock)):
            lots = session.scalar(
                select(func.coalesce(func.sum(StockLot.quantity), 0)).where(
                    StockLot.stock_item_id == item_id, StockLot.warehouse_id == stock.warehouse_id
                )
            )
            assert lots == stock.quantity_on_hand == stock.lot_quantity
            assert stock.lot_value == stock.lot_quantity * Decimal(3)


def test_concurrent_first_movements_create_one_stock_row(engine, sessions):
    item_id, a, _ = _setup(sessions, on_hand=0)
    body = MovementCreate(movement_type="purchase", stock_item_id=item_id, warehouse_id=a, quantity="1.5")

    def buy(_: int) -> str:
        return _in_transaction(sessions, lambda s: movements.record_movement(s, body, actor=ACTOR))

    with ThreadPoolExecutor(max_workers=10) as pool:
        assert set(pool.map(buy, range(20))) == {"ok"}
    with sessions() as session:
        [stock] = session.scalars(select(WarehouseStock)).all()
        assert stock.quantity_on_hand == 30 and stock.lot_quantity == 30
        assert session.scalar(select(func.count()).select_from(outbox)) == 20
