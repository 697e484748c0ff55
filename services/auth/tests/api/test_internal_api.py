"""`/internal/*`: the gateway's introspection, usage write-behind and module view."""

from datetime import UTC, datetime, timedelta

from auth.tokens.rules import hash_token


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
