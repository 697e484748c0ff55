"""`POST /api/v1/auth/login` (CONVENTIONS §10.4)."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from auth.models import ApiToken
from auth.tokens.rules import hash_token

LOGIN = "/api/v1/auth/login"
FAILED = {
    "success": False,
    "error": "Invalid username or password",
    "message": "Invalid username or password",
    "error_code": "unauthorized",
}


def minted(session, plain: str) -> ApiToken:
    return session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(plain)))


class TestLogin:
    def test_success_returns_only_a_token(self, client, make_user, public_headers, session, outbox_events):
        user = make_user(username="loginuser")
        r = client.post(LOGIN, json={"username": "  LoginUser ", "password": "password-123"}, headers=public_headers)
        assert r.status_code == 200 and list(r.json()) == ["token"]
        plain = r.json()["token"]
        assert re.fullmatch(r"tt_[A-Za-z0-9_-]{32}", plain)
        token = minted(session, plain)
        assert token.user_id == user.id and token.name == "App login - loginuser"
        assert token.scopes == "read:*,write:*" and token.token_prefix == plain[:8] and token.description
        assert timedelta(days=89, hours=23) < token.expires_at - datetime.now(UTC) <= timedelta(days=90)
        session.refresh(user)
        assert user.last_login is not None and datetime.now(UTC) - user.last_login < timedelta(minutes=1)
        [event] = outbox_events("tt.auth.api_token.created")
        assert event["data"]["token_id"] == token.id and event["data"]["user_id"] == user.id

    def test_nul_in_username_is_the_usual_401(self, client, public_headers):
        r = client.post(LOGIN, json={"username": "ad\u0000min", "password": "password-123"}, headers=public_headers)
        assert r.status_code == 401 and r.json()["error"] == "Invalid username or password"

    def test_admin_gets_admin_all(self, client, admin, public_headers, session):
        r = client.post(LOGIN, json={"username": admin.username, "password": "password-123"}, headers=public_headers)
        assert minted(session, r.json()["token"]).scopes == "admin:all"

    def test_zero_expiry_days_means_never(self, make_app_client, make_user, public_headers, session):
        client = make_app_client(api_token_default_expiry_days=0)
        user = make_user()
        r = client.post(LOGIN, json={"username": user.username, "password": "password-123"}, headers=public_headers)
        assert minted(session, r.json()["token"]).expires_at is None

    def test_every_login_mints_a_new_token(self, client, make_user, public_headers):
        user = make_user()
        body = {"username": user.username, "password": "password-123"}
        tokens = {client.post(LOGIN, json=body, headers=public_headers).json()["token"] for _ in range(2)}
        assert len(tokens) == 2

    @pytest.mark.parametrize(
        "body",
        [
            {"password": "wrong-password"},
            {"username": "nobody-here", "password": "password-123"},
            {},
            {"username": "", "password": ""},
            {"password": ""},
            {"username": 5, "password": 6},
        ],
    )
    def test_failures_share_one_401(self, client, make_user, public_headers, body, outbox_events):
        user = make_user()
        if "username" not in body and body:
            body = {"username": user.username, **body}
        r = client.post(LOGIN, json=body, headers=public_headers)
        assert r.status_code == 401 and r.json() == FAILED
        assert outbox_events("tt.auth.api_token.created") == []

    def test_inactive_user_is_refused(self, client, make_user, public_headers):
        user = make_user(is_active=False)
        r = client.post(LOGIN, json={"username": user.username, "password": "password-123"}, headers=public_headers)
        assert r.status_code == 401 and r.json() == FAILED

    def test_user_without_password_is_refused(self, client, make_user, public_headers):
        user = make_user(password_hash=None)
        r = client.post(
            LOGIN, json={"username": user.username, "password": "not-a-real-password"}, headers=public_headers
        )
        assert r.status_code == 401

    def test_empty_body_and_no_content_type(self, client, public_headers):
        r = client.post(LOGIN, content=b"", headers=public_headers)
        assert r.status_code == 401 and r.json() == FAILED

    def test_is_public_in_openapi(self, client):
        op = client.app.openapi()["paths"]["/api/v1/auth/login"]["post"]
        assert op["x-tt-auth"] == "public" and op["x-tt-scopes"] == []
