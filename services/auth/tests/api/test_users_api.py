"""`/api/v1/users` (auth.md §1–§4)."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from auth.models import User
from auth.passwords import verify_password

ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$")
USER_KEYS = {
    "id", "username", "email", "full_name", "display_name", "role", "is_admin", "created_at", "last_login",
    "is_active", "total_hours", "avatar_url", "status", "date_format", "time_format", "timezone",
    "standard_hours_per_day", "overtime_include_weekends",
}  # fmt: skip


class TestMe:
    def test_returns_user_requirements_and_modules(self, client, make_user, headers_for):
        user = make_user(full_name="  Ann Smith ", email="ann@example.com", total_seconds=5400 + 18)
        r = client.get("/api/v1/users/me", headers=headers_for(user, "read:users"))
        assert r.status_code == 200
        body = r.json()
        assert set(body) == {"user", "time_entry_requirements", "enabled_modules"}
        u = body["user"]
        assert set(u) == USER_KEYS
        assert u["id"] == user.id and u["username"] == user.username and u["email"] == "ann@example.com"
        assert u["display_name"] == "Ann Smith" and u["role"] == "user" and u["is_admin"] is False
        assert ISO_Z.match(u["created_at"]) and u["last_login"] is None and u["status"] == "offline"
        assert u["total_hours"] == 1.5 and u["avatar_url"] is None
        assert (u["date_format"], u["time_format"], u["timezone"]) == ("YYYY-MM-DD", "24h", "Europe/Rome")
        assert u["standard_hours_per_day"] == 8.0 and u["overtime_include_weekends"] is True
        assert body["time_entry_requirements"] == {
            "require_task": False,
            "require_description": False,
            "description_min_length": 20,
        }
        assert body["enabled_modules"][:5] == ["auth", "main", "projects", "timer", "tasks"]

    def test_user_preferences_and_presence(self, client, make_user, headers_for):
        user = make_user(
            full_name="   ",
            timezone="America/New_York",
            date_format="DD.MM.YYYY",
            time_format="12h",
            avatar_filename="a.png",
            last_login=datetime.now(UTC) - timedelta(minutes=30),
        )
        u = client.get("/api/v1/users/me", headers=headers_for(user, "read:*")).json()["user"]
        assert u["display_name"] == user.username
        assert (u["timezone"], u["date_format"], u["time_format"]) == ("America/New_York", "DD.MM.YYYY", "12h")
        assert u["avatar_url"] == "/uploads/avatars/a.png" and u["status"] == "away"
        assert ISO_Z.match(u["last_login"])

    def test_invalid_stored_preferences_fall_back_to_system_settings(self, make_app_client, make_user, headers_for):
        client = make_app_client(date_format="DD/MM/YYYY", time_format="12h", timezone="Europe/Berlin")
        user = make_user(timezone="Bogus/Zone", date_format="weird")
        u = client.get("/api/v1/users/me", headers=headers_for(user, "read:users")).json()["user"]
        assert (u["timezone"], u["date_format"], u["time_format"]) == ("Europe/Berlin", "DD/MM/YYYY", "12h")

    def test_settings_drive_requirements_and_modules(self, make_app_client, make_user, headers_for, admin):
        client = make_app_client(
            time_entry_require_task=True,
            time_entry_description_min_length=5,
            disabled_modules="clients,inventory",
        )
        user = make_user()
        body = client.get("/api/v1/users/me", headers=headers_for(user, "read:users")).json()
        assert body["time_entry_requirements"]["require_task"] is True
        assert body["time_entry_requirements"]["description_min_length"] == 5
        assert "clients" not in body["enabled_modules"] and "inventory" not in body["enabled_modules"]
        admin_modules = client.get("/api/v1/users/me", headers=headers_for(admin, "read:users")).json()
        assert "clients" in admin_modules["enabled_modules"] and "inventory" not in admin_modules["enabled_modules"]

    def test_missing_scope_is_403_with_scope_details(self, client, make_user, headers_for):
        user = make_user()
        r = client.get("/api/v1/users/me", headers=headers_for(user, "read:projects", "write:users"))
        assert r.status_code == 403
        assert r.json() == {
            "success": False,
            "error": "Insufficient permissions",
            "message": "This endpoint requires the 'read:users' scope",
            "error_code": "forbidden",
            "required_scope": "read:users",
            "available_scopes": ["read:projects", "write:users"],
        }

    def test_deactivated_user_is_401(self, client, make_user, headers_for):
        user = make_user(is_active=False)
        r = client.get("/api/v1/users/me", headers=headers_for(user, "read:users"))
        assert r.status_code == 401 and r.json()["error_code"] == "unauthorized"

    def test_without_gateway_identity_is_401(self, client):
        r = client.get("/api/v1/users/me")
        assert r.status_code == 401 and r.json()["error_code"] == "unauthorized"


class TestListUsers:
    def test_active_users_by_username_paginated(self, client, make_user, headers_for, session):
        session.execute(User.__table__.update().values(is_active=False))
        make_user(username="carol")
        make_user(username="alice")
        make_user(username="bob", is_active=False)
        caller = make_user(username="zed")
        r = client.get("/api/v1/users?per_page=2", headers=headers_for(caller, "admin:all"))
        assert r.status_code == 200
        body = r.json()
        assert [u["username"] for u in body["users"]] == ["alice", "carol"]
        assert body["pagination"] == {
            "page": 1, "per_page": 2, "total": 3, "pages": 2, "has_next": True, "has_prev": False,
            "next_page": 2, "prev_page": None,
        }  # fmt: skip
        assert set(body["users"][0]) == USER_KEYS
        page2 = client.get("/api/v1/users?page=2&per_page=2&perPage=9", headers=headers_for(caller, "admin:*")).json()
        assert [u["username"] for u in page2["users"]] == ["zed"]

    def test_non_admin_with_admin_scope_may_list(self, client, make_user, headers_for):
        user = make_user()
        assert client.get("/api/v1/users", headers=headers_for(user, "admin:all")).status_code == 200

    def test_read_wildcard_is_not_enough(self, client, make_user, headers_for):
        r = client.get("/api/v1/users", headers=headers_for(make_user(), "read:*", "write:*"))
        assert r.status_code == 403 and r.json()["required_scope"] == "admin:all"
        assert r.json()["available_scopes"] == ["read:*", "write:*"]


class TestCreateUser:
    def test_creates_with_trimmed_lower_username_and_argon2_hash(self, client, admin_headers, session, outbox_events):
        body = {"username": "  NewUser ", "password": "s3cret-pass", "email": "n@example.com",
                "full_name": "New User", "role": "manager", "timezone": "Europe/Paris",
                "github_username": "newgh", "slack_user_id": "U123", "unknown_field": 1}  # fmt: skip
        r = client.post("/api/v1/users", json=body, headers=admin_headers)
        assert r.status_code == 201, r.text
        assert r.json()["message"] == "User created successfully"
        user = r.json()["user"]
        assert user["username"] == "newuser" and user["role"] == "manager" and user["timezone"] == "Europe/Paris"
        assert user["github_username"] == "newgh" and user["slack_user_id"] == "U123" and user["is_active"] is True
        row = session.scalar(select(User).where(User.id == user["id"]))
        assert row.password_hash.startswith("$argon2id$") and verify_password(row.password_hash, "s3cret-pass")
        [event] = outbox_events("tt.auth.user.created")
        assert event["type"] == "tt.auth.user.created" and event["source"] == "auth"
        assert event["entity_id"] == str(user["id"])
        assert event["data"]["username"] == "newuser" and event["data"]["is_active"] is True
        assert event["data"]["slack_user_id"] == "U123" and "password_hash" not in event["data"]

    def test_role_defaults_to_user(self, client, admin_headers):
        r = client.post("/api/v1/users", json={"username": "plain", "password": "password-1"}, headers=admin_headers)
        assert r.status_code == 201 and r.json()["user"]["role"] == "user"

    def test_validation_errors_per_field(self, client, admin_headers):
        r = client.post(
            "/api/v1/users", json={"password": "short", "role": "boss", "email": "x"}, headers=admin_headers
        )
        assert r.status_code == 400
        body = r.json()
        assert body["error_code"] == "validation_error" and body["success"] is False
        assert set(body["errors"]) == {"username", "password", "role", "email"}

    @pytest.mark.parametrize("email", ["billing@acme.local", "qa@example.test", "admin@localhost"])
    def test_email_on_an_internal_domain_is_accepted(self, client, admin_headers, email):
        body = {"username": email.split("@")[0] + "-internal", "password": "password-1", "email": email}
        r = client.post("/api/v1/users", json=body, headers=admin_headers)
        assert r.status_code == 201, r.text
        assert r.json()["user"]["email"] == email

    @pytest.mark.parametrize("email", ["a@", "@b.c", "a b@c.d"])
    def test_malformed_email_is_the_standard_validation_error(self, client, admin_headers, email):
        body = {"username": "malformed", "password": "password-1", "email": email}
        r = client.post("/api/v1/users", json=body, headers=admin_headers)
        assert r.status_code == 400
        out = r.json()
        assert {"error", "message", "error_code", "errors"} <= set(out) and out["error_code"] == "validation_error"
        assert out["errors"] == {"email": ["Not a valid email address."]}

    def test_wrong_types_are_validation_errors(self, client, admin_headers):
        r = client.post("/api/v1/users", json={"username": 5, "password": ["x"]}, headers=admin_headers)
        assert r.status_code == 400 and set(r.json()["errors"]) == {"username", "password"}

    def test_empty_body_is_validation_error(self, client, admin_headers):
        r = client.post("/api/v1/users", content=b"", headers={**admin_headers, "content-type": "application/json"})
        assert r.status_code == 400 and set(r.json()["errors"]) == {"username", "password"}

    def test_duplicate_username_is_409(self, client, admin_headers, make_user):
        make_user(username="taken")
        r = client.post("/api/v1/users", json={"username": " TAKEN", "password": "password-1"}, headers=admin_headers)
        assert r.status_code == 409 and r.json()["error_code"] == "conflict"

    def test_duplicate_slack_id_is_409(self, client, admin_headers, make_user):
        make_user(slack_user_id="U999")
        r = client.post(
            "/api/v1/users", json={"username": "s1", "password": "password-1", "slack_user_id": "U999"},
            headers=admin_headers,
        )  # fmt: skip
        assert r.status_code == 409 and r.json()["error_code"] == "conflict"

    def test_non_admin_user_with_admin_scope_is_403(self, client, make_user, headers_for, outbox_events):
        r = client.post(
            "/api/v1/users", json={"username": "x1", "password": "password-1"},
            headers=headers_for(make_user(), "admin:all"),
        )  # fmt: skip
        assert r.status_code == 403 and r.json()["error_code"] == "forbidden"
        assert outbox_events("tt.auth.user.created") == []

    def test_admin_user_without_admin_scope_is_403_scope(self, client, admin, headers_for):
        r = client.post(
            "/api/v1/users", json={"username": "x2", "password": "password-1"}, headers=headers_for(admin, "write:*")
        )
        assert r.status_code == 403 and r.json()["required_scope"] == "admin:all"


class TestGetUser:
    def test_found(self, client, admin_headers, make_user):
        user = make_user(assigned_client_ids=[4, 2], role="subcontractor")
        r = client.get(f"/api/v1/users/{user.id}", headers=admin_headers)
        assert r.status_code == 200
        assert r.json()["user"]["id"] == user.id and r.json()["user"]["assigned_client_ids"] == [4, 2]
        assert USER_KEYS <= set(r.json()["user"])

    def test_unknown_is_404(self, client, admin_headers):
        r = client.get("/api/v1/users/987654", headers=admin_headers)
        assert r.status_code == 404 and r.json()["error_code"] == "not_found"

    def test_non_admin_is_403(self, client, make_user, headers_for):
        user = make_user()
        r = client.get(f"/api/v1/users/{user.id}", headers=headers_for(user, "admin:all"))
        assert r.status_code == 403


class TestUpdateUser:
    def test_partial_update_changes_only_given_keys(self, client, admin_headers, make_user, outbox_events):
        user = make_user(email="old@example.com", full_name="Old")
        r = client.patch(
            f"/api/v1/users/{user.id}",
            json={"full_name": "New Name", "week_start_day": "0", "time_rounding_minutes": 15,
                  "assigned_client_ids": ["3", 5], "standard_hours_per_day": 7.5},
            headers=admin_headers,
        )  # fmt: skip
        assert r.status_code == 200, r.text
        assert r.json()["message"] == "User updated successfully"
        u = r.json()["user"]
        assert u["full_name"] == "New Name" and u["email"] == "old@example.com"
        assert u["week_start_day"] == 0 and u["time_rounding_minutes"] == 15 and u["assigned_client_ids"] == [3, 5]
        assert u["standard_hours_per_day"] == 7.5
        [event] = outbox_events("tt.auth.user.updated")
        assert event["data"]["full_name"] == "New Name" and event["entity_id"] == str(user.id)

    def test_put_is_partial_too(self, client, admin_headers, make_user):
        user = make_user(email="keep@example.com")
        r = client.put(f"/api/v1/users/{user.id}", json={"role": "viewer"}, headers=admin_headers)
        assert r.status_code == 200
        assert r.json()["user"]["role"] == "viewer" and r.json()["user"]["email"] == "keep@example.com"

    def test_password_change_rehashes(self, client, admin_headers, make_user, session):
        user = make_user()
        r = client.patch(f"/api/v1/users/{user.id}", json={"password": "brand-new-pass"}, headers=admin_headers)
        assert r.status_code == 200 and "password" not in r.json()["user"]
        session.refresh(user)
        assert verify_password(user.password_hash, "brand-new-pass")

    def test_null_clears_nullable_fields_and_blank_means_null(self, client, admin_headers, make_user):
        user = make_user(email="a@example.com", github_username="gh")
        r = client.patch(
            f"/api/v1/users/{user.id}", json={"email": None, "github_username": " "}, headers=admin_headers
        )
        assert r.json()["user"]["email"] is None and r.json()["user"]["github_username"] is None

    def test_deactivation_by_patch_emits_updated_with_inactive(self, client, admin_headers, make_user, outbox_events):
        user = make_user()
        r = client.patch(f"/api/v1/users/{user.id}", json={"is_active": False}, headers=admin_headers)
        assert r.status_code == 200 and r.json()["user"]["is_active"] is False
        [event] = outbox_events("tt.auth.user.updated")
        assert event["data"]["is_active"] is False and event["data"]["id"] == user.id

    def test_no_change_emits_nothing(self, client, admin_headers, make_user, outbox_events):
        user = make_user(role="viewer")
        assert (
            client.patch(f"/api/v1/users/{user.id}", json={"role": "viewer"}, headers=admin_headers).status_code == 200
        )
        assert outbox_events("tt.auth.user.updated") == []

    def test_validation(self, client, admin_headers, make_user):
        user = make_user()
        r = client.patch(
            f"/api/v1/users/{user.id}",
            json={"role": None, "date_format": "YY", "time_rounding_method": "random", "week_start_day": 9},
            headers=admin_headers,
        )
        assert r.status_code == 400 and r.json()["error_code"] == "validation_error"
        assert set(r.json()["errors"]) == {"role", "date_format", "time_rounding_method", "week_start_day"}
        r = client.patch(f"/api/v1/users/{user.id}", json={"week_start_day": "monday"}, headers=admin_headers)
        assert r.status_code == 400 and "week_start_day" in r.json()["errors"]

    def test_slack_id_taken_by_another_user(self, client, admin_headers, make_user):
        make_user(slack_user_id="UTAKEN")
        user = make_user(slack_user_id="UMINE")
        r = client.patch(f"/api/v1/users/{user.id}", json={"slack_user_id": "UTAKEN"}, headers=admin_headers)
        assert r.status_code == 409
        assert (
            client.patch(f"/api/v1/users/{user.id}", json={"slack_user_id": "UMINE"}, headers=admin_headers).status_code
            == 200
        )

    def test_unknown_is_404(self, client, admin_headers):
        assert client.patch("/api/v1/users/987654", json={"role": "user"}, headers=admin_headers).status_code == 404

    def test_names_the_user_for_the_gateway_cache(self, client, admin_headers, make_user):
        user = make_user()
        for method in ("patch", "put"):
            r = getattr(client, method)(f"/api/v1/users/{user.id}", json={"role": "manager"}, headers=admin_headers)
            assert r.status_code == 200 and r.headers["x-tt-credentials-changed"] == f"user={user.id}"
        r = client.patch("/api/v1/users/987654", json={"role": "manager"}, headers=admin_headers)
        assert r.status_code == 404 and "x-tt-credentials-changed" not in r.headers


class TestDeactivateUser:
    def test_deactivates_never_deletes(self, client, admin_headers, make_user, session, outbox_events):
        user = make_user()
        r = client.delete(f"/api/v1/users/{user.id}", headers=admin_headers)
        assert r.status_code == 200 and r.json() == {"message": "User deactivated successfully"}
        session.refresh(user)
        assert user.is_active is False
        [event] = outbox_events("tt.auth.user.deleted")
        assert event["data"]["is_active"] is False and event["entity_id"] == str(user.id)
        assert r.headers["x-tt-credentials-changed"] == f"user={user.id}"  # the gateway evicts at once

    def test_again_is_quiet(self, client, admin_headers, make_user, outbox_events):
        user = make_user(is_active=False)
        assert client.delete(f"/api/v1/users/{user.id}", headers=admin_headers).status_code == 200
        assert outbox_events("tt.auth.user.deleted") == []

    def test_unknown_is_404_and_non_admin_403(self, client, admin_headers, make_user, headers_for):
        assert client.delete("/api/v1/users/987654", headers=admin_headers).status_code == 404
        user = make_user()
        assert client.delete(f"/api/v1/users/{user.id}", headers=headers_for(user, "admin:all")).status_code == 403


class TestRouting:
    def test_me_has_only_get(self, client, admin_headers):
        r = client.delete("/api/v1/users/me", headers=admin_headers)
        assert r.status_code == 405 and r.json()["error_code"] == "method_not_allowed"

    def test_non_numeric_id_is_an_unknown_path(self, client, admin_headers):
        r = client.get("/api/v1/users/abc", headers=admin_headers)
        assert r.status_code == 404 and r.json()["error_code"] == "not_found"


class TestValuesTheDatabaseRefuses:
    def test_out_of_range_id_is_404_and_nul_username_is_400(self, client, admin, headers_for):
        headers = headers_for(admin, "admin:all")
        r = client.get("/api/v1/users/99999999999999999999", headers=headers)
        assert r.status_code == 404 and r.json()["error_code"] == "not_found"
        r = client.post("/api/v1/users", json={"username": "a\u0000b", "password": "password-123"}, headers=headers)
        assert r.status_code == 400 and r.json()["success"] is False
