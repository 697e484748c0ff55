"""`/api/v1/inventory/items` (inventory.md §3.1–§3.6)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from inventory.models import StockItem

URL = "/api/v1/inventory/items"


def count(session) -> int:
    return session.scalar(select(func.count()).select_from(StockItem))


class TestCreateItem:
    def test_creates_with_every_field_and_records_the_event(self, client, headers, user_id, outbox_events):
        body = {
            "sku": "  abc-1 ",
            "name": "Widget",
            "description": "A widget",
            "category": "Hardware",
            "unit": "box",
            "default_price": "12.5",
            "default_cost": 8,
            "barcode": "4006381333931",
            "is_trackable": True,
            "currency_code": "usd",
            "is_active": True,
            "reorder_point": 20,
            "reorder_quantity": 50,
            "supplier": "Acme",
            "supplier_sku": "AC-9",
            "image_url": "https://img.example.test/w.png",
            "notes": "fragile",
        }
        r = client.post(URL, json=body, headers=headers)
        assert r.status_code == 201, r.text
        assert r.json()["message"] == "Stock item created successfully"
        item = r.json()["item"]
        assert item["sku"] == "ABC-1" and item["currency_code"] == "USD" and item["unit"] == "box"
        assert item["default_price"] == 12.5 and item["default_cost"] == 8.0
        assert item["reorder_point"] == 20.0 and item["reorder_quantity"] == 50.0
        assert item["supplier"] == "Acme" and item["image_url"] == "https://img.example.test/w.png"
        assert item["created_by"] == user_id
        assert item["total_quantity_on_hand"] is None and item["is_low_stock"] is False
        [event] = outbox_events("tt.inventory.stock_item.created")
        assert event["data"] == item

    def test_defaults(self, client, headers):
        item = client.post(URL, json={"sku": "s1", "name": "N"}, headers=headers).json()["item"]
        assert item["unit"] == "pcs" and item["currency_code"] == "EUR"
        assert item["is_active"] is True and item["is_trackable"] is True
        assert item["default_cost"] is None and item["reorder_point"] is None

    @pytest.mark.parametrize("field", ["default_cost", "default_price", "reorder_point", "reorder_quantity"])
    def test_zero_is_stored_as_null(self, client, headers, field):
        item = client.post(URL, json={"sku": "Z", "name": "N", field: 0}, headers=headers).json()["item"]
        assert item[field] is None

    @pytest.mark.parametrize(
        ("body", "missing"), [({}, ["sku", "name"]), ({"sku": "A"}, ["name"]), ({"name": "N", "sku": " "}, ["sku"])]
    )
    def test_sku_and_name_are_required(self, client, headers, session, outbox_events, body, missing):
        r = client.post(URL, json=body, headers=headers)
        assert r.status_code == 400 and r.json()["error_code"] == "validation_error"
        assert r.json()["message"] == "Missing required fields: " + ", ".join(missing)
        assert sorted(r.json()["errors"]) == sorted(missing)
        assert count(session) == 0 and outbox_events() == []

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("sku", "S" * 101),
            ("name", "n" * 201),
            ("category", "c" * 101),
            ("barcode", "1" * 101),
            ("supplier", "s" * 201),
            ("supplier_sku", "s" * 101),
            ("image_url", "u" * 501),
            ("default_cost", "cheap"),
            ("default_price", True),
            ("default_cost", -1),
            ("reorder_point", "many"),
            ("currency_code", "EURO"),
            ("is_trackable", "perhaps"),
            ("name", 42),
        ],
    )
    def test_invalid_field_is_a_validation_error(self, client, headers, session, field, value):
        body = {"sku": "OK", "name": "Valid", field: value}
        r = client.post(URL, json=body, headers=headers)
        assert r.status_code == 400, r.text
        assert r.json()["error_code"] == "validation_error" and list(r.json()["errors"]) == [field]
        assert count(session) == 0

    def test_duplicate_sku_after_upper_casing_is_a_conflict(self, client, headers, make_item, session):
        make_item(sku="ABC-1")
        r = client.post(URL, json={"sku": " abc-1", "name": "Again"}, headers=headers)
        assert r.status_code == 409 and r.json()["error_code"] == "conflict"
        assert count(session) == 1


class TestListAndGetItems:
    def test_active_items_by_name(self, client, headers, make_item):
        make_item(name="Zed")
        make_item(name="Alpha")
        make_item(name="Gone", is_active=False)
        body = client.get(URL, headers=headers).json()
        assert [i["name"] for i in body["items"]] == ["Alpha", "Zed"]
        assert body["pagination"]["total"] == 2

    def test_active_only_false_lists_all(self, client, headers, make_item):
        make_item(name="Gone", is_active=False)
        assert len(client.get(URL, params={"active_only": "false"}, headers=headers).json()["items"]) == 1

    @pytest.mark.parametrize("search", ["wid", "ABC", "4006", "%"])
    def test_search_matches_sku_name_or_barcode(self, client, headers, make_item, search):
        make_item(sku="ABC-1", name="Widget 100%", barcode="4006381")
        make_item(sku="XYZ", name="Other", barcode="999")
        assert [i["sku"] for i in client.get(URL, params={"search": search}, headers=headers).json()["items"]] == [
            "ABC-1"
        ]

    def test_category_is_exact(self, client, headers, make_item):
        make_item(name="A", category="Hardware")
        make_item(name="B", category="Hardware store")
        r = client.get(URL, params={"category": "Hardware"}, headers=headers)
        assert [i["name"] for i in r.json()["items"]] == ["A"]

    def test_get_and_404(self, client, headers, make_item):
        item = make_item(sku="G-1")
        assert client.get(f"{URL}/{item.id}", headers=headers).json()["item"]["sku"] == "G-1"
        r = client.get(f"{URL}/99999999", headers=headers)
        assert r.status_code == 404 and r.json()["message"] == "Stock item with ID 99999999 not found"

    def test_an_id_past_integer_is_unknown(self, client, headers):
        assert client.get(f"{URL}/99999999999999", headers=headers).status_code == 404

    def test_totals_and_low_stock(self, client, headers, make_item, make_warehouse, record):
        item = make_item(reorder_point=20)
        a, b = make_warehouse(code="A"), make_warehouse(code="B")
        record(item, a, "purchase", 30)
        record(item, b, "purchase", 5)
        got = client.get(f"{URL}/{item.id}", headers=headers).json()["item"]
        assert got["total_quantity_on_hand"] == 35.0
        assert got["total_quantity_reserved"] is None  # 0 → null (upstream truthiness)
        assert got["total_quantity_available"] == 35.0
        assert got["is_low_stock"] is True  # B holds 5 < 20

    def test_totals_are_null_when_zero(self, client, headers, make_item, make_warehouse, record):
        item = make_item()
        wh = make_warehouse()
        record(item, wh, "purchase", 3)
        record(item, wh, "sale", -3)
        got = client.get(f"{URL}/{item.id}", headers=headers).json()["item"]
        assert got["total_quantity_on_hand"] is None and got["total_quantity_available"] is None

    def test_non_trackable_items_have_no_totals_and_are_never_low(self, client, headers, make_item, make_warehouse):
        item = make_item(is_trackable=False, reorder_point=5)
        got = client.get(f"{URL}/{item.id}", headers=headers).json()["item"]
        assert got["total_quantity_on_hand"] is None and got["is_low_stock"] is False


class TestUpdateAndDeleteItem:
    @pytest.mark.parametrize("method", ["put", "patch"])
    def test_only_sent_keys_change_and_sku_is_ignored(self, client, headers, make_item, outbox_events, method):
        item = make_item(sku="KEEP", name="Old", category="Tools", default_cost=5)
        r = getattr(client, method)(
            f"{URL}/{item.id}",
            json={"sku": "NEW", "name": "New", "default_cost": 0, "reorder_point": 7},
            headers=headers,
        )
        assert r.status_code == 200, r.text
        assert r.json()["message"] == "Stock item updated successfully"
        got = r.json()["item"]
        assert got["sku"] == "KEEP" and got["name"] == "New" and got["category"] == "Tools"
        assert got["default_cost"] is None and got["reorder_point"] == 7.0
        [event] = outbox_events("tt.inventory.stock_item.updated")
        assert event["data"] == got

    def test_update_validation_and_404(self, client, headers, make_item, session):
        item = make_item(name="Keep")
        r = client.patch(f"{URL}/{item.id}", json={"default_price": "lots"}, headers=headers)
        assert r.status_code == 400 and list(r.json()["errors"]) == ["default_price"]
        assert client.patch(f"{URL}/{item.id}", json={"name": None}, headers=headers).status_code == 400
        assert client.put(f"{URL}/424242", json={"name": "x"}, headers=headers).status_code == 404

    def test_null_booleans_and_currency_are_left_alone(self, client, headers, make_item):
        item = make_item(currency_code="USD")
        got = client.patch(
            f"{URL}/{item.id}", json={"is_active": None, "currency_code": None, "unit": ""}, headers=headers
        ).json()["item"]
        assert got["is_active"] is True and got["currency_code"] == "USD" and got["unit"] == "pcs"

    def test_delete_deactivates(self, client, headers, make_item, session, outbox_events):
        item = make_item()
        r = client.delete(f"{URL}/{item.id}", headers=headers)
        assert r.status_code == 200 and r.json() == {"message": "Stock item deactivated successfully"}
        session.expire_all()
        assert session.get(StockItem, item.id).is_active is False
        [event] = outbox_events("tt.inventory.stock_item.updated")
        assert event["data"]["is_active"] is False
        assert client.delete(f"{URL}/777777", headers=headers).status_code == 404


class TestAvailability:
    def test_one_element_per_stock_row(self, client, headers, make_item, make_warehouse, record):
        item = make_item(sku="ABC-1", name="Widget")
        a = make_warehouse(code="WH-A", name="Main")
        make_warehouse(code="WH-B", name="Empty")
        record(item, a, "purchase", 12)
        body = client.get(f"{URL}/{item.id}/availability", headers=headers).json()
        assert body == {
            "item_id": item.id,
            "item_sku": "ABC-1",
            "item_name": "Widget",
            "availability": [
                {
                    "warehouse_id": a.id, "warehouse_code": "WH-A", "warehouse_name": "Main",
                    "quantity_on_hand": 12.0, "quantity_reserved": 0.0, "quantity_available": 12.0, "location": None,
                }
            ],
        }  # fmt: skip

    def test_warehouse_filter_and_unparseable_filter(self, client, headers, make_item, make_warehouse, record):
        item = make_item()
        a, b = make_warehouse(code="A"), make_warehouse(code="B")
        record(item, a, "purchase", 1)
        record(item, b, "purchase", 2)
        url = f"{URL}/{item.id}/availability"
        assert [r["warehouse_id"] for r in client.get(url, params={"warehouse_id": b.id}, headers=headers).json()[
            "availability"]] == [b.id]  # fmt: skip
        assert len(client.get(url, params={"warehouse_id": "x"}, headers=headers).json()["availability"]) == 2

    def test_unknown_item_is_404(self, client, headers):
        assert client.get(f"{URL}/555555/availability", headers=headers).status_code == 404


def test_decimal_quantities_are_exact(client, headers, make_item, make_warehouse, record):
    item = make_item()
    wh = make_warehouse()
    for _ in range(3):
        record(item, wh, "purchase", "0.1")
    got = client.get(f"{URL}/{item.id}", headers=headers).json()["item"]
    assert got["total_quantity_on_hand"] == 0.3
    assert Decimal(str(got["total_quantity_on_hand"])) == Decimal("0.3")
