"""inventory.md §0 on every endpoint: read and write scopes with their `projects` aliases, the
403 body listing both alternatives, and the module switch (403 module_disabled)."""

from __future__ import annotations

import pytest

BASE = "/api/v1/inventory"
READS = [
    "/warehouses",
    "/warehouses/1",
    "/items",
    "/items/1",
    "/items/1/availability",
    "/stock-levels",
    "/transfers",
    "/transfers/1",
    "/reports/valuation",
    "/reports/movement-history",
    "/reports/turnover",
    "/reports/low-stock",
]
WRITES = [
    ("post", "/warehouses"),
    ("put", "/warehouses/1"),
    ("patch", "/warehouses/1"),
    ("delete", "/warehouses/1"),
    ("post", "/items"),
    ("put", "/items/1"),
    ("patch", "/items/1"),
    ("delete", "/items/1"),
    ("post", "/movements"),
    ("post", "/transfers"),
]
READ_SCOPES = "read:inventory, read:projects"
WRITE_SCOPES = "write:inventory, write:projects"


def call(client, method, path, headers):
    kwargs = {"json": {}} if method in ("post", "put", "patch") else {}
    return getattr(client, method)(BASE + path, headers=headers, **kwargs)


@pytest.mark.parametrize("path", READS)
class TestReads:
    def test_without_a_read_scope_the_403_lists_both_alternatives(self, client, headers_for, user_id, path):
        r = client.get(BASE + path, headers=headers_for(user_id, "write:inventory", "read:clients"))
        assert r.status_code == 403
        body = r.json()
        assert body["error_code"] == "forbidden" and body["error"] == "Insufficient permissions"
        assert body["required_scope"] == READ_SCOPES
        assert "read:inventory" in body["message"] and "read:projects" in body["message"]
        assert body["available_scopes"] == ["write:inventory", "read:clients"]

    @pytest.mark.parametrize("scope", ["read:inventory", "read:projects", "read:*", "admin:all"])
    def test_each_alternative_opens_it(self, client, headers_for, user_id, path, scope):
        assert client.get(BASE + path, headers=headers_for(user_id, scope)).status_code in (200, 404)

    def test_module_switched_off(self, client, headers_for, admin_id, path):
        headers = headers_for(admin_id, "admin:all", role="admin", modules_off=("inventory",))
        r = client.get(BASE + path, headers=headers)
        assert r.status_code == 403 and r.json()["error_code"] == "module_disabled"
        assert r.json()["error"] == "module_disabled"
        assert r.json()["message"] == "inventory module is disabled by the administrator."


@pytest.mark.parametrize(("method", "path"), WRITES)
class TestWrites:
    def test_read_scopes_do_not_write(self, client, headers_for, user_id, method, path):
        r = call(client, method, path, headers_for(user_id, "read:inventory", "read:projects"))
        assert r.status_code == 403 and r.json()["required_scope"] == WRITE_SCOPES

    @pytest.mark.parametrize("scope", ["write:inventory", "write:projects", "write:*"])
    def test_each_alternative_opens_it(self, client, headers_for, user_id, method, path, scope):
        assert call(client, method, path, headers_for(user_id, scope)).status_code in (200, 201, 400, 404)

    def test_module_switched_off(self, client, headers_for, user_id, method, path):
        r = call(client, method, path, headers_for(user_id, "write:inventory", modules_off=("inventory",)))
        assert r.status_code == 403 and r.json()["error_code"] == "module_disabled"


def test_projects_alias_drives_the_whole_flow(client, headers_for, user_id):
    headers = headers_for(user_id, "read:projects", "write:projects")
    wh = client.post(f"{BASE}/warehouses", json={"name": "Main", "code": "M"}, headers=headers).json()["warehouse"]
    item = client.post(f"{BASE}/items", json={"sku": "a", "name": "A"}, headers=headers).json()["item"]
    r = client.post(
        f"{BASE}/movements",
        json={"stock_item_id": item["id"], "warehouse_id": wh["id"], "quantity": 3},
        headers=headers,
    )
    assert r.status_code == 201
    assert client.get(f"{BASE}/reports/valuation", headers=headers).status_code == 200


def test_requests_without_the_gateway_identity_are_refused(client):
    assert client.get(f"{BASE}/items").status_code == 401


def test_openapi_publishes_both_alternatives(app):
    paths = app.openapi()["paths"]
    assert paths[f"{BASE}/items"]["get"]["x-tt-scopes"] == ["read:inventory", "read:projects"]
    assert paths[f"{BASE}/transfers"]["post"]["x-tt-scopes"] == ["write:inventory", "write:projects"]
    assert paths[f"{BASE}/transfers/{{reference_id}}"]["get"]["x-tt-auth"] == "token"
    # inventory's own routes (the shared dead-letter admin routes live beside them)
    inventory = [item for path, item in paths.items() if path.startswith(BASE)]
    operations = [op for item in inventory for op in item.values() if isinstance(op, dict) and "x-tt-auth" in op]
    assert len(operations) == len(READS) + len(WRITES)
