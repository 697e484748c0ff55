"""Movement history, turnover and low stock reports (inventory.md §6.2–§6.4), and the
stock-level list (§3.7). History at chosen instants goes through the movement service."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.db import utcnow

REPORTS = "/api/v1/inventory/reports"


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def get(client, headers, path, **params):
    r = client.get(f"{REPORTS}/{path}", params=params, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


class TestMovementHistory:
    @pytest.fixture
    def ledger(self, make_item, make_warehouse, record):
        item = make_item(sku="ABC-1", name="Widget")
        other = make_item(sku="XYZ", name="Other")
        a, b = make_warehouse(code="A", name="Alpha"), make_warehouse(code="B", name="Beta")
        rows = [
            record(item, a, "purchase", 10, moved_at=at(2026, 1, 1, 9), reference_type="purchase_order",
                   reference_id=5),
            record(item, a, "sale", -2, moved_at=at(2026, 1, 2, 9), notes="walk-in"),
            record(other, b, "purchase", 3, moved_at=at(2026, 1, 3, 9), reference_type="manual"),
            record(item, b, "adjustment", 1, moved_at=at(2026, 1, 4, 9), reference_id=9),
        ]  # fmt: skip
        return item, other, a, b, [row["movement"]["id"] for row in rows]

    def test_all_rows_newest_first_without_pagination(self, client, headers, ledger):
        item, _, a, _, ids = ledger
        body = get(client, headers, "movement-history")
        assert [m["id"] for m in body["movements"]] == ids[::-1]
        assert body["total_movements"] == 4 and "pagination" not in body
        assert body["movements"][-1] == {
            "id": ids[0], "date": "2026-01-01T09:00:00Z", "item_id": item.id, "item_sku": "ABC-1",
            "item_name": "Widget", "warehouse_id": a.id, "warehouse_name": "Alpha", "quantity": 10.0,
            "type": "purchase", "reference": "purchase_order#5", "notes": None,
        }  # fmt: skip
        assert [m["reference"] for m in body["movements"]] == ["9", "manual", None, "purchase_order#5"]

    def test_filters(self, client, headers, ledger):
        item, other, a, b, ids = ledger
        assert [m["id"] for m in get(client, headers, "movement-history", stock_item_id=item.id)["movements"]] == [
            ids[3], ids[1], ids[0]]  # fmt: skip
        assert get(client, headers, "movement-history", warehouse_id=b.id)["total_movements"] == 2
        assert get(client, headers, "movement-history", movement_type="sale")["total_movements"] == 1
        dated = get(client, headers, "movement-history", date_from="2026-01-02", date_to="2026-01-03")
        assert [m["id"] for m in dated["movements"]] == [ids[2], ids[1]]
        assert get(client, headers, "movement-history", stock_item_id="x", date_from="?")["total_movements"] == 4

    def test_paginated_only_with_both_page_and_per_page(self, client, headers, ledger):
        *_, ids = ledger
        body = get(client, headers, "movement-history", page=2, per_page=3)
        assert [m["id"] for m in body["movements"]] == [ids[0]]
        assert body["total_movements"] == 4 and body["pagination"]["pages"] == 2
        assert "pagination" not in get(client, headers, "movement-history", page=1)
        assert "pagination" not in get(client, headers, "movement-history", page="x", per_page=2)
        capped = get(client, headers, "movement-history", page=1, per_page=500)
        assert capped["pagination"]["per_page"] == 100


class TestTurnover:
    def test_known_ledger_with_edge_days(self, client, headers, make_item, make_warehouse, record, transfer):
        item = make_item(sku="T-1", name="Tea")
        a, b = make_warehouse(code="A"), make_warehouse(code="B")
        record(item, a, "purchase", 100, moved_at=at(2025, 12, 20, 10))
        record(item, a, "sale", -5, moved_at=at(2025, 12, 31, 22, 30))  # 23:30 in Rome: before the period
        record(item, a, "sale", -5, moved_at=at(2025, 12, 31, 23, 30))  # 00:30 on Jan 1 in Rome: inside
        record(item, a, "sale", -20, moved_at=at(2026, 1, 10, 10))
        transfer(item, a, b, 10, moved_at=at(2026, 1, 15, 10))  # total on-hand unchanged, nothing sold
        record(item, a, "purchase", 50, moved_at=at(2026, 1, 20, 10))
        record(item, b, "usage", -10, moved_at=at(2026, 1, 25, 10))
        record(item, a, "consumption", -5, moved_at=at(2026, 1, 31, 22, 30))  # last hour of Jan 31 in Rome
        record(item, a, "sale", -7, moved_at=at(2026, 1, 31, 23, 30))  # Feb 1 in Rome: after
        record(item, a, "sale", -30, moved_at=at(2026, 2, 10, 10))
        record(make_item(name="Unsold"), a, "purchase", 4, moved_at=at(2026, 1, 5))
        body = get(client, headers, "turnover", start_date="2026-01-01", end_date="2026-01-31")
        assert body["start_date"] == "2025-12-31T23:00:00Z"
        assert body["end_date"] == "2026-01-31T22:59:59.999999Z"
        # on hand at start 95, at end 105 → avg 100; sold 5 + 20 + 10 + 5 = 40; 30 days
        assert body["items"] == [
            {"item_id": item.id, "sku": "T-1", "name": "Tea", "quantity_sold": 40.0, "avg_stock": 100.0,
             "turnover_rate": 0.4, "days_on_hand": 75.0}
        ]  # fmt: skip

    def test_reconstruction_uses_the_applied_stock_change(self, client, headers, make_item, make_warehouse, record):
        item = make_item()
        wh = make_warehouse()
        record(item, wh, "purchase", 10, moved_at=at(2026, 1, 2, 10))
        record(item, wh, "sale", -4, moved_at=at(2026, 1, 5, 10))
        record(item, wh, "adjustment", -10, moved_at=at(2026, 1, 6, 10))  # only 6 were there: on-hand → 0
        record(item, wh, "purchase", 3, moved_at=at(2026, 1, 7, 10))
        [row] = get(client, headers, "turnover", start_date="2026-01-01", end_date="2026-01-31")["items"]
        assert row["quantity_sold"] == 4.0 and row["avg_stock"] == 1.5  # (0 + 3) / 2, not (4 + 3) / 2
        assert row["turnover_rate"] == pytest.approx(4 / 1.5) and row["days_on_hand"] == pytest.approx(11.25)

    def test_a_movement_at_the_start_instant(self, client, headers, make_item, make_warehouse, record):
        item = make_item()
        wh = make_warehouse()
        record(item, wh, "purchase", 10, moved_at=at(2026, 2, 20))
        record(item, wh, "sale", -2, moved_at=at(2026, 3, 1))
        record(item, wh, "sale", -3, moved_at=at(2026, 3, 2, 12))
        [row] = get(client, headers, "turnover", start_date="2026-03-01T00:00:00Z",
                    end_date="2026-03-03T00:00:00Z")["items"]  # fmt: skip
        assert row["quantity_sold"] == 5.0
        assert row["avg_stock"] == 6.5  # on_hand_at(start) = 8: the sale at the start instant is not after it
        assert row["turnover_rate"] == pytest.approx(5 / 6.5)
        assert row["days_on_hand"] == pytest.approx(2 / (5 / 6.5))

    def test_defaults_filter_and_zero_rate(self, client, headers, make_item, make_warehouse, record):
        sold_out, other = make_item(name="A"), make_item(name="B")
        wh = make_warehouse()
        record(sold_out, wh, "purchase", 2, moved_at=utcnow() - timedelta(days=400))
        record(sold_out, wh, "sale", -2)
        record(other, wh, "purchase", 5, moved_at=utcnow() - timedelta(days=400))
        record(other, wh, "sale", -1, moved_at=utcnow() - timedelta(days=400))
        body = get(client, headers, "turnover", start_date="soon", end_date="later")
        assert [row["item_id"] for row in body["items"]] == [sold_out.id]
        row = body["items"][0]
        assert row["avg_stock"] == 1.0 and row["turnover_rate"] == 2.0 and row["days_on_hand"] == 182.5
        start = datetime.fromisoformat(body["start_date"])
        end = datetime.fromisoformat(body["end_date"])
        assert end - start == timedelta(days=365)
        assert get(client, headers, "turnover", item_id=other.id)["items"] == []

    def test_a_period_shorter_than_a_day_has_rate_zero(self, client, headers, make_item, make_warehouse, record):
        item = make_item()
        wh = make_warehouse()
        record(item, wh, "purchase", 5, moved_at=at(2026, 4, 1, 8))
        record(item, wh, "sale", -1, moved_at=at(2026, 4, 1, 9))
        [row] = get(client, headers, "turnover", start_date="2026-04-01T07:00:00Z",
                    end_date="2026-04-01T10:00:00Z")["items"]  # fmt: skip
        assert row["quantity_sold"] == 1.0 and row["turnover_rate"] == 0.0 and row["days_on_hand"] == 0.0

    def test_non_trackable_sales_count_but_hold_no_stock(self, client, headers, make_item, make_warehouse, record):
        item = make_item(is_trackable=False)
        record(item, make_warehouse(), "sale", -3, moved_at=at(2026, 1, 10))
        [row] = get(client, headers, "turnover", start_date="2026-01-01", end_date="2026-01-31")["items"]
        assert row["quantity_sold"] == 3.0 and row["avg_stock"] == 0.0 and row["turnover_rate"] == 0.0


class TestLowStock:
    def test_pinned_example_and_rules(self, client, headers, make_item, make_warehouse, record, session):
        low = make_item(sku="LOW", name="Low", reorder_point=20)
        fine = make_item(name="Fine", reorder_point=2)
        no_row = make_item(name="Rowless", reorder_point=5)
        untracked = make_item(name="Untracked", is_trackable=False, reorder_point=5)
        retired = make_item(name="Retired", reorder_point=50)
        a, b = make_warehouse(code="WH-A", name="Main"), make_warehouse(code="WH-B", name="Back")
        record(low, a, "purchase", 5)
        record(low, b, "purchase", 25)
        record(fine, a, "purchase", 5)
        record(retired, a, "purchase", 5)
        retired.is_active = False
        session.flush()
        assert no_row and untracked
        body = get(client, headers, "low-stock")
        assert body["items"] == [
            {"item_id": low.id, "item_sku": "LOW", "item_name": "Low", "warehouse_id": a.id,
             "warehouse_code": "WH-A", "warehouse_name": "Main", "quantity_on_hand": 5.0, "reorder_point": 20.0,
             "reorder_quantity": 0, "shortfall": 15.0}
        ]  # fmt: skip
        assert get(client, headers, "low-stock", warehouse_id=b.id)["items"] == []
        assert len(get(client, headers, "low-stock", warehouse_id="x")["items"]) == 1


class TestStockLevels:
    URL = "/api/v1/inventory/stock-levels"

    def test_rows_with_their_objects_ordered_and_filtered(self, client, headers, make_item, make_warehouse, record):
        zed, ant = make_item(name="Zed", category="Tools"), make_item(name="Ant", category="Food")
        b, a = make_warehouse(code="B"), make_warehouse(code="A")
        record(zed, a, "purchase", 1)
        record(ant, a, "purchase", 2)
        record(zed, b, "purchase", 3)
        body = client.get(self.URL, headers=headers).json()
        rows = [(s["warehouse"]["code"], s["stock_item"]["name"], s["quantity_on_hand"]) for s in body["stock_levels"]]
        assert rows == [("A", "Ant", 2.0), ("A", "Zed", 1.0), ("B", "Zed", 3.0)]
        first = body["stock_levels"][0]
        assert first["stock_item"]["total_quantity_on_hand"] == 2.0 and first["warehouse"]["id"] == a.id
        assert first["quantity_reserved"] == 0.0 and first["quantity_available"] == 2.0 and first["location"] is None
        by = lambda **p: len(client.get(self.URL, params=p, headers=headers).json()["stock_levels"])  # noqa: E731
        assert by(warehouse_id=b.id) == 1 and by(stock_item_id=zed.id) == 2 and by(category="Food") == 1
        assert by(warehouse_id="nope") == 3
