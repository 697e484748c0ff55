"""`/api/v1/clients` (crm.md §1)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from crm.models import Client, ClientNote, Contact, Quote


class TestCreateClient:
    def test_creates_with_every_field_and_records_the_event(self, client, user_headers, user_id, outbox_events):
        body = {
            "name": "  Acme Corp ",
            "email": "billing@acme.example",
            "phone": "+1 555 0100",
            "address": "1 Main St",
            "company": "Acme Holdings",
            "description": "Key account",
            "contact_person": "Jo Doe",
            "default_hourly_rate": "75.5",
            "custom_fields": {"erp_id": "A-1"},
            "status": "inactive",
            "prepaid_hours_monthly": 10,
            "prepaid_reset_day": 31,
        }
        r = client.post("/api/v1/clients", json=body, headers=user_headers)
        assert r.status_code == 201, r.text
        out = r.json()
        assert out["message"] == "Client created successfully"
        c = out["client"]
        assert c["name"] == "Acme Corp"
        assert c["company"] == "Acme Holdings"
        assert c["default_hourly_rate"] == 75.5
        assert c["status"] == "inactive" and c["is_active"] is False
        assert c["prepaid_hours_monthly"] == 10.0
        assert c["prepaid_reset_day"] == 28
        assert c["custom_fields"] == {"erp_id": "A-1"}
        assert c["total_projects"] == 0 and c["active_projects"] == 0
        assert c["created_at"].endswith("Z")
        assert c["updated_at"] == c["created_at"]
        assert "created_by" not in c
        [event] = outbox_events("tt.crm.client.created")
        assert event["data"]["name"] == "Acme Corp"
        assert event["data"]["created_by"] == user_id
        assert event["data"]["status"] == "inactive"
        assert event["entity_id"] == str(c["id"])

    def test_minimal_body_gets_the_defaults(self, client, user_headers):
        r = client.post("/api/v1/clients", json={"name": "Solo"}, headers=user_headers)
        assert r.status_code == 201
        c = r.json()["client"]
        assert c["status"] == "active" and c["is_active"] is True
        assert c["prepaid_reset_day"] == 1
        assert c["custom_fields"] == {}
        for field in ("email", "phone", "company", "default_hourly_rate", "prepaid_hours_monthly", "description"):
            assert c[field] is None

    def test_blank_optional_strings_are_stored_as_null(self, client, user_headers):
        r = client.post("/api/v1/clients", json={"name": "Blanky", "email": "  ", "phone": ""}, headers=user_headers)
        assert r.status_code == 201
        assert r.json()["client"]["email"] is None and r.json()["client"]["phone"] is None

    @pytest.mark.parametrize("name", [None, "", "   "])
    def test_name_is_required_and_nothing_is_written(self, client, user_headers, outbox_events, session, name):
        body = {} if name is None else {"name": name}
        r = client.post("/api/v1/clients", json=body, headers=user_headers)
        assert r.status_code == 400
        assert r.json()["error_code"] == "validation_error"
        assert r.json()["errors"] == {"name": ["Client name is required"]}
        assert outbox_events() == []
        assert session.scalar(select(func.count()).select_from(Client)) == 0

    def test_duplicate_name_is_refused(self, client, user_headers, make_client, outbox_events):
        make_client(name="Taken")
        r = client.post("/api/v1/clients", json={"name": " Taken "}, headers=user_headers)
        assert r.status_code == 400
        assert r.json()["error_code"] == "duplicate_client"
        assert outbox_events() == []

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("default_hourly_rate", "abc"),
            ("default_hourly_rate", -5),
            ("default_hourly_rate", True),
            ("email", "not-an-email"),
            ("status", "archived"),
            ("name", "x" * 201),
            ("phone", "1" * 51),
            ("prepaid_reset_day", "soon"),
            ("custom_fields", ["not", "an", "object"]),
        ],
    )
    def test_invalid_field_is_a_validation_error(self, client, user_headers, field, value):
        r = client.post("/api/v1/clients", json={"name": "Valid", field: value}, headers=user_headers)
        assert r.status_code == 400, r.text
        assert r.json()["error_code"] == "validation_error"
        assert list(r.json()["errors"]) == [field]

    @pytest.mark.parametrize("email", ["billing@acme.local", "qa@example.test", "ops@intranet.invalid"])
    def test_email_on_an_internal_domain_is_accepted(self, client, user_headers, email):
        r = client.post("/api/v1/clients", json={"name": f"Internal {email}", "email": email}, headers=user_headers)
        assert r.status_code == 201, r.text
        assert r.json()["client"]["email"] == email

    @pytest.mark.parametrize("email", ["a@", "@b.c", "a b@c.d"])
    def test_malformed_email_is_the_standard_validation_error(self, client, user_headers, session, email):
        r = client.post("/api/v1/clients", json={"name": "Malformed", "email": email}, headers=user_headers)
        assert r.status_code == 400
        body = r.json()
        assert {"error", "message", "error_code", "errors"} <= set(body) and body["success"] is False
        assert body["error_code"] == "validation_error"
        assert body["errors"] == {"email": ["Not a valid email address."]}
        assert session.scalar(select(func.count()).select_from(Client)) == 0

    def test_numeric_string_rate_is_accepted(self, client, user_headers):
        r = client.post(
            "/api/v1/clients", json={"name": "Rated", "default_hourly_rate": "80.125"}, headers=user_headers
        )
        assert r.json()["client"]["default_hourly_rate"] == 80.13

    def test_non_json_body_is_415(self, client, user_headers):
        r = client.post("/api/v1/clients", content="name=x", headers=user_headers | {"Content-Type": "text/plain"})
        assert r.status_code == 415

    def test_write_scope_required(self, client, headers_for, user_id):
        r = client.post("/api/v1/clients", json={"name": "X"}, headers=headers_for(user_id, "read:clients"))
        assert r.status_code == 403
        assert r.json()["error_code"] == "forbidden"
        assert r.json()["required_scope"] == "write:clients"

    def test_disabled_module_answers_module_disabled(self, client, headers_for, user_id):
        headers = headers_for(user_id, "write:clients", modules_off=("clients", "contacts"))
        r = client.post("/api/v1/clients", json={"name": "X"}, headers=headers)
        assert r.status_code == 403
        assert r.json()["error_code"] == "module_disabled"
        assert r.json()["error"] == "module_disabled"


class TestListClients:
    def test_standard_user_sees_only_clients_they_created(self, client, make_client, user_headers, user_id):
        mine = make_client(name="B mine", created_by=user_id)
        make_client(name="A other", created_by=user_id + 1)
        make_client(name="C nobody", created_by=None)
        r = client.get("/api/v1/clients", headers=user_headers)
        assert r.status_code == 200
        assert [c["id"] for c in r.json()["clients"]] == [mine.id]
        assert r.json()["pagination"]["total"] == 1

    @pytest.mark.parametrize("role", ["admin", "manager"])
    def test_admins_and_managers_see_all_ordered_by_name(self, client, make_client, headers_for, next_user_id, role):
        make_client(name="Zed", created_by=1)
        make_client(name="Alpha", created_by=2)
        r = client.get("/api/v1/clients", headers=headers_for(next_user_id(), "read:clients", role=role))
        assert [c["name"] for c in r.json()["clients"]] == ["Alpha", "Zed"]

    def test_subcontractor_sees_assigned_clients_only(self, client, make_client, headers_for, next_user_id):
        assigned = make_client(name="Assigned")
        make_client(name="Other")
        headers = headers_for(next_user_id(), "read:clients", role="subcontractor", client_ids=(assigned.id,))
        r = client.get("/api/v1/clients", headers=headers)
        assert [c["id"] for c in r.json()["clients"]] == [assigned.id]

    def test_status_filter_is_exact(self, client, make_client, admin_headers):
        make_client(name="On", status="active")
        make_client(name="Off", status="inactive")
        r = client.get("/api/v1/clients?status=inactive", headers=admin_headers)
        assert [c["name"] for c in r.json()["clients"]] == ["Off"]
        r = client.get("/api/v1/clients?status=bogus", headers=admin_headers)
        assert r.json()["clients"] == []

    def test_project_counts_come_from_the_project_replica(self, client, make_client, make_project, admin_headers):
        c = make_client(name="Busy")
        make_project(c.id, "active")
        make_project(c.id, "archived")
        make_project(c.id, "active")
        r = client.get("/api/v1/clients", headers=admin_headers)
        [out] = r.json()["clients"]
        assert (out["total_projects"], out["active_projects"]) == (3, 2)

    def test_pagination_edges(self, client, make_client, admin_headers):
        for i in range(5):
            make_client(name=f"P{i}")
        r = client.get("/api/v1/clients?per_page=2&page=3", headers=admin_headers)
        assert [c["name"] for c in r.json()["clients"]] == ["P4"]
        assert r.json()["pagination"] == {
            "page": 3, "per_page": 2, "total": 5, "pages": 3,
            "has_next": False, "has_prev": True, "next_page": None, "prev_page": 2,
        }  # fmt: skip
        r = client.get("/api/v1/clients?per_page=500&page=x", headers=admin_headers)
        assert r.json()["pagination"]["per_page"] == 100 and r.json()["pagination"]["page"] == 1
        r = client.get("/api/v1/clients?page=9", headers=admin_headers)
        assert r.status_code == 200 and r.json()["clients"] == []

    def test_read_scope_required(self, client, headers_for, user_id):
        r = client.get("/api/v1/clients", headers=headers_for(user_id, "write:clients"))
        assert r.status_code == 403 and r.json()["required_scope"] == "read:clients"

    def test_no_identity_is_401(self, client):
        assert client.get("/api/v1/clients").status_code == 401


class TestGetClient:
    def test_returns_the_client(self, client, make_client, user_headers, user_id):
        c = make_client(name="Mine", created_by=user_id, default_hourly_rate=Decimal("75.00"))
        r = client.get(f"/api/v1/clients/{c.id}", headers=user_headers)
        assert r.status_code == 200
        assert r.json()["client"]["default_hourly_rate"] == 75.0
        assert isinstance(r.json()["client"]["default_hourly_rate"], float)

    @pytest.mark.parametrize("client_id", ["999999", "2147483648", "99999999999999999999"])
    def test_unknown_is_404(self, client, admin_headers, client_id):
        r = client.get(f"/api/v1/clients/{client_id}", headers=admin_headers)
        assert r.status_code == 404 and r.json()["error_code"] == "not_found"

    def test_outside_scope_is_403(self, client, make_client, user_headers):
        c = make_client(name="Theirs", created_by=1)
        r = client.get(f"/api/v1/clients/{c.id}", headers=user_headers)
        assert r.status_code == 403
        assert r.json()["message"] == "You do not have access to this client"


class TestUpdateClient:
    @pytest.mark.parametrize("method", ["put", "patch"])
    def test_partial_update_changes_only_sent_keys(
        self, client, make_client, user_headers, user_id, method, outbox_events
    ):
        c = make_client(name="Before", email="a@b.example", created_by=user_id)
        r = client.request(method, f"/api/v1/clients/{c.id}", json={"phone": "123"}, headers=user_headers)
        assert r.status_code == 200
        assert r.json()["message"] == "Client updated successfully"
        out = r.json()["client"]
        assert (out["name"], out["email"], out["phone"]) == ("Before", "a@b.example", "123")
        [event] = outbox_events("tt.crm.client.updated")
        assert event["data"]["phone"] == "123" and event["data"]["created_by"] == user_id

    def test_rename_keeps_names_unique(self, client, make_client, admin_headers, outbox_events):
        make_client(name="Existing")
        c = make_client(name="Mine")
        r = client.patch(f"/api/v1/clients/{c.id}", json={"name": "Existing"}, headers=admin_headers)
        assert r.status_code == 400 and r.json()["error_code"] == "duplicate_client"
        r = client.patch(f"/api/v1/clients/{c.id}", json={"name": "Mine"}, headers=admin_headers)
        assert r.status_code == 200
        assert len(outbox_events("tt.crm.client.updated")) == 1

    @pytest.mark.parametrize("name", [None, "  "])
    def test_name_cannot_be_blanked(self, client, make_client, admin_headers, name):
        c = make_client(name="Keep")
        r = client.patch(f"/api/v1/clients/{c.id}", json={"name": name}, headers=admin_headers)
        assert r.status_code == 400 and r.json()["errors"] == {"name": ["Client name is required"]}

    def test_status_can_retire_a_client_and_null_clears_optional_fields(self, client, make_client, admin_headers):
        c = make_client(name="Retire", email="x@y.example", custom_fields={"a": 1})
        body = {"status": "inactive", "email": None, "custom_fields": None}
        r = client.patch(f"/api/v1/clients/{c.id}", json=body, headers=admin_headers)
        out = r.json()["client"]
        assert (out["status"], out["is_active"], out["email"], out["custom_fields"]) == ("inactive", False, None, {})

    def test_unknown_is_404_and_outside_scope_is_403(self, client, make_client, user_headers):
        assert client.patch("/api/v1/clients/999999", json={}, headers=user_headers).status_code == 404
        c = make_client(name="Foreign", created_by=1)
        assert client.patch(f"/api/v1/clients/{c.id}", json={"phone": "1"}, headers=user_headers).status_code == 403


class TestDeleteClient:
    def test_deletes_with_contacts_and_notes(self, client, make_client, admin_headers, session, outbox_events):
        c = make_client(name="Gone")
        session.add(Contact(client_id=c.id, first_name="A", last_name="B", created_by=1))
        session.add(ClientNote(client_id=c.id, user_id=1, content="hello"))
        session.flush()
        r = client.delete(f"/api/v1/clients/{c.id}", headers=admin_headers)
        assert r.status_code == 200 and r.json() == {"message": "Client deleted successfully"}
        client_id = c.id
        session.expire_all()
        assert session.get(Client, client_id) is None
        assert session.scalar(select(func.count()).select_from(Contact)) == 0
        assert session.scalar(select(func.count()).select_from(ClientNote)) == 0
        [event] = outbox_events("tt.crm.client.deleted")
        assert event["data"]["name"] == "Gone"

    @pytest.mark.parametrize("status", ["active", "archived"])
    def test_client_with_projects_is_refused(
        self, client, make_client, make_project, admin_headers, status, outbox_events
    ):
        c = make_client(name="Has projects")
        make_project(c.id, status)
        r = client.delete(f"/api/v1/clients/{c.id}", headers=admin_headers)
        assert r.status_code == 409 and r.json()["error_code"] == "conflict"
        assert client.get(f"/api/v1/clients/{c.id}", headers=admin_headers).status_code == 200
        assert outbox_events() == []

    def test_client_with_quotes_is_refused(self, client, make_client, admin_headers, session):
        c = make_client(name="Has quotes")
        session.add(Quote(quote_number="Q-1", client_id=c.id, title="T", created_by=1))
        session.flush()
        r = client.delete(f"/api/v1/clients/{c.id}", headers=admin_headers)
        assert r.status_code == 409

    def test_unknown_404_outside_scope_403(self, client, make_client, user_headers):
        assert client.delete("/api/v1/clients/999999", headers=user_headers).status_code == 404
        c = make_client(name="Not mine", created_by=1)
        assert client.delete(f"/api/v1/clients/{c.id}", headers=user_headers).status_code == 403
