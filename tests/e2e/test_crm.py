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
    resources = ("clients", "contacts", "deals", "leads", "quotes")
    token, _, user = make_token(",".join(f"{verb}:{r}" for r in resources for verb in ("read", "write")))
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


class TestNotesAndContacts:
    def test_notes_carry_the_author_from_the_user_replica(self, crm_user, admin):
        c, user = crm_user
        client = c.post("/api/v1/clients", json={"name": unique("Noted")}).json()["client"]
        r = c.post(
            f"/api/v1/clients/{client['id']}/notes", json={"content": "  Call back Monday ", "is_important": True}
        )
        assert r.status_code == 201 and r.json()["message"] == "Client note created successfully"
        note = r.json()["note"]
        assert (note["content"], note["client_name"], note["is_important"]) == (
            "Call back Monday",
            client["name"],
            True,
        )
        fetched = wait_for(lambda: (n := c.get(f"/api/v1/client-notes/{note['id']}").json()["note"])["author"] and n)
        assert fetched["author"] == user["username"] and fetched["author_name"] == user["username"]

        listed = c.get(f"/api/v1/clients/{client['id']}/notes").json()
        assert [n["id"] for n in listed["notes"]] == [note["id"]] and listed["pagination"]["total"] == 1
        r = admin.patch(f"/api/v1/client-notes/{note['id']}", json={"content": "edited by admin"})
        assert r.status_code == 200
        r = c.post(f"/api/v1/clients/{client['id']}/notes", json={"content": " "})
        assert r.status_code == 400 and r.json()["errors"] == {"content": ["content is required"]}
        assert c.delete(f"/api/v1/client-notes/{note['id']}").json()["message"] == "Client note deleted successfully"

    def test_contact_lifecycle_with_the_mobile_name_field(self, crm_user):
        c, _ = crm_user
        client = c.post("/api/v1/clients", json={"name": unique("Contacted")}).json()["client"]
        base = f"/api/v1/clients/{client['id']}/contacts"
        r = c.post(
            base, json={"name": "Ada Lovelace", "email": "ada@example.com", "is_primary": True, "tags": "vip, math"}
        )
        assert r.status_code == 201, r.text
        ada = r.json()["contact"]
        assert (ada["first_name"], ada["last_name"], ada["full_name"]) == ("Ada", "Lovelace", "Ada Lovelace")
        assert ada["tags"] == ["vip", "math"] and ada["is_primary"] is True
        grace = c.post(base, json={"first_name": "Grace", "last_name": "Hopper", "is_primary": True}).json()["contact"]
        assert c.get(f"/api/v1/contacts/{ada['id']}").json()["contact"]["is_primary"] is False
        assert [x["id"] for x in c.get(base).json()["contacts"]] == [grace["id"], ada["id"]]

        r = c.patch(f"/api/v1/contacts/{ada['id']}", json={"title": "Countess", "email": None})
        assert r.json()["contact"]["display_name"] == "Ada Lovelace - Countess"
        assert r.json()["contact"]["email"] == "ada@example.com"  # null is ignored on update
        r = c.post(base, json={"first_name": "No"})
        assert r.status_code == 400 and r.json()["error_code"] == "validation_error"
        assert c.delete(f"/api/v1/contacts/{ada['id']}").status_code == 200
        assert [x["id"] for x in c.get(base).json()["contacts"]] == [grace["id"]]
        assert c.get(f"/api/v1/contacts/{ada['id']}").json()["contact"]["is_active"] is False
        assert c.get("/api/v1/contacts/999999999").status_code == 404


class TestDealsAndLeads:
    def test_desktop_deal_with_amount_and_owner_rules(self, crm_user, make_token, stack):
        c, user = crm_user
        client = c.post("/api/v1/clients", json={"name": unique("Dealt")}).json()["client"]
        r = c.post(
            "/api/v1/deals",
            json={"name": "Big one", "amount": "1200.50", "probability": 25, "client_id": str(client["id"])},
        )
        assert r.status_code == 201, r.text
        deal = r.json()["deal"]
        assert (deal["value"], deal["weighted_value"], deal["owner_id"]) == (1200.5, 300.13, user["id"])
        assert deal["stage"] == "prospecting" and deal["is_open"] is True

        other_token, _, _ = make_token("read:deals,write:deals")
        with stack.client(other_token) as other:
            assert other.get(f"/api/v1/deals/{deal['id']}").status_code == 403
            assert deal["id"] in [d["id"] for d in other.get("/api/v1/deals", params={"per_page": 100}).json()["deals"]]
            assert other.get("/api/v1/deals", params={"owner": user["id"]}).json()["deals"] == []
        r = c.patch(f"/api/v1/deals/{deal['id']}", json={"status": "won", "value": "n/a"})
        assert r.json()["deal"]["is_won"] is True and r.json()["deal"]["value"] == 1200.5
        assert deal["id"] not in [d["id"] for d in c.get("/api/v1/deals").json()["deals"]]  # default: open only
        assert deal["id"] in [d["id"] for d in c.get("/api/v1/deals", params={"status": "all"}).json()["deals"]]
        r = c.post("/api/v1/deals", json={"name": "x", "client_id": 999999999})
        assert r.status_code == 400 and "client_id" in r.json()["errors"]
        assert c.delete(f"/api/v1/deals/{deal['id']}").json()["message"] == "Deal deleted successfully"

    def test_lead_search_and_default_status_filter(self, crm_user):
        c, _ = crm_user
        tag = uuid.uuid4().hex[:6]
        r = c.post(
            "/api/v1/leads", json={"first_name": "Lin", "last_name": f"Q{tag}", "company_name": "Qux", "score": 80}
        )
        assert r.status_code == 201
        lead = r.json()["lead"]
        assert lead["display_name"] == f"Lin Q{tag} (Qux)" and lead["status"] == "new"
        found = c.get("/api/v1/leads", params={"search": f"q{tag}"}).json()
        assert [x["id"] for x in found["leads"]] == [lead["id"]]
        c.patch(f"/api/v1/leads/{lead['id']}", json={"status": "lost"})
        assert c.get("/api/v1/leads", params={"search": f"q{tag}"}).json()["leads"] == []
        assert c.get("/api/v1/leads", params={"search": f"q{tag}", "status": "lost"}).json()["pagination"]["total"] == 1
        r = c.post("/api/v1/leads", json={"first_name": "Only", "score": "high"})
        assert r.status_code == 400 and r.json()["error_code"] == "validation_error"


class TestQuotes:
    def test_quote_totals_numbering_and_visibility(self, crm_user, make_token, stack):
        c, user = crm_user
        client = c.post("/api/v1/clients", json={"name": unique("Quoted")}).json()["client"]
        body = {
            "client_id": client["id"],
            "title": " Website ",
            "tax_rate": 20,
            "items": [
                {"description": "Design", "quantity": 3, "unit_price": "10.005", "unit": "hours"},
                {"line_kind": "expense", "display_name": "Travel", "quantity": 1, "unit_price": 15.01},
            ],
            "total_amount": 1,
        }
        r = c.post("/api/v1/quotes", json=body)
        assert r.status_code == 201, r.text
        quote = r.json()["quote"]
        assert quote["title"] == "Website" and quote["status"] == "draft" and quote["created_by"] == user["id"]
        assert [i["total_amount"] for i in quote["items"]] == [30.03, 15.01]
        assert (quote["subtotal"], quote["tax_amount"], quote["total_amount"]) == (45.04, 9.01, 54.05)
        assert quote["quote_number"].startswith("QUO-") and quote["quote_number"].endswith(tuple("0123456789"))
        second = c.post("/api/v1/quotes", json={"client_id": client["id"], "title": "Again"}).json()["quote"]
        assert second["quote_number"] != quote["quote_number"]

        r = c.patch(
            f"/api/v1/quotes/{quote['id']}", json={"status": "sent", "items": [{"quantity": 2, "unit_price": 5}]}
        )
        assert r.status_code == 200
        assert (r.json()["quote"]["is_sent"], r.json()["quote"]["total_amount"]) == (True, 12.0)
        other_token, _, _ = make_token("read:quotes,write:quotes")
        with stack.client(other_token) as other:
            assert other.get(f"/api/v1/quotes/{quote['id']}").status_code == 404
            assert quote["id"] not in [q["id"] for q in other.get("/api/v1/quotes").json()["quotes"]]
        r = c.post("/api/v1/quotes", json={"client_id": 999999999, "title": "Nobody"})
        assert r.status_code == 400 and r.json()["error_code"] == "invalid_client"
        r = c.post("/api/v1/quotes", json={"title": "No client"})
        assert r.status_code == 400 and r.json()["error_code"] == "validation_error"
        assert c.delete(f"/api/v1/quotes/{second['id']}").json()["message"] == "Quote deleted successfully"
