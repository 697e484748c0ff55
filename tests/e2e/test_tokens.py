"""Admin token management through the gateway, and revocation on every gateway replica."""

import time

import httpx
from conftest import gateway_env

ME = "/api/v1/users/me"


def test_create_list_and_revoke(stack, admin, make_user):
    user = make_user()
    r = admin.post(
        "/api/v1/admin/api-tokens",
        json={
            "name": "CI bot",
            "description": "runs nightly",
            "user_id": str(user["id"]),
            "scopes": ["read:projects", "write:time_entries"],
            "expires_in_days": 30,
        },
    )
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["message"] == "API token created successfully"
    assert created["token"].startswith("tt_") and len(created["token"]) == 35
    listed = admin.get("/api/v1/admin/api-tokens").json()["tokens"]
    mine = next(t for t in listed if t["id"] == created["token_id"])
    assert mine["token_prefix"] == created["token"][:8]
    assert mine["scopes"] == ["read:projects", "write:time_entries"]
    assert mine["username"] == user["username"] and mine["expires_at"].endswith("Z")
    assert "token" not in mine and "token_hash" not in mine
    assert created["token"] not in admin.get("/api/v1/admin/api-tokens").text
    assert admin.delete(f"/api/v1/admin/api-tokens/{created['token_id']}").json() == {
        "message": "Token deleted successfully"
    }
    assert admin.delete(f"/api/v1/admin/api-tokens/{created['token_id']}").status_code == 404


def test_create_validation(admin, make_user):
    user = make_user()
    r = admin.post(
        "/api/v1/admin/api-tokens", json={"name": "x", "user_id": user["id"], "scopes": "read:projects,fly:away"}
    )
    assert r.status_code == 400 and r.json()["error_code"] == "validation_error"
    assert r.json()["invalid_scopes"] == ["fly:away"]
    r = admin.post("/api/v1/admin/api-tokens", json={"user_id": user["id"], "scopes": "read:*"})
    assert r.status_code == 400 and "name" in r.json()["errors"]
    r = admin.post("/api/v1/admin/api-tokens", json={"name": "x", "user_id": 999999, "scopes": "read:*"})
    assert r.status_code == 404


def test_revoked_token_is_refused_on_every_replica_within_a_second(stack, auth_env, admin, make_token, service_process):
    second = service_process("gateway.main:create_app", gateway_env(auth_env, stack.auth_url))
    token, token_id, _ = make_token("read:users")
    replicas = [stack.gateway_url, second.url]
    for url in replicas:  # both replicas now hold the token in their cache
        assert httpx.get(url + ME, headers={"X-API-Key": token}).status_code == 200
    assert admin.delete(f"/api/v1/admin/api-tokens/{token_id}").status_code == 200
    revoked_at = time.monotonic()
    pending = set(replicas)
    while pending and time.monotonic() - revoked_at < 1.0:
        for url in list(pending):
            if httpx.get(url + ME, headers={"X-API-Key": token}).status_code == 401:
                pending.discard(url)
        time.sleep(0.02)
    assert not pending, f"still accepted by {pending} one second after revocation"


def test_usage_is_recorded_without_a_write_per_request(stack, admin, make_token):
    token, token_id, _ = make_token("read:users")
    for _ in range(3):
        assert httpx.get(stack.gateway_url + ME, headers={"X-API-Key": token}).status_code == 200
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        row = next(t for t in admin.get("/api/v1/admin/api-tokens").json()["tokens"] if t["id"] == token_id)
        if row["usage_count"] >= 3:
            break
        time.sleep(0.5)
    assert row["usage_count"] == 3 and row["last_used_at"] is not None


def test_legacy_admin_path_alias(admin):
    r = admin.get("/admin/api-tokens")
    assert r.status_code == 200 and isinstance(r.json()["tokens"], list)
