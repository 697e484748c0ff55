"""`/api/v1/inventory/transfers` (inventory.md §5)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from inventory.models import StockMovement, WarehouseStock

URL = "/api/v1/inventory/transfers"


def count(session) -> int:
    return session.scalar(select(func.count()).select_from(StockMovement))


@pytest.fixture
def setup(make_item, make_warehouse, record):
    item = make_item(sku="ABC-1")
    a, b = make_warehouse(code="WH-A", name="Main"), make_warehouse(code="WH-B", name="Back")
    record(item, a, "purchase", 10, unit_cost=2)
    return item, a, b


def body_for(item, a, b, quantity=4, **extra):
    return {"stock_item_id": item.id, "from_warehouse_id": a.id, "to_warehouse_id": b.id, "quantity": quantity, **extra}


class TestCreateTransfer:
    def test_moves_the_stock_as_a_pair_and_records_the_event(self, client, headers, user_id, setup, session,
                                                               outbox_events):  # fmt: skip
        item, a, b = setup
        r = client.post(URL, json=body_for(item, a, b, notes="  urgent "), headers=headers)
        assert r.status_code == 201, r.text
        body = r.json()
        assert body["message"] == "Stock transfer completed successfully"
        reference = body["reference_id"]
        assert isinstance(reference, int) and reference > 0
        out, into = body["transfers"]
        assert out["movement_id"] == out["movement"]["id"] and into["movement_id"] == into["movement"]["id"]
        for leg, warehouse, quantity in ((out, a, -4.0), (into, b, 4.0)):
            m = leg["movement"]
            assert m["movement_type"] == "transfer" and m["warehouse_id"] == warehouse.id
            assert m["quantity"] == quantity and m["reference_type"] == "transfer" and m["reference_id"] == reference
            assert m["reason"] == "Transfer from WH-A to WH-B" and m["notes"] == "urgent" and m["moved_by"] == user_id
        session.expire_all()
        levels = dict(
            session.execute(select(WarehouseStock.warehouse_id, WarehouseStock.quantity_on_hand)).tuples().all()
        )
        assert levels == {a.id: 6, b.id: 4}
        [event] = outbox_events("tt.inventory.transfer.completed")
        assert event["entity_id"] == str(reference)
        assert event["data"]["movements"] == [out["movement"], into["movement"]]
        assert event["data"]["from_warehouse_id"] == a.id and event["data"]["quantity"] == 4.0

    def test_reference_ids_are_unique(self, client, headers, setup):
        item, a, b = setup
        refs = {
            client.post(URL, json=body_for(item, a, b, 1), headers=headers).json()["reference_id"] for _ in range(3)
        }
        assert len(refs) == 3

    def test_blank_notes_are_null(self, client, headers, setup):
        item, a, b = setup
        out = client.post(URL, json=body_for(item, a, b, notes="  "), headers=headers).json()["transfers"][0]
        assert out["movement"]["notes"] is None

    def test_missing_fields(self, client, headers, session):
        r = client.post(URL, json={"quantity": 1, "to_warehouse_id": 2}, headers=headers)
        assert r.status_code == 400 and r.json()["error_code"] == "validation_error"
        assert r.json()["errors"] == {"stock_item_id": ["Required"], "from_warehouse_id": ["Required"]}
        assert r.json()["message"] == "Missing required fields: stock_item_id, from_warehouse_id"
        assert count(session) == 0

    @pytest.mark.parametrize("field", ["stock_item_id", "from_warehouse_id", "to_warehouse_id"])
    def test_non_integer_ids(self, client, headers, setup, field):
        item, a, b = setup
        r = client.post(URL, json=body_for(item, a, b) | {field: "two"}, headers=headers)
        assert r.status_code == 400 and list(r.json()["errors"]) == [field]

    @pytest.mark.parametrize(
        ("quantity", "message"),
        [("lots", "quantity must be a valid number"), (0, "quantity must be positive"),
         (-3, "quantity must be positive")],
    )  # fmt: skip
    def test_quantity(self, client, headers, setup, session, quantity, message):
        item, a, b = setup
        r = client.post(URL, json=body_for(item, a, b, quantity), headers=headers)
        assert r.status_code == 400 and r.json()["error_code"] == "validation_error"
        assert r.json()["message"] == message and list(r.json()["errors"]) == ["quantity"]
        assert count(session) == 1

    def test_same_warehouse_is_refused(self, client, headers, setup):
        item, a, _ = setup
        r = client.post(URL, json=body_for(item, a, a), headers=headers)
        assert r.status_code == 400 and "different" in r.json()["message"]

    def test_unknown_item_or_warehouse(self, client, headers, setup):
        item, a, b = setup
        r = client.post(URL, json=body_for(item, a, b) | {"stock_item_id": 999999}, headers=headers)
        assert r.status_code == 404 and r.json()["message"] == "Stock item with ID 999999 not found"
        r = client.post(URL, json=body_for(item, a, b) | {"to_warehouse_id": 888888}, headers=headers)
        assert r.status_code == 404 and r.json()["message"] == "Warehouse with ID 888888 not found"
        r = client.post(URL, json=body_for(item, a, b) | {"from_warehouse_id": 777777}, headers=headers)
        assert r.status_code == 404 and r.json()["message"] == "Warehouse with ID 777777 not found"

    def test_not_enough_available_is_insufficient_stock_and_changes_nothing(self, client, headers, setup, session):
        item, a, b = setup
        stock = session.scalar(select(WarehouseStock).where(WarehouseStock.warehouse_id == a.id))
        stock.quantity_reserved = 7  # held by a quote: on-hand 10, available 3
        session.flush()
        r = client.post(URL, json=body_for(item, a, b, 4), headers=headers)
        assert r.status_code == 400 and r.json()["error_code"] == "insufficient_stock"
        assert "available 3.00" in r.json()["message"]
        assert count(session) == 1

    def test_from_a_warehouse_without_a_row(self, client, headers, setup):
        item, a, b = setup
        r = client.post(URL, json=body_for(item, b, a, 1), headers=headers)
        assert r.status_code == 400 and r.json()["error_code"] == "insufficient_stock"


class TestListAndGetTransfers:
    def test_list_groups_pairs_latest_first(self, client, headers, setup, transfer):
        item, a, b = setup
        first = transfer(item, a, b, 1, moved_at=datetime(2026, 1, 5, 12, tzinfo=UTC), notes="one")
        second = transfer(item, b, a, 1, moved_at=datetime(2026, 1, 6, 12, tzinfo=UTC))
        body = client.get(URL, headers=headers).json()
        assert [t["reference_id"] for t in body["transfers"]] == [second["reference_id"], first["reference_id"]]
        listed = body["transfers"][1]
        assert listed == {
            "reference_id": first["reference_id"],
            "moved_at": "2026-01-05T12:00:00Z",
            "stock_item_id": item.id,
            "from_warehouse_id": a.id,
            "to_warehouse_id": b.id,
            "quantity": 1.0,
            "notes": "one",
            "movement_ids": [first["transfers"][0]["movement_id"], first["transfers"][1]["movement_id"]],
        }
        assert body["pagination"]["total"] == 2

    def test_date_filters_and_pagination(self, client, headers, setup, transfer):
        item, a, b = setup
        refs = [transfer(item, a, b, 1, moved_at=datetime(2026, 1, day, 12, tzinfo=UTC))["reference_id"]
                for day in (1, 2, 3)]  # fmt: skip
        got = client.get(URL, params={"date_from": "2026-01-02", "date_to": "2026-01-02"}, headers=headers).json()
        assert [t["reference_id"] for t in got["transfers"]] == [refs[1]]
        page = client.get(URL, params={"page": 2, "per_page": 2}, headers=headers).json()
        assert [t["reference_id"] for t in page["transfers"]] == [refs[0]]
        assert page["pagination"]["total"] == 3 and page["pagination"]["pages"] == 2
        unparsed = client.get(URL, params={"date_from": "soon"}, headers=headers).json()
        assert len(unparsed["transfers"]) == 3

    def test_a_group_that_is_not_a_pair_is_left_off_but_counted(self, client, headers, setup, transfer, session):
        item, a, b = setup
        kept = transfer(item, a, b, 1)
        broken = transfer(item, a, b, 1)
        session.delete(session.get(StockMovement, broken["transfers"][1]["movement_id"]))
        session.flush()
        body = client.get(URL, headers=headers).json()
        assert [t["reference_id"] for t in body["transfers"]] == [kept["reference_id"]]
        assert body["pagination"]["total"] == 2
        assert client.get(f"{URL}/{broken['reference_id']}", headers=headers).status_code == 404

    def test_get_by_reference_id(self, client, headers, setup, transfer):
        item, a, b = setup
        made = transfer(item, a, b, 2, notes="n")
        r = client.get(f"{URL}/{made['reference_id']}", headers=headers)
        assert r.status_code == 200
        got = r.json()["transfer"]
        assert got["reference_id"] == made["reference_id"] and got["quantity"] == 2.0 and got["notes"] == "n"
        assert "movement_ids" not in got
        assert got["movements"] == [leg["movement"] for leg in made["transfers"]]

    @pytest.mark.parametrize("ref", ["123", "abc", "99999999999999999999999", "-5"])
    def test_unknown_or_non_integer_reference_is_404(self, client, headers, ref):
        r = client.get(f"{URL}/{ref}", headers=headers)
        assert r.status_code == 404 and r.json()["error_code"] == "not_found"
