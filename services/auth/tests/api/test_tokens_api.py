"""API token administration (auth.md §5), on both the `/api/v1` path and the legacy alias."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from auth.models import ApiToken
from auth.tokens.rules import hash_token

BASES = ["/api/v1/admin/api-tokens", "/admin/api-tokens"]
TOKEN_KEYS = {
    "id", "name", "description", "token_prefix", "scopes", "created_at", "expires_at", "last_used_at",
    "is_active", "usage_count", "user_id", "username", "ip_whitelist",
}  # fmt: skip


@pytest.fixture(params=BASES, ids=["api_v1", "legacy"])
def base(request) -> str:
    return request.param


class TestCreateToken:
    def test_creates_and_returns_the_plain_token_once(self, client, base, admin_headers, make_user, session,
                                                      outbox_events):  # fmt: skip
        user = make_user()
        r = client.post(base, json={
            "name": " CI bot ", "user_id": str(user.id), "scopes": ["read:projects", "write:time_entries"],
            "description": "nightly", "expires_in_days": 30, "ip_whitelist": "10.0.0.1, 192.168.0.0/16",
        }, headers=admin_headers)  # fmt: skip
        assert r.status_code == 201, r.text
        body = r.json()
        assert set(body) == {"message", "token", "token_id"}
        assert body["message"] == "API token created successfully"
        assert re.fullmatch(r"tt_[A-Za-z0-9_-]{32}", body["token"])
        row = session.scalar(select(ApiToken).where(ApiToken.id == body["token_id"]))
        assert row.token_hash == hash_token(body["token"]) and row.token_prefix == body["token"][:8]
        assert row.name == "CI bot" and row.scopes == "read:projects,write:time_entries"
        assert row.ip_whitelist == "10.0.0.1,192.168.0.0/16" and row.description == "nightly"
        assert timedelta(days=29, hours=23) < row.expires_at - datetime.now(UTC) <= timedelta(days=30)
        [event] = outbox_events("tt.auth.api_token.created")
        assert event["entity_id"] == str(body["token_id"]) and event["source"] == "auth"
        assert event["data"]["token_id"] == body["token_id"] and event["data"]["user_id"] == user.id
        assert body["token"] not in str(event) and row.token_hash not in str(event)

    def test_comma_string_scopes_and_no_expiry(self, client, base, admin_headers, make_user, session):
        user = make_user()
        for days in (None, 0):
            r = client.post(base, json={"name": "n", "user_id": user.id, "scopes": "read:*, write:*",
                                        "expires_days": days}, headers=admin_headers)  # fmt: skip
            row = session.get(ApiToken, r.json()["token_id"])
            assert row.scopes == "read:*,write:*" and row.expires_at is None and row.description == ""

    def test_invalid_scopes(self, client, base, admin_headers, make_user):
        user = make_user()
        r = client.post(base, json={"name": "x", "user_id": user.id, "scopes": "read:projects,fly:away,Admin:all"},
                        headers=admin_headers)  # fmt: skip
        assert r.status_code == 400
        body = r.json()
        assert body["error_code"] == "validation_error" and body["invalid_scopes"] == ["fly:away", "Admin:all"]
        assert body["errors"] == {"scopes": ["Invalid scopes: fly:away, Admin:all"]}

    @pytest.mark.parametrize(
        ("payload", "field", "message"),
        [
            ({"user_id": 1, "scopes": "read:*"}, "name", "Token name is required"),
            ({"name": "  ", "user_id": 1, "scopes": "read:*"}, "name", "Token name is required"),
            ({"name": "x" * 101, "user_id": 1, "scopes": "read:*"}, "name", None),
            ({"name": "x", "scopes": "read:*"}, "user_id", None),
            ({"name": "x", "user_id": 1}, "scopes", "At least one scope is required"),
            ({"name": "x", "user_id": 1, "scopes": " , "}, "scopes", "At least one scope is required"),
            ({"name": "x", "user_id": 1, "scopes": "read:*", "expires_days": -1}, "expires_days", None),
            ({"name": "x", "user_id": 1, "scopes": "read:*", "ip_whitelist": "nope"}, "ip_whitelist", None),
            ({"name": "x", "user_id": "abc", "scopes": "read:*"}, "user_id", None),
        ],
    )
    def test_validation(self, client, admin_headers, payload, field, message):
        r = client.post(BASES[0], json=payload, headers=admin_headers)
        assert r.status_code == 400, r.text
        body = r.json()
        assert body["error_code"] == "validation_error" and field in body["errors"]
        if message:
            assert body["errors"][field] == [message] and body["error"] == message

    def test_unknown_user_is_404(self, client, base, admin_headers):
        r = client.post(base, json={"name": "x", "user_id": 987654, "scopes": "read:*"}, headers=admin_headers)
        assert r.status_code == 404 and r.json()["error_code"] == "not_found" and r.json()["error"] == "User not found"

    def test_non_admin_user_with_admin_scope_is_403(self, client, base, make_user, headers_for):
        user = make_user()
        r = client.post(base, json={"name": "x", "user_id": user.id, "scopes": "read:*"},
                        headers=headers_for(user, "admin:all"))  # fmt: skip
        assert r.status_code == 403 and r.json()["error_code"] == "forbidden"

    def test_admin_without_admin_scope_is_403_with_scope(self, client, base, admin, headers_for):
        r = client.post(base, json={"name": "x", "user_id": admin.id, "scopes": "read:*"},
                        headers=headers_for(admin, "read:*", "write:*"))  # fmt: skip
        assert r.status_code == 403 and r.json()["required_scope"] == "admin:all"


class TestListTokens:
    def test_newest_first_with_username_never_secret(self, client, base, admin, admin_headers, make_user,
                                                     make_token):  # fmt: skip
        user = make_user()
        older, older_plain = make_token(user, "read:projects", expires_days=5)
        newer, newer_plain = make_token(admin, "admin:all", ip_whitelist="127.0.0.1")
        r = client.get(base, headers=admin_headers)
        assert r.status_code == 200
        listed = [t for t in r.json()["tokens"] if t["id"] in (older.id, newer.id)]
        assert [t["id"] for t in listed] == [newer.id, older.id]
        first, second = listed
        assert set(first) == TOKEN_KEYS
        assert first["username"] == admin.username and first["scopes"] == ["admin:all"]
        assert first["ip_whitelist"] == "127.0.0.1" and first["expires_at"] is None
        assert second["username"] == user.username and second["token_prefix"] == older_plain[:8]
        assert second["expires_at"].endswith("Z") and second["last_used_at"] is None
        assert second["usage_count"] == 0 and second["is_active"] is True
        assert older_plain not in r.text and newer_plain not in r.text and older.token_hash not in r.text

    def test_non_admin_is_403(self, client, base, make_user, headers_for):
        user = make_user()
        assert client.get(base, headers=headers_for(user, "admin:all")).status_code == 403


class TestToggleToken:
    def test_deactivate_then_activate(self, client, base, admin_headers, make_user, make_token, session,
                                      outbox_events):  # fmt: skip
        token, _ = make_token(make_user())
        r = client.post(f"{base}/{token.id}/toggle", headers=admin_headers)
        assert r.status_code == 200 and r.json() == {"message": "Token deactivated successfully"}
        session.refresh(token)
        assert token.is_active is False
        [revoked] = outbox_events("tt.auth.api_token.revoked")
        assert revoked["entity_id"] == str(token.id)
        assert revoked["data"]["token_id"] == token.id and revoked["data"]["is_active"] is False
        r = client.post(f"{base}/{token.id}/toggle", headers=admin_headers)
        assert r.json() == {"message": "Token activated successfully"}
        session.refresh(token)
        assert token.is_active is True
        [activated] = outbox_events("tt.auth.api_token.activated")
        assert activated["data"]["token_id"] == token.id and activated["data"]["user_id"] == token.user_id

    def test_unknown_is_404(self, client, base, admin_headers):
        r = client.post(f"{base}/987654/toggle", headers=admin_headers)
        assert r.status_code == 404 and "x-tt-credentials-changed" not in r.headers

    def test_names_the_token_for_the_gateway_cache(self, client, base, admin_headers, make_user, make_token):
        token, _ = make_token(make_user())
        r = client.post(f"{base}/{token.id}/toggle", headers=admin_headers)
        assert r.status_code == 200 and r.headers["x-tt-credentials-changed"] == f"token={token.id}"


class TestDeleteToken:
    def test_hard_delete_emits_revoked(self, client, base, admin_headers, make_user, make_token, session,
                                       outbox_events):  # fmt: skip
        token, _ = make_token(make_user())
        token_id, user_id = token.id, token.user_id
        r = client.delete(f"{base}/{token_id}", headers=admin_headers)
        assert r.status_code == 200 and r.json() == {"message": "Token deleted successfully"}
        session.expunge_all()
        assert session.get(ApiToken, token_id) is None
        [event] = outbox_events("tt.auth.api_token.revoked")
        assert event["data"]["token_id"] == token_id and event["data"]["user_id"] == user_id
        assert event["data"]["deleted"] is True
        assert r.headers["x-tt-credentials-changed"] == f"token={token_id}"
        again = client.delete(f"{base}/{token_id}", headers=admin_headers)
        assert again.status_code == 404 and "x-tt-credentials-changed" not in again.headers

    def test_non_admin_is_403(self, client, base, make_user, make_token, headers_for):
        user = make_user()
        token, _ = make_token(user)
        assert client.delete(f"{base}/{token.id}", headers=headers_for(user, "admin:all")).status_code == 403


def test_both_paths_are_in_openapi_with_the_admin_scope(client):
    paths = client.app.openapi()["paths"]
    for base in BASES:
        assert paths[base]["get"]["x-tt-scopes"] == ["admin:all"]
        assert paths[f"{base}/{{token_id}}/toggle"]["post"]["x-tt-scopes"] == ["admin:all"]
    ids = [op["operationId"] for item in paths.values() for op in item.values()]
    assert len(ids) == len(set(ids))
