"""`POST /api/v1/inventory/movements` (inventory.md §4)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from inventory.models import StockLot, StockMovement, WarehouseStock

URL = "/api/v1/inventory/movements"


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def on_hand(session, item, warehouse) -> Decimal | None:
    session.expire_all()
    return session.scalar(
        select(WarehouseStock.quantity_on_hand).where(
            WarehouseStock.stock_item_id == item.id, WarehouseStock.warehouse_id == warehouse.id
        )
    )


@pytest.fixture
def stocked(make_item, make_warehouse, record):
    """An item with default cost 10 holding 10 (bought at 10) in one warehouse."""
    item = make_item(sku="ABC-1", default_cost=10)
    warehouse = make_warehouse(code="WH-A", name="Main")
    record(item, warehouse, "purchase", 10)
    return item, warehouse


def post(client, headers, item, warehouse, **body):
    return client.post(URL, json={"stock_item_id": item.id, "warehouse_id": warehouse.id, **body}, headers=headers)


class TestRecordMovement:
    def test_purchase_creates_the_stock_row_and_records_the_event(
        self, client, headers, user_id, make_item, make_warehouse, outbox_events
    ):
        item, wh = make_item(), make_warehouse()
        r = post(client, headers, item, wh, movement_type="purchase", quantity=10, unit_cost="8.00",
                 reason="restock", notes="n", reference_type="purchase_order", reference_id="77")  # fmt: skip
        assert r.status_code == 201, r.text
        body = r.json()
        assert body["message"] == "Stock movement recorded successfully"
        m = body["movement"]
        assert m["movement_type"] == "purchase" and m["quantity"] == 10.0 and m["unit_cost"] == 8.0
        assert m["stock_item_id"] == item.id and m["warehouse_id"] == wh.id and m["moved_by"] == user_id
        assert m["reference_type"] == "purchase_order" and m["reference_id"] == 77
        assert m["reason"] == "restock" and m["notes"] == "n" and m["moved_at"].endswith("Z")
        stock = body["updated_stock"]
        assert stock["warehouse_id"] == wh.id and stock["stock_item_id"] == item.id
        assert stock["quantity_on_hand"] == 10.0 and stock["quantity_reserved"] == 0.0
        assert stock["quantity_available"] == 10.0
        [event] = outbox_events("tt.inventory.movement.recorded")
        assert event["data"] == {"movement": m, "updated_stock": stock}
        assert event["entity_id"] == str(m["id"])

    def test_type_defaults_to_adjustment_and_zero_cost_is_null(self, client, headers, make_item, make_warehouse):
        item, wh = make_item(), make_warehouse()
        m = post(client, headers, item, wh, quantity=3, unit_cost=0).json()["movement"]
        assert m["movement_type"] == "adjustment" and m["unit_cost"] is None

    def test_type_is_trimmed_and_lower_cased(self, client, headers, make_item, make_warehouse):
        item, wh = make_item(), make_warehouse()
        assert post(client, headers, item, wh, quantity=1, movement_type=" Purchase ").json()["movement"][
            "movement_type"] == "purchase"  # fmt: skip

    @pytest.mark.parametrize(
        ("body", "missing"),
        [
            ({}, ["stock_item_id", "warehouse_id", "quantity"]),
            ({"stock_item_id": 1, "warehouse_id": 1}, ["quantity"]),
            ({"quantity": 5, "warehouse_id": ""}, ["stock_item_id", "warehouse_id"]),
        ],
    )
    def test_required_fields(self, client, headers, session, outbox_events, body, missing):
        r = client.post(URL, json=body, headers=headers)
        assert r.status_code == 400 and r.json()["error_code"] == "validation_error"
        assert r.json()["message"] == "stock_item_id, warehouse_id and quantity are required"
        assert sorted(r.json()["errors"]) == sorted(missing)
        assert count(session, StockMovement) == 0 and outbox_events() == []

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("stock_item_id", "abc"),
            ("warehouse_id", 1.5),
            ("quantity", "ten"),
            ("quantity", True),
            ("quantity", [1]),
            ("movement_type", "gift"),
            ("movement_type", "transfer"),
            ("unit_cost", "free"),
            ("unit_cost", -1),
            ("reference_id", "ref"),
            ("reference_id", 2**64),
            ("reason", "r" * 501),
            ("reference_type", "t" * 51),
            ("devalue_enabled", "sometimes"),
            ("devalue_percent", "half"),
        ],
    )
    def test_malformed_values_are_validation_errors(
        self, client, headers, session, make_item, make_warehouse, field, value
    ):
        item, wh = make_item(), make_warehouse()
        body = {"stock_item_id": item.id, "warehouse_id": wh.id, "quantity": 1, field: value}
        r = client.post(URL, json=body, headers=headers)
        assert r.status_code == 400, r.text
        assert r.json()["error_code"] == "validation_error" and list(r.json()["errors"]) == [field]
        assert count(session, StockMovement) == 0 and count(session, WarehouseStock) == 0

    def test_numeric_strings_are_accepted(self, client, headers, make_item, make_warehouse):
        item, wh = make_item(), make_warehouse()
        r = client.post(URL, json={"stock_item_id": str(item.id), "warehouse_id": str(wh.id), "quantity": "2.5"},
                        headers=headers)  # fmt: skip
        assert r.status_code == 201 and r.json()["updated_stock"]["quantity_on_hand"] == 2.5

    def test_unknown_item_and_warehouse_are_404(self, client, headers, make_item, make_warehouse, session):
        item, wh = make_item(), make_warehouse()
        r = client.post(URL, json={"stock_item_id": 999999, "warehouse_id": wh.id, "quantity": 1}, headers=headers)
        assert r.status_code == 404 and r.json()["error"] == "Stock item not found"
        r = client.post(URL, json={"stock_item_id": item.id, "warehouse_id": 999999, "quantity": 1}, headers=headers)
        assert r.status_code == 404 and r.json()["message"] == "Warehouse with ID 999999 not found"
        assert count(session, StockMovement) == 0

    def test_outbound_beyond_on_hand_is_insufficient_stock(self, client, headers, stocked, session, outbox_events):
        item, wh = stocked
        before = len(outbox_events())
        r = post(client, headers, item, wh, movement_type="sale", quantity=-12)
        assert r.status_code == 400 and r.json()["error_code"] == "insufficient_stock"
        assert "available 10.00" in r.json()["message"] and "requested 12.00" in r.json()["message"]
        assert on_hand(session, item, wh) == 10
        assert count(session, StockMovement) == 1 and len(outbox_events()) == before

    @pytest.mark.parametrize("kind", ["sale", "usage", "consumption", "rent", "waste", "purchase", "return"])
    def test_every_outbound_type_but_adjustment_needs_the_stock(self, client, headers, make_item, make_warehouse, kind):
        item, wh = make_item(), make_warehouse()
        r = post(client, headers, item, wh, movement_type=kind, quantity=-1)
        assert r.status_code == 400
        assert r.json()["error_code"] == ("validation_error" if kind == "return" else "insufficient_stock")

    def test_adjustment_below_zero_floors_on_hand(self, client, headers, stocked, session):
        item, wh = stocked
        r = post(client, headers, item, wh, movement_type="adjustment", quantity=-15)
        assert r.status_code == 201
        assert r.json()["movement"]["quantity"] == -15.0 and r.json()["updated_stock"]["quantity_on_hand"] == 0.0

    def test_non_trackable_items_are_recorded_without_stock(self, client, headers, make_item, make_warehouse, session):
        item, wh = make_item(is_trackable=False), make_warehouse()
        r = post(client, headers, item, wh, movement_type="sale", quantity=-5)
        assert r.status_code == 201 and r.json()["updated_stock"] is None
        assert r.json()["movement"]["quantity"] == -5.0
        assert count(session, WarehouseStock) == 0 and count(session, StockLot) == 0

    def test_return_needs_a_positive_and_waste_a_negative_quantity(self, client, headers, stocked):
        item, wh = stocked
        r = post(client, headers, item, wh, movement_type="return", quantity=-1)
        assert r.status_code == 400 and list(r.json()["errors"]) == ["quantity"]
        r = post(client, headers, item, wh, movement_type="waste", quantity=2)
        assert r.status_code == 400 and list(r.json()["errors"]) == ["quantity"]

    def test_waste_and_return_without_devaluation(self, client, headers, stocked):
        item, wh = stocked
        assert post(client, headers, item, wh, movement_type="waste", quantity=-2).json()["updated_stock"][
            "quantity_on_hand"] == 8.0  # fmt: skip
        r = post(client, headers, item, wh, movement_type="return", quantity=1)
        assert r.json()["message"] == "Stock movement recorded successfully"
        assert r.json()["updated_stock"]["quantity_on_hand"] == 9.0


class TestDevaluation:
    def test_percent(self, client, headers, stocked, session, outbox_events):
        item, wh = stocked
        r = post(client, headers, item, wh, movement_type="devaluation", quantity=4, devalue_percent=25)
        assert r.status_code == 201, r.text
        assert r.json() == {"message": "Stock devaluation recorded successfully"}
        [event] = outbox_events("tt.inventory.movement.recorded")[-1:]
        assert event["data"]["movement"]["quantity"] == 0.0 and event["data"]["movement"]["unit_cost"] == 7.5
        assert event["data"]["updated_stock"]["quantity_on_hand"] == 10.0  # physical stock unchanged
        lots = session.execute(select(StockLot.lot_type, StockLot.quantity, StockLot.unit_cost).order_by(StockLot.id))
        assert [tuple(lot) for lot in lots] == [("normal", 6, 10), ("devalued", 4, Decimal("7.50"))]

    def test_fixed_method_is_trimmed_and_lower_cased(self, client, headers, stocked, session):
        item, wh = stocked
        r = post(client, headers, item, wh, movement_type="devaluation", quantity=2, devalue_method=" FIXED ",
                 devalue_unit_cost="3.333")  # fmt: skip
        assert r.status_code == 201
        assert session.scalar(select(StockLot.unit_cost).where(StockLot.lot_type == "devalued")) == Decimal("3.33")

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"quantity": 0, "devalue_percent": 10}, "quantity"),
            ({"quantity": -1, "devalue_percent": 10}, "quantity"),
            ({"quantity": 1}, "devalue_percent"),
            ({"quantity": 1, "devalue_percent": 101}, "devalue_percent"),
            ({"quantity": 1, "devalue_percent": -1}, "devalue_percent"),
            ({"quantity": 1, "devalue_method": "fixed"}, "devalue_unit_cost"),
            ({"quantity": 1, "devalue_method": "fixed", "devalue_unit_cost": -2}, "devalue_unit_cost"),
            ({"quantity": 1, "devalue_method": "halve"}, "devalue_method"),
        ],
    )
    def test_invalid_devaluation_is_400_and_changes_nothing(self, client, headers, stocked, session, body, field):
        item, wh = stocked
        r = post(client, headers, item, wh, movement_type="devaluation", **body)
        assert r.status_code == 400 and list(r.json()["errors"]) == [field]
        assert count(session, StockMovement) == 1 and count(session, StockLot) == 1

    def test_needs_a_trackable_item_with_a_default_cost(self, client, headers, make_item, make_warehouse):
        wh = make_warehouse()
        for item in (make_item(is_trackable=False, default_cost=5), make_item()):
            r = post(client, headers, item, wh, movement_type="devaluation", quantity=1, devalue_percent=10)
            assert r.status_code == 400 and r.json()["error_code"] == "validation_error"

    def test_more_than_on_hand_is_insufficient_stock(self, client, headers, stocked):
        item, wh = stocked
        r = post(client, headers, item, wh, movement_type="devaluation", quantity=11, devalue_percent=10)
        assert r.status_code == 400 and r.json()["error_code"] == "insufficient_stock"
        assert "available 10.00" in r.json()["message"] and "requested 11.00" in r.json()["message"]

    def test_return_with_devaluation_adds_a_devalued_lot(self, client, headers, stocked, session):
        item, wh = stocked
        r = post(client, headers, item, wh, movement_type="return", quantity=2, devalue_enabled=True,
                 devalue_percent=50)  # fmt: skip
        assert r.status_code == 201
        assert r.json()["message"] == "Return movement recorded successfully with devaluation applied"
        assert r.json()["updated_stock"]["quantity_on_hand"] == 12.0
        assert r.json()["movement"]["unit_cost"] == 5.0
        lot = session.scalars(select(StockLot).order_by(StockLot.id.desc())).first()
        assert (lot.lot_type, lot.quantity, lot.unit_cost) == ("devalued", 2, 5)

    def test_waste_with_devaluation_writes_off_the_devalued_goods(self, client, headers, stocked, session):
        item, wh = stocked
        r = post(client, headers, item, wh, movement_type="waste", quantity=-3, devalue_enabled=True,
                 devalue_method="fixed", devalue_unit_cost=1)  # fmt: skip
        assert r.status_code == 201, r.text
        assert r.json()["message"] == "Waste movement recorded successfully with devaluation applied"
        assert r.json()["updated_stock"]["quantity_on_hand"] == 7.0
        live = session.execute(select(StockLot.lot_type, StockLot.quantity).where(StockLot.quantity != 0))
        assert [tuple(row) for row in live] == [("normal", 7)]

    def test_waste_with_devaluation_beyond_stock_is_insufficient_stock(self, client, headers, stocked):
        item, wh = stocked
        r = post(client, headers, item, wh, movement_type="waste", quantity=-11, devalue_enabled=True,
                 devalue_percent=10)  # fmt: skip
        assert r.status_code == 400 and r.json()["error_code"] == "insufficient_stock"

    def test_devalued_cost_above_the_default_is_refused(self, client, headers, stocked):
        item, wh = stocked
        r = post(client, headers, item, wh, movement_type="return", quantity=1, devalue_enabled=True,
                 devalue_method="fixed", devalue_unit_cost=12)  # fmt: skip
        assert r.status_code == 400
        assert "12.00" in r.json()["message"] and "10.00" in r.json()["message"]

    def test_devalue_fields_are_ignored_on_other_types(self, client, headers, stocked):
        item, wh = stocked
        r = post(client, headers, item, wh, movement_type="sale", quantity=-1, devalue_enabled=True)
        assert r.status_code == 201 and r.json()["message"] == "Stock movement recorded successfully"

    def test_return_devaluation_needs_a_default_cost(self, client, headers, make_item, make_warehouse):
        item, wh = make_item(), make_warehouse()
        r = post(client, headers, item, wh, movement_type="return", quantity=1, devalue_enabled=True,
                 devalue_percent=10)  # fmt: skip
        assert r.status_code == 400
