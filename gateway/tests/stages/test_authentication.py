"""Through a gateway process: every 401 of CONVENTIONS §2.3, the 403 of §3.3, public routes,
introspection caching, revocation events over real NATS, batched usage recording."""

import asyncio
import time

import httpx
import nats
import orjson
import pytest

ME = "/api/v1/users/me"


def assert_401(response: httpx.Response, error: str = "Invalid token") -> str:
    assert response.status_code == 401, response.text
    body = response.json()
    assert body["success"] is False and body["error_code"] == "unauthorized"
    assert body["error"] == error
    assert set(body) == {"success", "error", "message", "error_code"}
    return body["message"].lower()


class TestExtraction:
    @pytest.mark.parametrize("style", ["bearer", "token", "x-api-key"])
    def test_every_supported_header(self, gateway, fake_auth, style):
        token, _, user_id = fake_auth.add_token("read:users")
        headers = {
            "bearer": {"Authorization": f"Bearer {token}"},
            "token": {"Authorization": f"Token {token}"},
            "x-api-key": {"X-API-Key": token},
        }[style]
        r = gateway.get(ME, headers=headers)
        assert r.status_code == 200 and r.json()["user"]["id"] == user_id

    def test_well_formed_bearer_wins_even_when_invalid(self, gateway, fake_auth):
        token, _, _ = fake_auth.add_token("read:users")
        headers = {"Authorization": "Bearer tt_" + "x" * 32, "X-API-Key": token}
        assert "not found" in assert_401(gateway.get(ME, headers=headers))

    @pytest.mark.parametrize("authorization", ["Basic xyz", "Bearer a b"])
    def test_malformed_authorization_falls_back(self, gateway, fake_auth, authorization):
        token, _, _ = fake_auth.add_token("read:users")
        assert gateway.get(ME, headers={"Authorization": authorization, "X-API-Key": token}).status_code == 200


class TestUnauthorized:
    def test_1_no_token(self, gateway):
        message = assert_401(gateway.get(ME), error="Authentication required")
        assert "x-api-key" in message and "authorization" in message

    def test_2_bad_format(self, gateway):
        assert "format" in assert_401(gateway.get(ME, "abc"))

    def test_3_unknown_token(self, gateway):
        assert "not found" in assert_401(gateway.get(ME, "tt_" + "n" * 32))

    def test_4_revoked(self, gateway, fake_auth):
        token, _, _ = fake_auth.add_token("read:users", is_active=False)
        assert "revoked" in assert_401(gateway.get(ME, token))

    def test_5_expired(self, gateway, fake_auth):
        token, _, _ = fake_auth.add_token("read:users", expires_at="2020-01-01T00:00:00Z")
        assert "expired" in assert_401(gateway.get(ME, token))

    def test_expiry_is_checked_on_every_request_not_cached(self, gateway, fake_auth):
        soon = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 2))
        token, _, _ = fake_auth.add_token("read:users", expires_at=soon)
        assert gateway.get(ME, token).status_code == 200
        time.sleep(2.1)
        assert "expired" in assert_401(gateway.get(ME, token))

    def test_6_ip_allow_list(self, gateway, fake_auth):
        outside, _, _ = fake_auth.add_token("read:users", ip_whitelist="10.1.2.3, 192.168.0.0/16")
        assert "ip" in assert_401(gateway.get(ME, outside))
        inside, _, _ = fake_auth.add_token("read:users", ip_whitelist="10.1.2.3,127.0.0.0/8")
        assert gateway.get(ME, inside).status_code == 200
        exact, _, _ = fake_auth.add_token("read:users", ip_whitelist="127.0.0.1")
        assert gateway.get(ME, exact).status_code == 200

    def test_forwarded_for_is_not_trusted_by_default(self, gateway, fake_auth):
        token, _, _ = fake_auth.add_token("read:users", ip_whitelist="10.1.2.3")
        assert_401(gateway.get(ME, token, headers={"X-Forwarded-For": "10.1.2.3"}))

    def test_7_inactive_or_missing_user(self, gateway, fake_auth):
        token, _, user_id = fake_auth.add_token(
            "read:users", user={"id": 1, "username": "gone", "is_admin": False, "is_active": False}
        )
        assert "inactive" in assert_401(gateway.get(ME, token))
        orphan, _, _ = fake_auth.add_token("read:users")
        fake_auth.update(
            orphan,
            {
                "id": 999_001,
                "user_id": 424242,
                "scopes": "read:users",
                "is_active": True,
                "expires_at": None,
                "ip_whitelist": None,
            },
            None,
        )
        assert "inactive" in assert_401(gateway.get(ME, orphan))

    def test_order_revoked_before_expired_before_ip(self, gateway, fake_auth):
        token, _, _ = fake_auth.add_token(
            "read:users", is_active=False, expires_at="2020-01-01T00:00:00Z", ip_whitelist="10.0.0.1"
        )
        assert "revoked" in assert_401(gateway.get(ME, token))
        token, _, _ = fake_auth.add_token("read:users", expires_at="2020-01-01T00:00:00Z", ip_whitelist="10.0.0.1")
        assert "expired" in assert_401(gateway.get(ME, token))


class TestForbidden:
    def test_403_body_exactly(self, gateway, fake_auth):
        token, _, _ = fake_auth.add_token("read:projects,read:time_entries")
        r = gateway.get(ME, token)
        assert r.status_code == 403
        assert r.json() == {
            "success": False,
            "error": "Insufficient permissions",
            "message": "This endpoint requires the 'read:users' scope",
            "error_code": "forbidden",
            "required_scope": "read:users",
            "available_scopes": ["read:projects", "read:time_entries"],
        }

    def test_alternatives_are_joined(self, gateway, fake_auth):
        token, _, _ = fake_auth.add_token("write:inventory")
        body = gateway.get("/api/v1/inventory/items", token).json()
        assert body["required_scope"] == "read:inventory, read:projects"
        assert "'read:inventory'" in body["message"] and "'read:projects'" in body["message"]
        ok, _, _ = fake_auth.add_token("read:projects")
        assert gateway.get("/api/v1/inventory/items", ok).status_code == 200

    def test_write_does_not_imply_read_and_empty_grants_nothing(self, gateway, fake_auth):
        writer, _, _ = fake_auth.add_token("write:projects")
        assert gateway.get("/api/v1/projects", writer).status_code == 403
        assert gateway.request("POST", "/api/v1/projects", writer, json={}).status_code == 200
        empty, _, _ = fake_auth.add_token("")
        assert gateway.get("/api/v1/projects", empty).json()["available_scopes"] == []
        assert gateway.get("/api/v1/timer/status", empty).status_code == 200  # no scope required

    @pytest.mark.parametrize("scopes", ["admin:all", "*", "read:*"])
    def test_wildcards(self, gateway, fake_auth, scopes):
        token, _, _ = fake_auth.add_token(scopes)
        assert gateway.get("/api/v1/projects", token).status_code == 200


class TestIdentity:
    def test_forwarded_identity_and_stripped_credentials(self, gateway, fake_auth, identity_secret):
        token, token_id, user_id = fake_auth.add_token(
            "read:projects",
            user={
                "id": 0,
                "username": "ann",
                "is_admin": False,
                "is_active": True,
                "role": "subcontractor",
                "assigned_client_ids": [3, 5],
                "modules_off": ["inventory"],
            },
        )
        r = gateway.get(
            "/api/v1/projects",
            headers={"Authorization": f"Bearer {token}", "X-API-Key": "tt_other", "X-TT-Identity": "forged"},
        )
        echoed = r.json()
        assert echoed["identity"] == {
            "user_id": user_id,
            "username": "ann",
            "scopes": ["read:projects"],
            "token_id": token_id,
            "client_ip": "127.0.0.1",
            "is_admin": False,
            "role": "subcontractor",
            "client_ids": [3, 5],
            "modules_off": ["inventory"],
        }
        assert "authorization" not in echoed["headers"] and "x-api-key" not in echoed["headers"]
        assert echoed["headers"]["x-forwarded-for"] == "127.0.0.1"

    def test_public_route_gets_an_anonymous_identity(self, gateway, identity_secret):
        r = gateway.request("POST", "/api/v1/webhooks/github", json={"zen": "hi"})
        assert r.status_code == 200
        assert r.json()["identity"]["user_id"] is None and r.json()["identity"]["client_ip"] == "127.0.0.1"
        assert r.json()["body"] == '{"zen":"hi"}'


class TestCaching:
    def test_introspection_is_cached(self, gateway, fake_auth):
        token, _, _ = fake_auth.add_token("read:users")
        before = fake_auth.state()["introspections"]
        for _ in range(5):
            assert gateway.get(ME, token).status_code == 200
        assert fake_auth.state()["introspections"] == before + 1

    def test_revocation_event_evicts_at_once(self, gateway, fake_auth, infra_urls, wait_until):
        token, token_id, user_id = fake_auth.add_token("read:users")
        assert gateway.get(ME, token).status_code == 200  # cached for 30 s in this gateway
        fake_auth.delete(token)
        assert gateway.get(ME, token).status_code == 200  # still cached: no event yet
        publish(infra_urls["nats"], "tt.auth.api_token.revoked", {"token_id": token_id, "user_id": user_id})
        assert wait_until(lambda: gateway.get(ME, token).status_code == 401, timeout=1.0)

    def test_user_event_evicts_every_token_of_the_user(self, gateway, fake_auth, infra_urls, wait_until):
        first, _, user_id = fake_auth.add_token("read:users")
        second, _, _ = fake_auth.add_token("read:users", user_id=user_id)
        for token in (first, second):
            assert gateway.get(ME, token).status_code == 200
        inactive = {"id": user_id, "username": "x", "is_admin": False, "is_active": False}
        for token in (first, second):
            fake_auth.add_token("read:users", token=token, user_id=user_id, user=inactive)
        publish(infra_urls["nats"], "tt.auth.user.updated", {"id": user_id, "is_active": False}, entity_id=user_id)
        assert wait_until(lambda: all(gateway.get(ME, t).status_code == 401 for t in (first, second)), timeout=1.0)


class TestUsage:
    def test_usage_is_batched_to_the_auth_service(self, gateway, fake_auth, wait_until):
        token, token_id, _ = fake_auth.add_token("read:users")
        for _ in range(3):
            assert gateway.get(ME, token).status_code == 200
        assert gateway.get("/api/v1/projects", token).status_code == 403  # refused: not counted

        def counted() -> int:
            return sum(u["count"] for u in fake_auth.state()["usage"] if u["token_id"] == token_id)

        assert wait_until(lambda: counted() >= 3, timeout=5)
        time.sleep(0.5)
        assert counted() == 3
        rows = [u for u in fake_auth.state()["usage"] if u["token_id"] == token_id]
        assert all(u["last_used_at"].endswith("Z") for u in rows)


def publish(url: str, subject: str, data: dict, entity_id: int | None = None) -> None:
    envelope = {
        "id": "evt-1",
        "type": subject.removeprefix("tt."),
        "occurred_at": "2026-01-01T00:00:00Z",
        "source": "auth",
        "entity_id": str(entity_id or data.get("token_id")),
        "actor": None,
        "data": data,
    }

    async def send() -> None:
        nc = await nats.connect(url)
        try:
            await nc.publish(subject, orjson.dumps(envelope))
            await nc.flush()
        finally:
            await nc.close()

    asyncio.run(send())
