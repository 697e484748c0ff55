"""The ledger's invariants on real PostgreSQL: the valuation aggregate on each stock row is
what its lots add up to, the day buckets are what the movements add up to, on-hand is the sum
of the applied changes — after any mix of movements and transfers."""

from __future__ import annotations

import random
from decimal import Decimal

from sqlalchemy import case, func, select

from inventory.models import StockLot, StockMovement, TurnoverDay, WarehouseStock
from shared.errors import ApiError


def test_aggregates_match_the_ledger_after_a_random_mix(make_item, make_warehouse, record, transfer, session):
    rng = random.Random(14)
    items = [make_item(default_cost=rng.choice([0, 3, 7])) for _ in range(3)]
    warehouses = [make_warehouse() for _ in range(3)]
    refused = 0
    kinds = ["purchase", "purchase", "sale", "usage", "rent", "adjustment", "adjustment", "waste", "return"]
    for _ in range(150):
        item, wh = rng.choice(items), rng.choice(warehouses)
        kind = rng.choice(kinds)
        quantity = Decimal(rng.randint(1, 900)) / 100
        sign = (
            1
            if kind in ("purchase", "return")
            else -1
            if kind in ("sale", "usage", "rent", "waste")
            else rng.choice([1, -1])
        )
        try:
            with session.begin_nested():  # a request's own transaction: undone whole when refused
                if rng.random() < 0.15:
                    transfer(item, wh, rng.choice([w for w in warehouses if w is not wh]), quantity)
                elif rng.random() < 0.1 and item.default_cost:
                    record(item, wh, "devaluation", quantity, devalue_percent=rng.randint(0, 100))
                else:
                    record(item, wh, kind, sign * quantity, unit_cost=rng.choice([None, "1.25", "4"]))
        except ApiError as exc:
            assert exc.error_code == "insufficient_stock", exc.message
            refused += 1

    positive = case((StockLot.quantity > 0, StockLot.quantity), else_=0)
    per_pair = select(
        StockLot.stock_item_id, StockLot.warehouse_id, func.sum(positive), func.sum(positive * StockLot.unit_cost)
    ).group_by(StockLot.stock_item_id, StockLot.warehouse_id)
    lots = {(i, w): (q, v) for i, w, q, v in session.execute(per_pair)}
    session.expire_all()
    stocks = session.scalars(select(WarehouseStock)).all()
    assert stocks and 0 < refused < 100
    for stock in stocks:
        q, v = lots.get((stock.stock_item_id, stock.warehouse_id), (0, 0))
        assert (stock.lot_quantity, stock.lot_value) == (q, v)
        assert stock.quantity_on_hand >= 0
    for item in items:
        on_hand = sum(s.quantity_on_hand for s in stocks if s.stock_item_id == item.id)
        applied = session.scalar(
            select(func.coalesce(func.sum(StockMovement.stock_change), 0)).where(StockMovement.stock_item_id == item.id)
        )
        assert on_hand == applied
        buckets = session.scalar(
            select(func.coalesce(func.sum(TurnoverDay.stock_change), 0)).where(TurnoverDay.stock_item_id == item.id)
        )
        assert buckets == applied


def test_transfers_write_no_day_bucket(make_item, make_warehouse, record, transfer, session):
    item = make_item()
    a, b = make_warehouse(), make_warehouse()
    record(item, a, "purchase", 5)
    before = session.scalars(select(TurnoverDay)).all()
    transfer(item, a, b, 2)
    assert session.scalars(select(TurnoverDay)).all() == before
    [bucket] = before
    assert (bucket.quantity_sold, bucket.sales, bucket.stock_change) == (0, 0, 5)


def test_stock_without_lots_gets_an_opening_lot_at_the_default_cost(
    client, headers, make_item, make_warehouse, session
):
    item, wh = make_item(default_cost=4), make_warehouse()
    session.add(WarehouseStock(stock_item_id=item.id, warehouse_id=wh.id, quantity_on_hand=Decimal("5")))
    session.flush()
    r = client.post(
        "/api/v1/inventory/movements",
        json={"movement_type": "sale", "stock_item_id": item.id, "warehouse_id": wh.id, "quantity": -2},
        headers=headers,
    )
    assert r.status_code == 201
    assert client.get("/api/v1/inventory/reports/valuation", headers=headers).json()["total_value"] == 12.0


def test_lots_that_cannot_cover_an_outbound_movement_fail_it_whole(
    client, headers, make_item, make_warehouse, session, outbox_events
):
    item, wh = make_item(), make_warehouse()
    stock = WarehouseStock(stock_item_id=item.id, warehouse_id=wh.id, quantity_on_hand=Decimal("5"))
    session.add(stock)
    session.flush()
    session.add(StockLot(stock_item_id=item.id, warehouse_id=wh.id, quantity=Decimal("1"), unit_cost=Decimal("2")))
    session.flush()
    r = client.post(
        "/api/v1/inventory/movements",
        json={"movement_type": "sale", "stock_item_id": item.id, "warehouse_id": wh.id, "quantity": -3},
        headers=headers,
    )
    assert r.status_code == 400 and r.json()["error_code"] == "insufficient_stock"
    assert r.json()["message"] == "Insufficient stock lots to cover this movement"
    session.expire_all()
    assert session.get(WarehouseStock, stock.id).quantity_on_hand == 5
    assert session.scalar(select(func.count()).select_from(StockMovement)) == 0 and outbox_events() == []
