"""`/internal/*`: the gateway's introspection, usage write-behind and module view; the
connectors' user lookup."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from auth.models import User
from auth.tokens.rules import hash_token
from shared.testing.fixtures import identity_headers


class TestIntrospect:
    def test_found_returns_token_and_user(self, client, gateway_headers, make_user, make_token):
        user = make_user(role="admin")
        token, plain = make_token(user, "read:projects, write:tasks", expires_days=3, ip_whitelist="10.0.0.0/8")
        r = client.post("/internal/introspect", json={"token_hash": hash_token(plain)}, headers=gateway_headers)
        assert r.status_code == 200
        body = r.json()
        assert body["found"] is True
        assert body["token"] == {
            "id": token.id,
            "user_id": user.id,
            "scopes": ["read:projects", "write:tasks"],
            "is_active": True,
            "expires_at": body["token"]["expires_at"],
            "ip_whitelist": "10.0.0.0/8",
        }
        assert body["token"]["expires_at"].endswith("Z")
        assert body["user"] == {
            "id": user.id,
            "username": user.username,
            "is_admin": True,
            "is_active": True,
            "role": "admin",
            "assigned_client_ids": [],
            "modules_off": [],
        }

    def test_user_role_assigned_clients_and_modules_switched_off(
        self, make_app_client, gateway_headers, make_user, make_token
    ):
        user = make_user(role="subcontractor", assigned_client_ids=[9, 4])
        _, plain = make_token(user)
        client = make_app_client(disabled_modules="clients,inventory")
        body = client.post("/internal/introspect", json={"token_hash": hash_token(plain)}, headers=gateway_headers)
        user_view = body.json()["user"]
        assert (user_view["role"], user_view["assigned_client_ids"]) == ("subcontractor", [4, 9])
        # clients off takes its dependants with it; inventory is off on its own
        assert {"clients", "contacts", "deals", "leads", "quotes", "inventory"} <= set(user_view["modules_off"])
        assert "projects" not in user_view["modules_off"]

    def test_nulls_are_explicit(self, client, gateway_headers, make_user, make_token):
        _, plain = make_token(make_user(is_active=False))
        body = client.post("/internal/introspect", json={"token_hash": hash_token(plain).upper()},
                           headers=gateway_headers).json()  # fmt: skip
        assert body["token"]["expires_at"] is None and body["token"]["ip_whitelist"] is None
        assert body["user"]["is_active"] is False and body["user"]["is_admin"] is False

    def test_unknown_hash(self, client, gateway_headers):
        r = client.post("/internal/introspect", json={"token_hash": "0" * 64}, headers=gateway_headers)
        assert r.status_code == 200 and r.json() == {"found": False}

    def test_inactive_token_is_still_reported(self, client, gateway_headers, make_user, make_token, session):
        token, plain = make_token(make_user())
        token.is_active = False
        session.flush()
        body = client.post("/internal/introspect", json={"token_hash": hash_token(plain)}, headers=gateway_headers)
        assert body.json()["token"]["is_active"] is False

    def test_user_identities_are_refused(self, client, make_user, headers_for):
        user = make_user(role="admin")
        r = client.post("/internal/introspect", json={"token_hash": "0" * 64}, headers=headers_for(user, "admin:all"))
        assert r.status_code == 403 and r.json()["error_code"] == "forbidden"
        assert client.post("/internal/introspect", json={"token_hash": "0" * 64}).status_code == 401

    def test_hidden_from_openapi(self, client):
        assert not any(p.startswith("/internal") for p in client.app.openapi()["paths"])


class TestTokenUsage:
    def test_adds_counts_and_keeps_the_latest_time(self, client, gateway_headers, make_user, make_token, session):
        user = make_user()
        a, _ = make_token(user)
        b, _ = make_token(user)
        t0 = datetime(2025, 5, 1, 10, 0, tzinfo=UTC)
        a.usage_count, a.last_used_at = 5, t0
        session.flush()
        batch = {"usage": [
            {"token_id": a.id, "count": 2, "last_used_at": "2025-05-01T09:00:00Z"},  # older than stored
            {"token_id": a.id, "count": 1, "last_used_at": "2025-05-01T09:30:00+00:00"},
            {"token_id": b.id, "count": 3, "last_used_at": "2025-05-01T12:00:00"},
            {"token_id": 987654, "count": 9, "last_used_at": "2025-05-01T12:00:00Z"},
        ]}  # fmt: skip
        r = client.post("/internal/token-usage", json=batch, headers=gateway_headers)
        assert r.status_code == 200 and r.json() == {"updated": 2}
        session.refresh(a)
        session.refresh(b)
        assert a.usage_count == 8 and a.last_used_at == t0
        assert b.usage_count == 3 and b.last_used_at == datetime(2025, 5, 1, 12, 0, tzinfo=UTC)

    def test_later_time_moves_last_used_forward(self, client, gateway_headers, make_user, make_token, session):
        token, _ = make_token(make_user())
        when = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=5)
        batch = {"usage": [{"token_id": token.id, "count": 1, "last_used_at": when.isoformat()}]}
        assert client.post("/internal/token-usage", json=batch, headers=gateway_headers).json() == {"updated": 1}
        session.refresh(token)
        assert token.last_used_at == when and token.usage_count == 1

    def test_empty_batch(self, client, gateway_headers):
        assert client.post("/internal/token-usage", json={"usage": []}, headers=gateway_headers).json() == {
            "updated": 0
        }

    def test_validation(self, client, gateway_headers):
        r = client.post(
            "/internal/token-usage", json={"usage": [{"token_id": "x", "count": -1}]}, headers=gateway_headers
        )
        assert r.status_code == 400 and r.json()["error_code"] == "validation_error"


class TestModules:
    def test_global_view(self, client, gateway_headers):
        r = client.get("/internal/modules", headers=gateway_headers)
        assert r.status_code == 200 and r.json()["enabled_modules"][:6] == [
            "auth", "main", "projects", "timer", "tasks", "clients",
        ]  # fmt: skip

    def test_disabled_modules_and_non_admin_view_of_clients(self, make_app_client, gateway_headers):
        client = make_app_client(disabled_modules="clients,inventory")
        ids = client.get("/internal/modules", headers=gateway_headers).json()["enabled_modules"]
        assert "clients" not in ids and "deals" not in ids and "inventory" not in ids and "projects" in ids


@pytest.fixture
def integrations_headers(identity_codec, make_user):
    """The integrations service acting for a connector's owner."""
    owner = make_user()
    return identity_headers(identity_codec, user_id=owner.id, username=owner.username, service="integrations")


@pytest.fixture
def find(client, integrations_headers):
    def run(**params):
        return client.get("/internal/users/find", params=params, headers=integrations_headers)

    return run


def found(response) -> dict | None:
    assert response.status_code == 200, response.text
    return response.json()["user"]


class TestFindUser:
    def test_by_id_answers_the_connector_view(self, find, make_user):
        user = make_user(
            role="subcontractor",
            full_name="Ada Lovelace",
            email="ada@example.com",
            timezone="Europe/Berlin",
            github_username="AdaL",
            slack_user_id=f"U{uuid.uuid4().hex[:8]}",
            assigned_client_ids=[7, 3],
        )
        assert found(find(user_id=user.id)) == {
            "id": user.id,
            "username": user.username,
            "full_name": "Ada Lovelace",
            "email": "ada@example.com",
            "role": "subcontractor",
            "is_admin": False,
            "is_active": True,
            "assigned_client_ids": [3, 7],
            "modules_off": [],
            "timezone": "Europe/Berlin",
            "github_username": "AdaL",
            "slack_user_id": user.slack_user_id,
        }

    def test_by_id_includes_inactive_users(self, find, make_user):
        user = make_user(is_active=False)
        view = found(find(user_id=user.id))
        assert view["id"] == user.id and view["is_active"] is False

    def test_nulls_are_explicit(self, find, make_user):
        view = found(find(user_id=make_user().id))
        assert all(view[k] is None for k in ("full_name", "email", "timezone", "github_username", "slack_user_id"))

    def test_admin_flag_and_modules_off_as_introspection(self, make_app_client, integrations_headers, make_user):
        user, admin = make_user(), make_user(role="admin")
        client = make_app_client(disabled_modules="clients")
        view = client.get("/internal/users/find", params={"user_id": user.id}, headers=integrations_headers).json()
        admin_view = client.get("/internal/users/find", params={"user_id": admin.id}, headers=integrations_headers)
        assert view["user"]["is_admin"] is False and "clients" in view["user"]["modules_off"]
        assert admin_view.json()["user"]["is_admin"] is True and admin_view.json()["user"]["modules_off"] == []

    def test_unknown_id_is_null(self, find):
        assert found(find(user_id=987654321)) is None
        assert found(find(user_id=2**40)) is None

    def test_github_login_matches_case_insensitively(self, find, make_user):
        login = f"Octo{uuid.uuid4().hex[:6]}"
        user = make_user(github_username=login)
        assert found(find(github_username=login.upper()))["id"] == user.id
        assert found(find(github_username=f"  {login.lower()} "))["id"] == user.id

    def test_github_login_skips_inactive_users_and_takes_the_lowest_id(self, find, make_user):
        login = f"dup{uuid.uuid4().hex[:6]}"
        make_user(github_username=login, is_active=False)
        first = make_user(github_username=login.upper())
        make_user(github_username=login)
        assert found(find(github_username=login))["id"] == first.id

    def test_github_login_of_an_inactive_user_only_is_null(self, find, make_user):
        login = f"gone{uuid.uuid4().hex[:6]}"
        make_user(github_username=login, is_active=False)
        assert found(find(github_username=login)) is None

    def test_unknown_github_login_is_null(self, find):
        assert found(find(github_username=f"nobody{uuid.uuid4().hex}")) is None

    def test_admin_is_the_first_active_admin_by_id(self, find, make_user, session):
        for row in session.scalars(select(User).where(User.role == "admin", User.is_active.is_(True))):
            row.is_active = False  # other tests' admins (all rolled back)
        session.flush()
        make_user(role="admin", is_active=False)
        make_user(role="manager")
        first = make_user(role="admin")
        make_user(role="admin")
        view = found(find(admin="true"))
        assert view["id"] == first.id and view["is_admin"] is True

    def test_no_active_admin_is_null(self, find, session):
        for row in session.scalars(select(User).where(User.role == "admin")):
            row.is_active = False
        session.flush()
        assert found(find(admin="true")) is None

    @pytest.mark.parametrize(
        "params",
        [
            {},
            {"admin": "false"},
            {"user_id": "1", "github_username": "octo"},
            {"user_id": "1", "admin": "true"},
            {"github_username": "octo", "admin": "true"},
            {"user_id": "abc"},
            {"admin": "maybe"},
            {"github_username": "   "},
        ],
    )
    def test_bad_queries_are_400(self, find, params):
        r = find(**params)
        assert r.status_code == 400 and r.json()["error_code"] == "validation_error"
        assert r.json()["errors"]

    def test_a_user_identity_is_refused(self, client, make_user, headers_for):
        user = make_user(role="admin")
        r = client.get("/internal/users/find", params={"user_id": user.id}, headers=headers_for(user, "admin:all"))
        assert r.status_code == 403 and r.json()["error_code"] == "forbidden"
        assert client.get("/internal/users/find", params={"user_id": user.id}).status_code == 401

    def test_hidden_from_openapi(self, client):
        assert "/internal/users/find" not in client.app.openapi()["paths"]
