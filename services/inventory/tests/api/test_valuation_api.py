"""`GET /api/v1/inventory/reports/valuation` (inventory.md §6.1) on known ledgers: the cost
layers of §1.5 decide every figure."""

from __future__ import annotations

from decimal import Decimal

import pytest

from inventory.models import WarehouseStock

URL = "/api/v1/inventory/reports/valuation"


def report(client, headers, **params):
    r = client.get(URL, params=params, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


@pytest.fixture
def wh(make_warehouse):
    return make_warehouse(code="WH-A", name="Main")


def test_pinned_example_buy_10_at_8(client, headers, make_item, wh, record):
    item = make_item(sku="ABC-1", name="Widget", category="Hardware")
    record(item, wh, "purchase", 10, unit_cost=8)
    assert report(client, headers) == {
        "total_value": 80.0,
        "by_warehouse": {
            "Main (WH-A)": {"warehouse_id": wh.id, "warehouse_name": "Main", "warehouse_code": "WH-A",
                            "value": 80.0, "currency": "EUR"}
        },
        "by_category": {"Hardware": {"category": "Hardware", "value": 80.0, "currency": "EUR"}},
        "item_details": [
            {"item_id": item.id, "sku": "ABC-1", "name": "Widget", "category": "Hardware", "warehouse_id": wh.id,
             "warehouse_name": "Main", "quantity": 10.0, "cost": 8.0, "value": 80.0, "currency": "EUR"}
        ],
        "currency": "EUR",
        "warehouse_id": None,
        "category": None,
    }  # fmt: skip


def test_inbound_without_cost_takes_the_default_cost(client, headers, make_item, wh, record):
    item = make_item(default_cost=3)
    record(item, wh, "purchase", 4)
    assert report(client, headers)["total_value"] == 12.0


def test_fifo_consumes_the_oldest_lots_first(client, headers, make_item, wh, record):
    item = make_item()
    record(item, wh, "purchase", 5, unit_cost=2)
    record(item, wh, "purchase", 5, unit_cost=4)
    record(item, wh, "sale", -6)
    body = report(client, headers)
    assert body["total_value"] == 16.0
    assert body["item_details"][0]["quantity"] == 4.0 and body["item_details"][0]["cost"] == 4.0


def test_transfer_carries_the_cost_layers_with_their_age(client, headers, make_item, make_warehouse, record, transfer):
    item = make_item()
    a, b = make_warehouse(code="A", name="Alpha"), make_warehouse(code="B", name="Beta")
    record(item, a, "purchase", 5, unit_cost=2)
    record(item, a, "purchase", 5, unit_cost=4)
    transfer(item, a, b, 6)
    body = report(client, headers)
    assert body["by_warehouse"]["Alpha (A)"]["value"] == 16.0
    assert body["by_warehouse"]["Beta (B)"]["value"] == 14.0  # 5 @ 2 + 1 @ 4
    assert body["total_value"] == 30.0  # value moved with the goods
    record(item, b, "sale", -5)  # the older @2 layer goes first in B too
    assert report(client, headers, warehouse_id=b.id)["total_value"] == 4.0


def test_devaluation_percent_and_fixed(client, headers, make_item, wh, record):
    item = make_item(default_cost=10)
    record(item, wh, "purchase", 10)
    record(item, wh, "devaluation", 4, devalue_percent=25)
    assert report(client, headers)["total_value"] == 90.0  # 6 @ 10 + 4 @ 7.50
    record(item, wh, "devaluation", 6, devalue_method="fixed", devalue_unit_cost=1)
    body = report(client, headers)
    assert body["total_value"] == 36.0  # 4 @ 7.50 + 6 @ 1 (the oldest layers were the 10s)
    assert body["item_details"][0]["cost"] == 3.6


def test_return_and_waste_with_devaluation(client, headers, make_item, wh, record):
    item = make_item(default_cost=10)
    record(item, wh, "purchase", 10)
    record(item, wh, "return", 2, devalue_enabled=True, devalue_percent=50)
    assert report(client, headers)["total_value"] == 110.0  # 10 @ 10 + 2 @ 5
    record(item, wh, "waste", -3, devalue_enabled=True, devalue_percent=50)
    assert report(client, headers)["total_value"] == 80.0  # 3 of the oldest @ 10 were written off


def test_rent_keeps_the_value_on_the_books(client, headers, make_item, wh, record):
    item = make_item()
    record(item, wh, "purchase", 10, unit_cost=8)
    r = record(item, wh, "rent", -4)
    assert r["updated_stock"]["quantity_on_hand"] == 6.0
    assert report(client, headers)["total_value"] == 80.0


def test_adjustment_may_drive_a_lot_negative(client, headers, make_item, wh, record, session):
    item = make_item(default_cost=5)
    record(item, wh, "purchase", 2, unit_cost=5)
    record(item, wh, "adjustment", -5)
    assert report(client, headers)["item_details"] == []
    record(item, wh, "purchase", 3, unit_cost=5)
    assert report(client, headers)["total_value"] == 15.0  # the negative lot counts for nothing


def test_weighted_cost_is_rounded_half_away_from_zero(client, headers, make_item, wh, record):
    item = make_item()
    record(item, wh, "purchase", 1, unit_cost="1.00")
    record(item, wh, "purchase", 2, unit_cost="1.01")
    detail = report(client, headers)["item_details"][0]
    assert detail["value"] == 3.02 and detail["cost"] == 1.01  # 1.00666…


def test_only_active_trackable_items_and_filters(client, headers, make_item, make_warehouse, record, session):
    a, b = make_warehouse(code="A", name="Alpha"), make_warehouse(code="B", name="Beta")
    hw = make_item(category="Hardware", currency_code="USD")
    sw = make_item(category=None)
    off = make_item(category="Hardware")
    untracked = make_item(is_trackable=False, default_cost=9)
    record(hw, a, "purchase", 1, unit_cost=10)
    record(hw, b, "purchase", 1, unit_cost=20)
    record(sw, a, "purchase", 2, unit_cost=1)
    record(off, a, "purchase", 1, unit_cost=100)
    record(untracked, a, "purchase", 5)
    off.is_active = False
    session.flush()
    body = report(client, headers)
    assert body["total_value"] == 32.0
    assert set(body["by_category"]) == {"Hardware", "Uncategorized"}
    assert body["by_category"]["Hardware"] == {"category": "Hardware", "value": 30.0, "currency": "USD"}
    assert body["by_warehouse"]["Alpha (A)"]["currency"] == "USD"  # the group's lowest-id item
    assert report(client, headers, warehouse_id=b.id)["total_value"] == 20.0
    assert report(client, headers, warehouse_id=b.id)["warehouse_id"] == b.id
    filtered = report(client, headers, category=" Hardware ")
    assert filtered["total_value"] == 30.0 and filtered["category"] == "Hardware"
    by_currency = report(client, headers, currency_code="USD")
    assert by_currency["total_value"] == 30.0 and by_currency["currency"] == "USD"
    assert report(client, headers, warehouse_id="abc")["total_value"] == 32.0  # ignored


def test_fallback_without_any_lot_uses_on_hand_at_default_cost(client, headers, make_item, wh, session):
    item = make_item(default_cost="2.5")
    session.add(WarehouseStock(stock_item_id=item.id, warehouse_id=wh.id, quantity_on_hand=Decimal("4")))
    session.flush()
    body = report(client, headers)
    assert body["total_value"] == 10.0
    assert body["item_details"][0]["quantity"] == 4.0 and body["item_details"][0]["cost"] == 2.5
