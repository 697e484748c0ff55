"""`GET|PUT|PATCH /api/v1/timer/settings`: the single-active-timer switch, for admin users
holding `admin:all` (our decision; upstream changes it in its web admin)."""

from __future__ import annotations

import pytest

from tracking import timer_settings

SETTINGS = "/api/v1/timer/settings"


@pytest.fixture
def stored(session, settings):
    def read() -> bool:
        row = timer_settings.ensure_row(session, settings)
        session.refresh(row)
        return row.single_active_timer

    return read


class TestGetTimerSettings:
    def test_admin_reads_the_setting(self, client, admin_headers, stored):
        r = client.get(SETTINGS, headers=admin_headers)
        assert r.status_code == 200
        assert r.json() == {"settings": {"single_active_timer": stored()}}

    def test_non_admin_with_admin_scope_is_denied(self, client, headers_for, user_id):
        r = client.get(SETTINGS, headers=headers_for(user_id, "admin:all"))
        assert r.status_code == 403
        assert r.json()["error_code"] == "forbidden" and r.json()["error"] == "Access denied"

    def test_admin_without_admin_scope_is_denied(self, client, headers_for, admin_id):
        r = client.get(SETTINGS, headers=headers_for(admin_id, "read:*", "write:*", role="admin"))
        assert r.status_code == 403 and r.json()["required_scope"] == "admin:all"


class TestUpdateTimerSettings:
    @pytest.mark.parametrize("method", ["PUT", "PATCH"])
    def test_switches_the_rule_off_and_on(self, client, admin_headers, stored, method):
        r = client.request(method, SETTINGS, json={"single_active_timer": False}, headers=admin_headers)
        assert r.status_code == 200, r.text
        assert r.json() == {
            "message": "Timer settings updated successfully",
            "settings": {"single_active_timer": False},
        }
        assert stored() is False
        assert client.get(SETTINGS, headers=admin_headers).json()["settings"]["single_active_timer"] is False
        r = client.request(method, SETTINGS, json={"single_active_timer": "true"}, headers=admin_headers)
        assert r.json()["settings"]["single_active_timer"] is True and stored() is True

    def test_the_setting_governs_timer_start(self, client, admin_headers, headers_for, user_id, make_project):
        project = make_project(created_by=user_id)
        user = headers_for(user_id, "write:time_entries")
        client.patch(SETTINGS, json={"single_active_timer": True}, headers=admin_headers)
        assert client.post("/api/v1/timer/start", json={"project_id": project.id}, headers=user).status_code == 201
        assert client.post("/api/v1/timer/start", json={"project_id": project.id}, headers=user).status_code == 409
        client.patch(SETTINGS, json={"single_active_timer": False}, headers=admin_headers)
        assert client.post("/api/v1/timer/start", json={"project_id": project.id}, headers=user).status_code == 201

    @pytest.mark.parametrize("body", [{}, {"single_active_timer": None}, {"other": 1}])
    def test_missing_key_changes_nothing(self, client, admin_headers, stored, body):
        before = stored()
        r = client.put(SETTINGS, json=body, headers=admin_headers)
        assert r.status_code == 200
        assert r.json()["settings"]["single_active_timer"] is before and stored() is before

    def test_not_a_boolean_is_a_validation_error(self, client, admin_headers, stored):
        before = stored()
        r = client.patch(SETTINGS, json={"single_active_timer": "maybe"}, headers=admin_headers)
        assert r.status_code == 400 and r.json()["error_code"] == "validation_error"
        assert list(r.json()["errors"]) == ["single_active_timer"]
        assert stored() is before

    def test_non_admin_with_admin_scope_changes_nothing(self, client, headers_for, user_id, stored):
        before = stored()
        r = client.patch(SETTINGS, json={"single_active_timer": not before}, headers=headers_for(user_id, "admin:all"))
        assert r.status_code == 403 and r.json()["error"] == "Access denied"
        assert stored() is before

    def test_admin_scope_required(self, client, headers_for, admin_id, stored):
        before = stored()
        headers = headers_for(admin_id, "write:*", role="admin")
        r = client.put(SETTINGS, json={"single_active_timer": not before}, headers=headers)
        assert r.status_code == 403 and r.json()["required_scope"] == "admin:all"
        assert stored() is before
