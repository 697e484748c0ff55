"""The CRM service through the gateway: a scoped token manages clients, notes, contacts, deals,
leads and quotes as the spec shows; scopes, roles and events hold across process boundaries."""

from __future__ import annotations

import asyncio
import json
import time
import uuid

import nats
import pytest

CLIENT_SCOPES = "read:clients,write:clients"


def unique(name: str) -> str:
    return f"{name} {uuid.uuid4().hex[:8]}"


@pytest.fixture
def crm_user(stack, make_token):
    """A standard user with every CRM scope, and its client."""
    scopes = "read:clients,write:clients,read:contacts,write:contacts,read:deals,write:deals,read:leads,write:leads,read:quotes,write:quotes"
    token, _, user = make_token(scopes)
    with stack.client(token) as c:
        yield c, user


def wait_for(probe, timeout: float = 5.0):
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.1)


class TestClients:
    def test_scoped_token_manages_a_client_end_to_end(self, stack, make_token):
        token, _, _ = make_token(CLIENT_SCOPES)
        with stack.client(token) as c:
            name = unique("Acme")
            r = c.post("/api/v1/clients", json={"name": name, "email": "a@acme.example", "default_hourly_rate": 90})
            assert r.status_code == 201, r.text
            client = r.json()["client"]
            assert client["default_hourly_rate"] == 90.0 and client["is_active"] is True
            assert r.headers["x-ratelimit-limit"]

            assert c.get(f"/api/v1/clients/{client['id']}").json()["client"]["name"] == name
            listed = c.get("/api/v1/clients", params={"per_page": 100}).json()
            assert [x["id"] for x in listed["clients"]] == [client["id"]]
            assert listed["pagination"]["has_next"] is False

            r = c.patch(f"/api/v1/clients/{client['id']}", json={"status": "inactive"})
            assert r.status_code == 200 and r.json()["client"]["is_active"] is False
            r = c.put(f"/api/v1/clients/{client['id']}", json={"phone": "555"})
            assert r.json()["client"]["phone"] == "555" and r.json()["client"]["status"] == "inactive"

            assert c.delete(f"/api/v1/clients/{client['id']}").json() == {"message": "Client deleted successfully"}
            r = c.get(f"/api/v1/clients/{client['id']}")
            assert r.status_code == 404 and r.json()["error_code"] == "not_found"

    def test_bad_input_gets_the_spec_error_and_changes_nothing(self, stack, make_token):
        token, _, _ = make_token(CLIENT_SCOPES)
        with stack.client(token) as c:
            r = c.post("/api/v1/clients", json={"name": "  "})
            assert r.status_code == 400
            assert r.json() == {
                "success": False,
                "error": "Validation failed",
                "message": "Client name is required",
                "error_code": "validation_error",
                "errors": {"name": ["Client name is required"]},
            }
            r = c.post("/api/v1/clients", json={"name": "Rate", "default_hourly_rate": "lots"})
            assert r.status_code == 400 and "default_hourly_rate" in r.json()["errors"]
            r = c.post("/api/v1/clients", content=b"{not json", headers={"Content-Type": "application/json"})
            assert r.status_code == 400 and r.json()["error_code"] == "bad_request"
            assert c.get("/api/v1/clients").json()["clients"] == []

    def test_duplicate_name_across_users(self, stack, make_token):
        name = unique("Shared")
        first, _, _ = make_token(CLIENT_SCOPES)
        second, _, _ = make_token(CLIENT_SCOPES)
        with stack.client(first) as a, stack.client(second) as b:
            assert a.post("/api/v1/clients", json={"name": name}).status_code == 201
            r = b.post("/api/v1/clients", json={"name": name})
            assert r.status_code == 400 and r.json()["error_code"] == "duplicate_client"

    def test_standard_users_see_only_their_clients_and_managers_see_all(self, stack, make_token, make_user):
        owner_token, _, _ = make_token(CLIENT_SCOPES)
        other_token, _, _ = make_token(CLIENT_SCOPES)
        manager_token, _, _ = make_token(CLIENT_SCOPES, user=make_user(role="manager"))
        with stack.client(owner_token) as owner, stack.client(other_token) as other:
            client = owner.post("/api/v1/clients", json={"name": unique("Private")}).json()["client"]
            r = other.get(f"/api/v1/clients/{client['id']}")
            assert r.status_code == 403 and r.json()["message"] == "You do not have access to this client"
            assert other.patch(f"/api/v1/clients/{client['id']}", json={"phone": "1"}).status_code == 403
            assert client["id"] not in [x["id"] for x in other.get("/api/v1/clients").json()["clients"]]
        with stack.client(manager_token) as manager:
            assert manager.get(f"/api/v1/clients/{client['id']}").status_code == 200

    def test_scopes_are_enforced_by_the_gateway(self, stack, make_token):
        token, _, _ = make_token("read:clients")
        with stack.client(token) as c:
            r = c.post("/api/v1/clients", json={"name": "Nope"})
            assert r.status_code == 403
            assert r.json()["required_scope"] == "write:clients"
            assert r.json()["available_scopes"] == ["read:clients"]
        token, _, _ = make_token("read:projects")
        with stack.client(token) as c:
            assert c.get("/api/v1/clients").status_code == 403

    def test_created_client_event_arrives_once_with_the_full_state(self, stack, make_token):
        token, _, user = make_token(CLIENT_SCOPES)
        name = unique("Evented")

        async def scenario() -> list[dict]:
            nc = await nats.connect(stack.env["TT_NATS_URL"])
            received: list[dict] = []

            async def on_message(msg) -> None:
                payload = json.loads(msg.data)
                if payload["data"].get("name") == name:
                    received.append(payload)

            await nc.subscribe("tt.crm.client.created", cb=on_message)
            await nc.flush()
            with stack.client(token) as c:
                r = await asyncio.to_thread(c.post, "/api/v1/clients", json={"name": name, "company": "Evented Ltd"})
            assert r.status_code == 201
            deadline = time.monotonic() + 5
            while not received and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            await asyncio.sleep(1.0)  # a duplicate publish would arrive within this window
            await nc.close()
            return received

        [event] = asyncio.run(scenario())
        assert event["type"] == "tt.crm.client.created"
        assert event["source"] == "crm"
        assert event["actor"]["user_id"] == user["id"]
        data = event["data"]
        assert data["company"] == "Evented Ltd" and data["status"] == "active" and data["created_by"] == user["id"]
        assert set(data) >= {"id", "name", "status", "is_active", "created_at", "updated_at", "custom_fields"}
        assert event["entity_id"] == str(data["id"])
