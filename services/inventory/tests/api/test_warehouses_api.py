"""`/api/v1/inventory/warehouses` (inventory.md §2)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from inventory.models import Warehouse

URL = "/api/v1/inventory/warehouses"


def count(session) -> int:
    return session.scalar(select(func.count()).select_from(Warehouse))


class TestCreateWarehouse:
    def test_creates_with_every_field_and_records_the_event(self, client, headers, user_id, outbox_events):
        body = {
            "name": " Main ",
            "code": " wh-a ",
            "address": "1 Dock Road",
            "contact_person": "Jo",
            "contact_email": "jo@example.test",
            "contact_phone": "+39 06 123",
            "notes": "Ground floor",
            "is_active": True,
        }
        r = client.post(URL, json=body, headers=headers)
        assert r.status_code == 201, r.text
        assert r.json()["message"] == "Warehouse created successfully"
        w = r.json()["warehouse"]
        assert w["name"] == "Main" and w["code"] == "WH-A"
        assert w["address"] == "1 Dock Road" and w["contact_email"] == "jo@example.test"
        assert w["is_active"] is True and w["created_by"] == user_id
        assert w["created_at"].endswith("Z") and w["updated_at"] == w["created_at"]
        [event] = outbox_events("tt.inventory.warehouse.created")
        assert event["data"] == w and event["entity_id"] == str(w["id"])

    def test_minimal_body_is_active_with_nulls(self, client, headers):
        w = client.post(URL, json={"name": "Spare", "code": "SP"}, headers=headers).json()["warehouse"]
        assert w["is_active"] is True
        assert all(w[f] is None for f in ("address", "contact_person", "contact_email", "contact_phone", "notes"))

    @pytest.mark.parametrize(
        ("body", "missing"),
        [({}, ["name", "code"]), ({"name": "X"}, ["code"]), ({"code": "X", "name": "  "}, ["name"])],
    )
    def test_name_and_code_are_required(self, client, headers, session, outbox_events, body, missing):
        r = client.post(URL, json=body, headers=headers)
        assert r.status_code == 400
        assert r.json()["error_code"] == "validation_error"
        assert sorted(r.json()["errors"]) == sorted(missing)
        assert r.json()["message"] == "Missing required fields: " + ", ".join(missing)
        assert count(session) == 0 and outbox_events() == []

    @pytest.mark.parametrize(
        ("field", "value"),
        [("name", "x" * 201), ("code", "C" * 51), ("contact_phone", "1" * 51), ("is_active", "maybe"), ("notes", 5)],
    )
    def test_invalid_field_is_a_validation_error(self, client, headers, session, field, value):
        r = client.post(URL, json={"name": "N", "code": "C1", field: value}, headers=headers)
        assert r.status_code == 400, r.text
        assert r.json()["error_code"] == "validation_error" and list(r.json()["errors"]) == [field]
        assert count(session) == 0

    def test_duplicate_code_is_a_conflict(self, client, headers, make_warehouse, session):
        make_warehouse(code="WH-A")
        r = client.post(URL, json={"name": "Other", "code": "wh-a"}, headers=headers)
        assert r.status_code == 409 and r.json()["error_code"] == "conflict"
        assert count(session) == 1

    def test_not_json_object_is_bad_request(self, client, headers):
        r = client.post(URL, json=["name"], headers=headers)
        assert r.status_code == 400 and r.json()["error_code"] == "bad_request"


class TestListWarehouses:
    def test_active_ordered_by_code_under_items(self, client, headers, make_warehouse):
        make_warehouse(code="B", name="Bee")
        make_warehouse(code="A", name="Ay")
        make_warehouse(code="C", name="Off", is_active=False)
        r = client.get(URL, headers=headers)
        assert r.status_code == 200
        assert [w["code"] for w in r.json()["items"]] == ["A", "B"]
        assert r.json()["pagination"]["total"] == 2

    @pytest.mark.parametrize("value", ["false", "no", "0", ""])
    def test_only_literal_true_keeps_the_active_filter(self, client, headers, make_warehouse, value):
        make_warehouse(code="A")
        make_warehouse(code="C", is_active=False)
        r = client.get(URL, params={"active_only": value}, headers=headers)
        assert [w["code"] for w in r.json()["items"]] == ["A", "C"]

    def test_active_only_true_is_case_insensitive(self, client, headers, make_warehouse):
        make_warehouse(code="C", is_active=False)
        assert client.get(URL, params={"active_only": "TRUE"}, headers=headers).json()["items"] == []

    def test_pagination(self, client, headers, make_warehouse):
        for code in "ABC":
            make_warehouse(code=code)
        body = client.get(URL, params={"page": 2, "per_page": 2}, headers=headers).json()
        assert [w["code"] for w in body["items"]] == ["C"]
        assert body["pagination"] == {
            "page": 2, "per_page": 2, "total": 3, "pages": 2,
            "has_next": False, "has_prev": True, "next_page": None, "prev_page": 1,
        }  # fmt: skip


class TestGetUpdateDeleteWarehouse:
    def test_get(self, client, headers, make_warehouse):
        w = make_warehouse(code="A")
        r = client.get(f"{URL}/{w.id}", headers=headers)
        assert r.status_code == 200 and r.json()["warehouse"]["code"] == "A"

    @pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
    def test_unknown_is_404(self, client, headers, method):
        kwargs = {"json": {"name": "X"}} if method in ("put", "patch") else {}
        r = getattr(client, method)(f"{URL}/999999", headers=headers, **kwargs)
        assert r.status_code == 404 and r.json()["error_code"] == "not_found"
        assert r.json()["message"] == "Warehouse with ID 999999 not found"

    @pytest.mark.parametrize("method", ["put", "patch"])
    def test_update_changes_only_the_keys_sent(self, client, headers, make_warehouse, outbox_events, method):
        w = make_warehouse(code="A", name="Main", address="Old")
        r = getattr(client, method)(f"{URL}/{w.id}", json={"name": "Renamed", "notes": "n"}, headers=headers)
        assert r.status_code == 200, r.text
        assert r.json()["message"] == "Warehouse updated successfully"
        out = r.json()["warehouse"]
        assert out["name"] == "Renamed" and out["notes"] == "n" and out["address"] == "Old" and out["code"] == "A"
        [event] = outbox_events("tt.inventory.warehouse.updated")
        assert event["data"] == out

    def test_update_to_a_taken_code_is_a_conflict(self, client, headers, make_warehouse, session):
        make_warehouse(code="A")
        b = make_warehouse(code="B")
        r = client.patch(f"{URL}/{b.id}", json={"code": "a"}, headers=headers)
        assert r.status_code == 409 and r.json()["error_code"] == "conflict"
        session.expire_all()
        assert session.get(Warehouse, b.id).code == "B"

    def test_update_cannot_empty_the_name(self, client, headers, make_warehouse):
        w = make_warehouse(code="A")
        r = client.patch(f"{URL}/{w.id}", json={"name": ""}, headers=headers)
        assert r.status_code == 400 and list(r.json()["errors"]) == ["name"]

    def test_delete_deactivates(self, client, headers, make_warehouse, outbox_events, session):
        w = make_warehouse(code="A")
        r = client.delete(f"{URL}/{w.id}", headers=headers)
        assert r.status_code == 200 and r.json() == {"message": "Warehouse deactivated successfully"}
        session.expire_all()
        assert session.get(Warehouse, w.id).is_active is False
        [event] = outbox_events("tt.inventory.warehouse.updated")
        assert event["data"]["is_active"] is False
