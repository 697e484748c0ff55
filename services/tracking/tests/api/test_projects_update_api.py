"""`PUT|PATCH /api/v1/projects/{id}` and `DELETE /api/v1/projects/{id}` (archive), tracking.md
§2.4–§2.5 and the project events of §9."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from tracking.models import Project

METHODS = ["patch", "put"]


@pytest.fixture
def mine(make_project, make_known_client, user_id):
    return make_project(name="Mine", created_by=user_id, client_id=make_known_client(name="Acme").id)


def stored(session, project: Project) -> Project:
    session.expire_all()
    return session.get(Project, project.id)


class TestUpdateProject:
    @pytest.mark.parametrize("method", METHODS)
    def test_partial_update_changes_only_the_keys_sent(
        self, client, mine, user_headers, user_id, outbox_events, method
    ):
        body = {"description": "Now with scope", "hourly_rate": "90", "code": "mine1", "color": "#000000"}
        r = client.request(method, f"/api/v1/projects/{mine.id}", json=body, headers=user_headers)
        assert r.status_code == 200, r.text
        assert r.json()["message"] == "Project updated successfully"
        p = r.json()["project"]
        assert p["name"] == "Mine" and p["client"] == "Acme" and p["status"] == "active"
        assert p["description"] == "Now with scope" and p["hourly_rate"] == 90.0
        assert (p["code"], p["code_display"], p["color"]) == ("MINE1", "MINE1", "#000000")
        [event] = outbox_events("tt.tracking.project.updated")
        assert event["data"] == p | {"created_by": user_id}
        assert outbox_events("tt.tracking.project.unarchived") == []

    def test_updated_at_moves_created_at_stays(self, client, make_project, admin_headers):
        old = datetime(2025, 6, 1, tzinfo=UTC)
        p = make_project(created_at=old, updated_at=old)
        out = client.patch(f"/api/v1/projects/{p.id}", json={"billing_ref": "X"}, headers=admin_headers).json()
        assert out["project"]["created_at"] == "2025-06-01T00:00:00Z"
        assert datetime.fromisoformat(out["project"]["updated_at"]) > old

    def test_every_accepted_key(self, client, mine, make_known_client, user_headers):
        other = make_known_client(name="Other Co")
        body = {
            "name": " Renamed ", "description": None, "client_id": str(other.id), "hourly_rate": None,
            "estimated_hours": "12.5", "status": "inactive", "code": None, "budget_amount": "500",
            "billing_ref": "B-1", "billable": False, "budget_threshold_percent": 50, "color": None,
        }  # fmt: skip
        p = client.patch(f"/api/v1/projects/{mine.id}", json=body, headers=user_headers).json()["project"]
        assert (p["name"], p["client_id"], p["client"]) == ("Renamed", other.id, "Other Co")
        assert p["description"] is None and p["hourly_rate"] is None and p["code"] is None
        assert (p["estimated_hours"], p["status"], p["budget_amount"]) == (12.5, "inactive", 500.0)
        assert (p["billing_ref"], p["billable"], p["budget_threshold_percent"]) == ("B-1", False, 50)

    def test_empty_body_changes_nothing_but_still_emits(self, client, mine, user_headers, outbox_events):
        r = client.patch(f"/api/v1/projects/{mine.id}", headers=user_headers)
        assert r.status_code == 200 and r.json()["project"]["name"] == "Mine"
        assert len(outbox_events("tt.tracking.project.updated")) == 1

    def test_null_for_a_column_that_cannot_hold_it_leaves_it(self, client, mine, user_headers):
        body = {"status": None, "billable": None, "budget_threshold_percent": None}
        p = client.patch(f"/api/v1/projects/{mine.id}", json=body, headers=user_headers).json()["project"]
        assert (p["status"], p["billable"], p["budget_threshold_percent"]) == ("active", True, 80)

    def test_archiving_by_update_does_not_fill_the_archive_fields(self, client, mine, user_headers, outbox_events):
        p = client.patch(f"/api/v1/projects/{mine.id}", json={"status": "archived"}, headers=user_headers)
        p = p.json()["project"]
        assert p["status"] == "archived" and p["is_archived"] is True
        assert (p["archived_at"], p["archived_by"], p["archived_reason"]) == (None, None, None)
        assert outbox_events("tt.tracking.project.archived") == []

    def test_unarchiving_emits_unarchived(self, client, make_project, user_headers, user_id, outbox_events):
        p = make_project(created_by=user_id, status="archived", archived_reason="Archived via API")
        r = client.put(f"/api/v1/projects/{p.id}", json={"status": "active"}, headers=user_headers)
        assert r.status_code == 200
        [event] = outbox_events("tt.tracking.project.unarchived")
        assert event["data"]["status"] == "active" and event["data"]["created_by"] == user_id
        assert r.json()["project"]["archived_reason"] == "Archived via API"  # update never touches these
        assert len(outbox_events("tt.tracking.project.updated")) == 1

    @pytest.mark.parametrize(("old", "new"), [("archived", "inactive"), ("inactive", "active"), ("active", "active")])
    def test_other_status_changes_do_not_unarchive(
        self, client, make_project, user_headers, user_id, outbox_events, old, new
    ):
        p = make_project(created_by=user_id, status=old)
        client.patch(f"/api/v1/projects/{p.id}", json={"status": new}, headers=user_headers)
        assert outbox_events("tt.tracking.project.unarchived") == []

    @pytest.mark.parametrize(
        ("body", "errors"),
        [
            ({"name": "  "}, {"name": ["Project name is required"]}),
            ({"name": None}, {"name": ["Project name is required"]}),
            ({"client_id": None}, {"client_id": ["client_id is required"]}),
            ({"hourly_rate": "abc"}, {"hourly_rate": ["Invalid value"]}),
            ({"status": "gone"}, None),
            ({"budget_threshold_percent": 150}, {"budget_threshold_percent": ["Must be between 0 and 100"]}),
            ({"color": "#fff"}, {"color": ["Must be a colour in the form #rrggbb"]}),
        ],
    )
    def test_same_validation_as_create_and_nothing_changes(
        self, client, mine, session, user_headers, outbox_events, body, errors
    ):
        r = client.patch(f"/api/v1/projects/{mine.id}", json=body | {"description": "changed"}, headers=user_headers)
        assert r.status_code == 400
        assert r.json()["error_code"] == "validation_error"
        if errors is not None:
            assert r.json()["errors"] == errors
        assert list(r.json()["errors"]) == list(body)
        assert stored(session, mine).description is None
        assert outbox_events() == []

    @pytest.mark.parametrize("kind", ["unknown", "deleted"])
    def test_client_change_is_validated(
        self, client, mine, session, make_known_client, user_headers, outbox_events, kind
    ):
        client_id = 987654321 if kind == "unknown" else make_known_client(deleted=True).id
        r = client.patch(f"/api/v1/projects/{mine.id}", json={"client_id": client_id}, headers=user_headers)
        assert r.status_code == 400 and r.json()["error_code"] == "invalid_client"
        assert stored(session, mine).client_id != client_id
        assert outbox_events() == []

    def test_keeping_a_client_that_crm_deleted_is_allowed(self, client, make_project, make_known_client, admin_headers):
        gone = make_known_client(deleted=True)
        p = make_project(client_id=gone.id)
        r = client.patch(f"/api/v1/projects/{p.id}", json={"client_id": gone.id, "name": "Kept"}, headers=admin_headers)
        assert r.status_code == 200

    def test_code_taken_by_another_project(self, client, mine, make_project, session, user_headers, outbox_events):
        make_project(code="TAKEN")
        r = client.patch(f"/api/v1/projects/{mine.id}", json={"code": "taken"}, headers=user_headers)
        assert r.status_code == 400 and r.json()["error_code"] == "duplicate_code"
        assert stored(session, mine).code is None and outbox_events() == []

    def test_keeping_its_own_code_is_fine(self, client, make_project, user_headers, user_id):
        p = make_project(created_by=user_id, code="OWN")
        r = client.patch(f"/api/v1/projects/{p.id}", json={"code": "own", "name": p.name}, headers=user_headers)
        assert r.status_code == 200 and r.json()["project"]["code"] == "OWN"

    def test_name_taken_for_the_same_client(self, client, mine, make_project, session, user_headers, outbox_events):
        make_project(name="Taken", client_id=mine.client_id)
        r = client.patch(f"/api/v1/projects/{mine.id}", json={"name": "Taken"}, headers=user_headers)
        assert r.status_code == 400 and r.json()["error_code"] == "duplicate_project"
        assert stored(session, mine).name == "Mine" and outbox_events() == []

    def test_moving_to_a_client_that_has_the_name(self, client, mine, make_project, user_headers):
        clash = make_project(name="Mine")
        r = client.patch(f"/api/v1/projects/{mine.id}", json={"client_id": clash.client_id}, headers=user_headers)
        assert r.status_code == 400 and r.json()["error_code"] == "duplicate_project"

    def test_unknown_is_404(self, client, admin_headers):
        r = client.patch("/api/v1/projects/999999", json={"name": "X"}, headers=admin_headers)
        assert r.status_code == 404
        assert r.json()["message"] == "Project with ID 999999 not found"

    def test_outside_scope_is_403_and_nothing_changes(
        self, client, make_project, session, user_headers, user_id, outbox_events
    ):
        p = make_project(name="Theirs", created_by=user_id + 1)
        r = client.patch(f"/api/v1/projects/{p.id}", json={"name": "Mine now"}, headers=user_headers)
        assert r.status_code == 403 and r.json()["error_code"] == "forbidden"
        assert stored(session, p).name == "Theirs" and outbox_events() == []

    def test_write_scope_required(self, client, mine, headers_for, user_id):
        r = client.put(f"/api/v1/projects/{mine.id}", json={}, headers=headers_for(user_id, "read:projects"))
        assert r.status_code == 403 and r.json()["required_scope"] == "write:projects"


class TestArchiveProject:
    def test_archives_and_emits_archived_and_updated(self, client, mine, session, user_headers, user_id, outbox_events):
        before = datetime.now(UTC)
        r = client.delete(f"/api/v1/projects/{mine.id}", headers=user_headers)
        assert r.status_code == 200
        assert r.json() == {"message": "Project archived successfully"}
        p = stored(session, mine)
        assert p.status == "archived" and p.archived_by == user_id
        assert p.archived_reason == "Archived via API" and p.archived_at >= before
        [archived] = outbox_events("tt.tracking.project.archived")
        [updated] = outbox_events("tt.tracking.project.updated")
        assert archived["data"] == updated["data"]
        data = archived["data"]
        assert data["is_archived"] is True and data["archived_by"] == user_id and data["created_by"] == user_id
        assert data["archived_reason"] == "Archived via API" and data["archived_at"].endswith("Z")

    def test_archived_project_leaves_the_default_list_but_keeps_its_figures(
        self, client, mine, make_entry, user_headers, user_id
    ):
        t = datetime(2026, 1, 5, 9, tzinfo=UTC)
        make_entry(user_id, mine, t, t + timedelta(hours=1))
        client.delete(f"/api/v1/projects/{mine.id}", headers=user_headers)
        assert client.get("/api/v1/projects", headers=user_headers).json()["projects"] == []
        archived = client.get("/api/v1/projects?status=archived", headers=user_headers).json()["projects"]
        assert [(p["id"], p["total_hours"]) for p in archived] == [(mine.id, 1.0)]

    def test_repeating_it_re_stamps_archived_at(self, client, make_project, session, admin_headers, admin_id):
        old = datetime(2025, 1, 1, tzinfo=UTC)
        p = make_project(status="archived", archived_at=old, archived_by=1, archived_reason="manual")
        r = client.delete(f"/api/v1/projects/{p.id}", headers=admin_headers)
        assert r.status_code == 200
        again = stored(session, p)
        assert again.archived_at > old and again.archived_by == admin_id and again.archived_reason == "Archived via API"

    def test_unknown_is_404(self, client, admin_headers, outbox_events):
        r = client.delete("/api/v1/projects/999999", headers=admin_headers)
        assert r.status_code == 404 and r.json()["error_code"] == "not_found"
        assert outbox_events() == []

    def test_outside_scope_is_403_and_nothing_changes(self, client, make_project, session, user_headers, outbox_events):
        p = make_project(created_by=None)
        r = client.delete(f"/api/v1/projects/{p.id}", headers=user_headers)
        assert r.status_code == 403
        assert stored(session, p).status == "active" and outbox_events() == []

    def test_write_scope_required(self, client, mine, session, headers_for, user_id):
        r = client.delete(f"/api/v1/projects/{mine.id}", headers=headers_for(user_id, "read:*"))
        assert r.status_code == 403 and r.json()["required_scope"] == "write:projects"
        assert stored(session, mine).status == "active"

    def test_manager_may_archive_any_project(self, client, make_project, headers_for, next_user_id):
        p = make_project(created_by=None, hourly_rate=Decimal("10.00"))
        r = client.delete(
            f"/api/v1/projects/{p.id}", headers=headers_for(next_user_id(), "write:projects", role="manager")
        )
        assert r.status_code == 200
