"""`GET /api/v1/projects` and `GET /api/v1/projects/{id}` (tracking.md §1.1, §2.1–§2.2)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def names(response) -> list[str]:
    return [p["name"] for p in response.json()["projects"]]


class TestListProjects:
    def test_standard_user_sees_only_projects_they_created(self, client, make_project, user_headers, user_id):
        mine = make_project(name="B mine", created_by=user_id)
        make_project(name="A other", created_by=user_id + 1)
        make_project(name="C nobody", created_by=None)
        r = client.get("/api/v1/projects", headers=user_headers)
        assert r.status_code == 200
        assert [p["id"] for p in r.json()["projects"]] == [mine.id]
        assert r.json()["pagination"]["total"] == 1

    @pytest.mark.parametrize("role", ["admin", "manager"])
    def test_admins_and_managers_see_all_ordered_by_name_then_id(
        self, client, make_project, make_known_client, headers_for, next_user_id, role
    ):
        other = make_known_client()
        make_project(name="Zed", created_by=1)
        first = make_project(name="Twin", created_by=2)
        second = make_project(name="Twin", client_id=other.id)
        make_project(name="Alpha", created_by=None)
        r = client.get("/api/v1/projects", headers=headers_for(next_user_id(), "read:projects", role=role))
        assert names(r) == ["Alpha", "Twin", "Twin", "Zed"]
        assert [p["id"] for p in r.json()["projects"][1:3]] == [first.id, second.id]

    def test_subcontractor_sees_projects_of_assigned_clients(
        self, client, make_project, make_known_client, headers_for, next_user_id
    ):
        assigned = make_known_client()
        ours = make_project(client_id=assigned.id)
        uid = next_user_id()
        make_project(created_by=uid)  # own but of another client: outside a subcontractor's scope
        headers = headers_for(uid, "read:projects", role="subcontractor", client_ids=(assigned.id,))
        assert [p["id"] for p in client.get("/api/v1/projects", headers=headers).json()["projects"]] == [ours.id]

    def test_subcontractor_without_clients_sees_nothing(self, client, make_project, headers_for, next_user_id):
        make_project()
        headers = headers_for(next_user_id(), "read:projects", role="subcontractor")
        assert client.get("/api/v1/projects", headers=headers).json()["projects"] == []

    def test_default_is_active_only(self, client, make_project, admin_headers):
        for status in ("active", "inactive", "archived", "on_hold"):
            make_project(name=f"S {status}", status=status)
        assert names(client.get("/api/v1/projects", headers=admin_headers)) == ["S active"]
        assert names(client.get("/api/v1/projects?status=", headers=admin_headers)) == ["S active"]

    def test_status_filter_is_exact_and_all_means_every_status(self, client, make_project, admin_headers):
        for status in ("active", "inactive", "archived", "on_hold"):
            make_project(name=f"S {status}", status=status)
        assert names(client.get("/api/v1/projects?status=archived", headers=admin_headers)) == ["S archived"]
        assert names(client.get("/api/v1/projects?status=on_hold", headers=admin_headers)) == ["S on_hold"]
        assert len(client.get("/api/v1/projects?status=all", headers=admin_headers).json()["projects"]) == 4
        assert client.get("/api/v1/projects?status=bogus", headers=admin_headers).json()["projects"] == []

    def test_client_filter(self, client, make_project, make_known_client, admin_headers):
        acme = make_known_client()
        make_project(name="Of acme", client_id=acme.id)
        make_project(name="Of other")
        assert names(client.get(f"/api/v1/projects?client_id={acme.id}", headers=admin_headers)) == ["Of acme"]
        assert names(client.get(f"/api/v1/projects?client_id=%20{acme.id}", headers=admin_headers)) == ["Of acme"]

    @pytest.mark.parametrize("value", ["abc", "", "1.5", "99999999999999"])
    def test_unusable_client_filter_is_ignored_or_matches_nothing(self, client, make_project, admin_headers, value):
        make_project(name="Kept")
        r = client.get(f"/api/v1/projects?client_id={value}", headers=admin_headers)
        assert r.status_code == 200
        assert names(r) == ([] if value.isdigit() else ["Kept"])

    def test_pagination_edges(self, client, make_project, admin_headers):
        for i in range(5):
            make_project(name=f"P{i}")
        r = client.get("/api/v1/projects?per_page=2&page=3", headers=admin_headers)
        assert names(r) == ["P4"]
        assert r.json()["pagination"] == {
            "page": 3, "per_page": 2, "total": 5, "pages": 3,
            "has_next": False, "has_prev": True, "next_page": None, "prev_page": 2,
        }  # fmt: skip
        r = client.get("/api/v1/projects?per_page=500&page=x&perPage=3", headers=admin_headers)
        assert r.json()["pagination"]["per_page"] == 100 and r.json()["pagination"]["page"] == 1
        r = client.get("/api/v1/projects?page=9", headers=admin_headers)
        assert r.status_code == 200 and r.json()["projects"] == []

    def test_empty_list(self, client, user_headers):
        r = client.get("/api/v1/projects", headers=user_headers)
        assert r.json() == {
            "projects": [],
            "pagination": {
                "page": 1, "per_page": 50, "total": 0, "pages": 0,
                "has_next": False, "has_prev": False, "next_page": None, "prev_page": None,
            },
        }  # fmt: skip

    def test_figures_of_a_page_take_one_entry_query(self, client, engine, make_project, make_entry, admin_headers):
        projects = [make_project(name=f"Fig {i}", hourly_rate=Decimal(50)) for i in range(4)]
        for p in projects:
            make_entry(1, p, T0, T0 + timedelta(hours=1))
        statements: list[str] = []

        def count(conn, cursor, statement, *args):
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", count)
        try:
            r = client.get("/api/v1/projects", headers=admin_headers)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert [p["total_hours"] for p in r.json()["projects"]] == [1.0] * 4
        assert sum("time_entries" in s for s in statements) == 1

    def test_read_scope_required(self, client, headers_for, user_id):
        r = client.get("/api/v1/projects", headers=headers_for(user_id, "write:projects"))
        assert r.status_code == 403
        assert r.json()["error_code"] == "forbidden" and r.json()["required_scope"] == "read:projects"

    def test_no_identity_is_401(self, client):
        assert client.get("/api/v1/projects").status_code == 401


class TestGetProject:
    def test_every_field_of_the_project_object(self, client, make_project, make_known_client, user_headers, user_id):
        acme = make_known_client(name="Acme")
        p = make_project(
            name="Website Redesign",
            client_id=acme.id,
            created_by=user_id,
            description="New site",
            billing_ref="PO-1",
            estimated_hours=Decimal("120.5"),
            hourly_rate=Decimal("75.00"),
            budget_amount=Decimal("10000.00"),
            color="#336699",
        )
        r = client.get(f"/api/v1/projects/{p.id}", headers=user_headers)
        assert r.status_code == 200
        out = r.json()["project"]
        created = out.pop("created_at")
        assert created.endswith("Z") and out.pop("updated_at") == created
        assert out == {
            "id": p.id, "name": "Website Redesign", "code": None, "code_display": "WEBS",
            "client_id": acme.id, "client": "Acme", "description": "New site", "billable": True,
            "hourly_rate": 75.0, "billing_ref": "PO-1", "status": "active", "estimated_hours": 120.5,
            "budget_amount": 10000.0, "budget_threshold_percent": 80,
            "total_hours": 0.0, "total_billable_hours": 0.0, "estimated_cost": None,
            "budget_consumed_amount": 0.0, "budget_threshold_exceeded": False, "total_costs": 0.0,
            "total_billable_costs": 0.0, "total_project_value": 0.0, "custom_fields": {},
            "is_archived": False, "archived_at": None, "archived_by": None, "archived_reason": None,
            "color": "#336699",
        }  # fmt: skip
        assert "created_by" not in out

    def test_figures_come_from_completed_entries(self, client, make_project, make_entry, admin_headers):
        p = make_project(hourly_rate=Decimal("100.00"), budget_amount=Decimal("300.00"))
        other = make_project()
        make_entry(1, p, T0, T0 + timedelta(hours=2))
        make_entry(2, p, T0, T0 + timedelta(minutes=30), billable=False)
        make_entry(1, p, T0 + timedelta(days=1), T0 + timedelta(days=1, minutes=45), break_seconds=900,
                   duration_seconds=1800)  # fmt: skip
        make_entry(1, p, T0 + timedelta(days=2), duration_seconds=600)  # running timer: not counted
        make_entry(1, other, T0, T0 + timedelta(hours=5))
        out = client.get(f"/api/v1/projects/{p.id}", headers=admin_headers).json()["project"]
        assert out["total_hours"] == 3.0
        assert out["total_billable_hours"] == 2.5
        assert out["estimated_cost"] == 250.0
        assert out["budget_consumed_amount"] == 250.0
        assert out["budget_threshold_exceeded"] is True  # 250 ≥ 80% of 300
        assert out["total_project_value"] == 250.0
        assert out["total_costs"] == 0.0 and out["total_billable_costs"] == 0.0

    def test_non_billable_project_has_no_estimated_cost(self, client, make_project, make_entry, admin_headers):
        p = make_project(billable=False, hourly_rate=Decimal("60.00"))
        make_entry(1, p, T0, T0 + timedelta(hours=1))
        out = client.get(f"/api/v1/projects/{p.id}", headers=admin_headers).json()["project"]
        assert out["estimated_cost"] is None and out["total_project_value"] == 0.0
        assert out["budget_consumed_amount"] == 60.0

    def test_zero_money_is_null_and_missing_client_is_unknown(self, client, make_project, admin_headers):
        p = make_project(client_id=987654321, hourly_rate=Decimal("0"), budget_amount=Decimal("0.00"))
        out = client.get(f"/api/v1/projects/{p.id}", headers=admin_headers).json()["project"]
        assert out["hourly_rate"] is None and out["budget_amount"] is None
        assert out["client"] == "Unknown Client"

    def test_deleted_client_keeps_its_name(self, client, make_project, make_known_client, admin_headers):
        gone = make_known_client(name="Gone Ltd", deleted=True)
        p = make_project(client_id=gone.id)
        assert client.get(f"/api/v1/projects/{p.id}", headers=admin_headers).json()["project"]["client"] == "Gone Ltd"

    def test_code_display_prefers_the_code(self, client, make_project, admin_headers):
        p = make_project(name="Mobile App", code="MOB1")
        out = client.get(f"/api/v1/projects/{p.id}", headers=admin_headers).json()["project"]
        assert (out["code"], out["code_display"]) == ("MOB1", "MOB1")

    def test_archived_project_is_readable(self, client, make_project, admin_headers):
        p = make_project(status="archived")
        out = client.get(f"/api/v1/projects/{p.id}", headers=admin_headers).json()["project"]
        assert out["is_archived"] is True and out["status"] == "archived"

    @pytest.mark.parametrize("project_id", ["999999", "2147483648"])
    def test_unknown_is_404(self, client, admin_headers, project_id):
        r = client.get(f"/api/v1/projects/{project_id}", headers=admin_headers)
        assert r.status_code == 404
        assert r.json()["error_code"] == "not_found"
        if project_id == "999999":
            assert r.json()["message"] == "Project with ID 999999 not found"

    def test_outside_scope_is_403(self, client, make_project, user_headers, user_id):
        p = make_project(created_by=user_id + 1)
        r = client.get(f"/api/v1/projects/{p.id}", headers=user_headers)
        assert r.status_code == 403
        assert r.json()["error_code"] == "forbidden"
        assert r.json()["message"] == "You do not have access to this project"

    def test_read_scope_required(self, client, make_project, headers_for, user_id):
        p = make_project(created_by=user_id)
        r = client.get(f"/api/v1/projects/{p.id}", headers=headers_for(user_id, "write:projects"))
        assert r.status_code == 403 and r.json()["required_scope"] == "read:projects"
