"""Through the gateway: token extraction, every 401 of CONVENTIONS §2.3, 403 shape, login."""

import time
import uuid

import httpx
import pytest
from conftest import ADMIN_PASSWORD
from sqlalchemy import create_engine, text

ME = "/api/v1/users/me"


def assert_401(response: httpx.Response, error: str = "Invalid token") -> dict:
    assert response.status_code == 401, response.text
    body = response.json()
    assert body["success"] is False and body["error_code"] == "unauthorized"
    assert body["error"] == error and body["message"]
    return body


class TestTokenExtraction:
    def test_bearer_and_x_api_key_both_answer_with_the_user(self, stack, make_token):
        token, _, user = make_token("read:users")
        for headers in (
            {"Authorization": f"Bearer {token}"},
            {"X-API-Key": token},
            {"Authorization": f"Token {token}"},
        ):
            r = httpx.get(stack.gateway_url + ME, headers=headers)
            assert r.status_code == 200, (headers, r.text)
            assert r.json()["user"]["username"] == user["username"]

    def test_well_formed_bearer_wins_even_when_invalid(self, stack, make_token):
        token, _, _ = make_token("read:users")
        headers = {"Authorization": "Bearer tt_" + "x" * 32, "X-API-Key": token}
        assert_401(httpx.get(stack.gateway_url + ME, headers=headers))

    def test_malformed_authorization_falls_back_to_x_api_key(self, stack, make_token):
        token, _, _ = make_token("read:users")
        for auth in ("Basic xyz", "Bearer a b"):
            r = httpx.get(stack.gateway_url + ME, headers={"Authorization": auth, "X-API-Key": token})
            assert r.status_code == 200, (auth, r.text)


class TestUnauthorized:
    def test_no_token(self, stack):
        body = assert_401(httpx.get(stack.gateway_url + ME), error="Authentication required")
        assert "X-API-Key" in body["message"] or "Authorization" in body["message"]

    def test_token_without_prefix(self, stack):
        body = assert_401(httpx.get(stack.gateway_url + ME, headers={"X-API-Key": "abc"}))
        assert "format" in body["message"].lower()

    def test_unknown_token(self, stack):
        body = assert_401(httpx.get(stack.gateway_url + ME, headers={"X-API-Key": "tt_" + "n" * 32}))
        assert "not found" in body["message"].lower()

    def test_deactivated_token(self, stack, admin, make_token):
        token, token_id, _ = make_token("read:users")
        assert (
            admin.post(f"/api/v1/admin/api-tokens/{token_id}/toggle").json()["message"]
            == "Token deactivated successfully"
        )
        body = assert_401(httpx.get(stack.gateway_url + ME, headers={"X-API-Key": token}))
        assert "revoked" in body["message"].lower()

    def test_expired_token(self, stack, make_token):
        token, token_id, _ = make_token("read:users", expires_days=1)
        engine = create_engine(stack.env["TT_AUTH_DATABASE_URL"])
        with engine.begin() as conn:
            conn.execute(
                text("UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = :i"), {"i": token_id}
            )
        engine.dispose()
        body = assert_401(httpx.get(stack.gateway_url + ME, headers={"X-API-Key": token}))
        assert "expired" in body["message"].lower()

    def test_ip_allow_list(self, stack, make_token):
        outside, _, _ = make_token("read:users", ip_whitelist="10.1.2.3, 192.168.0.0/16")
        body = assert_401(httpx.get(stack.gateway_url + ME, headers={"X-API-Key": outside}))
        assert "ip" in body["message"].lower()
        inside, _, _ = make_token("read:users", ip_whitelist="10.1.2.3,127.0.0.0/8")
        assert httpx.get(stack.gateway_url + ME, headers={"X-API-Key": inside}).status_code == 200

    def test_inactive_user(self, stack, admin, make_token):
        token, _, user = make_token("read:users")
        assert httpx.get(stack.gateway_url + ME, headers={"X-API-Key": token}).status_code == 200
        assert admin.patch(f"/api/v1/users/{user['id']}", json={"is_active": False}).status_code == 200
        deadline = time.monotonic() + 1.0
        while True:
            r = httpx.get(stack.gateway_url + ME, headers={"X-API-Key": token})
            if r.status_code == 401 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        body = assert_401(r)
        assert "inactive" in body["message"].lower()


class TestForbidden:
    def test_missing_scope_answers_403_with_scopes(self, stack, make_token):
        token, _, _ = make_token("read:projects,read:time_entries")
        r = httpx.get(stack.gateway_url + ME, headers={"X-API-Key": token})
        assert r.status_code == 403
        assert r.json() == {
            "success": False,
            "error": "Insufficient permissions",
            "message": "This endpoint requires the 'read:users' scope",
            "error_code": "forbidden",
            "required_scope": "read:users",
            "available_scopes": ["read:projects", "read:time_entries"],
        }

    def test_non_admin_with_admin_scope_cannot_manage_users(self, stack, make_token):
        token, _, _ = make_token("admin:all")
        r = httpx.post(
            stack.gateway_url + "/api/v1/users",
            json={"username": "x1", "password": "password-123"},
            headers={"X-API-Key": token},
        )
        assert r.status_code == 403 and r.json()["error_code"] == "forbidden"


class TestLogin:
    def test_login_returns_only_a_token_that_works(self, stack, make_user):
        user = make_user(username=f"Login{uuid.uuid4().hex[:6]}")
        r = httpx.post(
            stack.gateway_url + "/api/v1/auth/login",
            json={"username": f"  {user['username'].upper()} ", "password": "password-123"},
        )
        assert r.status_code == 200 and list(r.json()) == ["token"]
        token = r.json()["token"]
        assert token.startswith("tt_") and len(token) == 35
        me = httpx.get(stack.gateway_url + ME, headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200 and me.json()["user"]["id"] == user["id"]

    def test_bad_credentials_get_the_same_401(self, stack, make_user):
        user = make_user()
        bodies = [
            httpx.post(stack.gateway_url + "/api/v1/auth/login", json=payload).json()
            for payload in (
                {"username": user["username"], "password": "wrong-password"},
                {"username": "nobody-here", "password": "x"},
                {},
            )
        ]
        expected = {
            "success": False,
            "error": "Invalid username or password",
            "message": "Invalid username or password",
            "error_code": "unauthorized",
        }
        assert bodies == [expected] * 3


@pytest.mark.parametrize("path", ["/api/v1/users/me/", "/api/v1/users/me"])
def test_trailing_slash_is_the_same_path(stack, path):
    r = httpx.get(stack.gateway_url + path, headers={"X-API-Key": stack.admin_token})
    assert r.status_code == 200 and r.json()["user"]["username"] == "admin"


def test_admin_login_with_bootstrap_password(stack):
    r = httpx.post(stack.gateway_url + "/api/v1/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD})
    assert r.status_code == 200
    me = httpx.get(stack.gateway_url + ME, headers={"X-API-Key": r.json()["token"]}).json()
    assert me["user"]["is_admin"] is True and "enabled_modules" in me and "time_entry_requirements" in me
