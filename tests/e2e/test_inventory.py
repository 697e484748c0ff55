"""The inventory service through the gateway: stock is received, moved, transferred and reported
as the spec shows; the scope aliases and the module switch hold; no race oversells a unit."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
from conftest import gateway_env

INVENTORY_SCOPES = "read:inventory,write:inventory"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}".upper()


@pytest.fixture
def keeper(stack, make_token):
    """A standard user with the inventory scopes."""
    token, _, user = make_token(INVENTORY_SCOPES)
    with stack.client(token) as c:
        yield c, user


def new_warehouse(c, name: str = "Main") -> dict:
    r = c.post("/api/v1/inventory/warehouses", json={"name": name, "code": unique("WH")})
    assert r.status_code == 201, r.text
    return r.json()["warehouse"]


def new_item(c, **fields) -> dict:
    body = {"sku": unique("sku"), "name": f"Widget {uuid.uuid4().hex[:6]}", **fields}
    r = c.post("/api/v1/inventory/items", json=body)
    assert r.status_code == 201, r.text
    return r.json()["item"]


def move(c, item: dict, warehouse: dict, quantity, movement_type: str = "purchase", **fields) -> httpx.Response:
    body = {"movement_type": movement_type, "stock_item_id": item["id"], "warehouse_id": warehouse["id"],
            "quantity": quantity, **fields}  # fmt: skip
    return c.post("/api/v1/inventory/movements", json=body)


def on_hand(c, item: dict, warehouse: dict) -> float | None:
    rows = c.get(f"/api/v1/inventory/items/{item['id']}/availability").json()["availability"]
    return next((row["quantity_on_hand"] for row in rows if row["warehouse_id"] == warehouse["id"]), None)


def test_stock_is_received_transferred_and_valued_as_the_spec_shows(keeper):
    c, user = keeper
    main, spare = new_warehouse(c, "Main"), new_warehouse(c, "Spare")
    item = new_item(c, category="Hardware", default_cost=5, reorder_point=20, reorder_quantity=50)
    assert item["created_by"] == user["id"] and item["total_quantity_on_hand"] is None

    r = move(c, item, main, 10, unit_cost=8)
    assert r.status_code == 201, r.text
    assert r.json()["message"] == "Stock movement recorded successfully"
    assert r.json()["movement"]["quantity"] == 10.0 and r.json()["updated_stock"]["quantity_on_hand"] == 10.0

    valuation = c.get("/api/v1/inventory/reports/valuation", params={"category": "Hardware"}).json()
    mine = [d for d in valuation["item_details"] if d["item_id"] == item["id"]]
    assert mine == [
        {"item_id": item["id"], "sku": item["sku"], "name": item["name"], "category": "Hardware",
         "warehouse_id": main["id"], "warehouse_name": "Main", "quantity": 10.0, "cost": 8.0, "value": 80.0,
         "currency": "EUR"}
    ]  # fmt: skip
    assert valuation["by_warehouse"][f"Main ({main['code']})"]["value"] == 80.0

    body = {"stock_item_id": item["id"], "from_warehouse_id": main["id"], "to_warehouse_id": spare["id"],
            "quantity": 4, "notes": " "}  # fmt: skip
    r = c.post("/api/v1/inventory/transfers", json=body)
    assert r.status_code == 201, r.text
    transfer = r.json()
    out, into = (t["movement"] for t in transfer["transfers"])
    assert (out["quantity"], into["quantity"]) == (-4.0, 4.0)
    assert out["reason"] == f"Transfer from {main['code']} to {spare['code']}"
    assert out["reference_id"] == into["reference_id"] == transfer["reference_id"]
    assert (on_hand(c, item, main), on_hand(c, item, spare)) == (6.0, 4.0)

    got = c.get(f"/api/v1/inventory/transfers/{transfer['reference_id']}").json()["transfer"]
    assert (got["from_warehouse_id"], got["to_warehouse_id"], got["quantity"], got["notes"]) == (
        main["id"], spare["id"], 4.0, None)  # fmt: skip
    assert [m["id"] for m in got["movements"]] == [out["id"], into["id"]]

    # The value travelled with the goods: 6 and 4 units, both still at 8.00.
    valuation = c.get("/api/v1/inventory/reports/valuation", params={"category": "Hardware"}).json()
    values = {d["warehouse_id"]: (d["quantity"], d["value"]) for d in valuation["item_details"]
              if d["item_id"] == item["id"]}  # fmt: skip
    assert values == {main["id"]: (6.0, 48.0), spare["id"]: (4.0, 32.0)}

    low = c.get("/api/v1/inventory/reports/low-stock").json()["items"]
    shortfalls = {row["warehouse_id"]: row["shortfall"] for row in low if row["item_id"] == item["id"]}
    assert shortfalls == {main["id"]: 14.0, spare["id"]: 16.0}
    assert c.get(f"/api/v1/inventory/items/{item['id']}").json()["item"]["is_low_stock"] is True

    history = c.get("/api/v1/inventory/reports/movement-history", params={"stock_item_id": item["id"]}).json()
    assert history["total_movements"] == 3 and "pagination" not in history
    assert sorted(row["quantity"] for row in history["movements"]) == [-4.0, 4.0, 10.0]


def test_selling_more_than_is_there_is_refused_and_changes_nothing(keeper):
    c, _ = keeper
    warehouse, item = new_warehouse(c), new_item(c)
    assert move(c, item, warehouse, 3).status_code == 201
    r = move(c, item, warehouse, -5, "sale")
    assert r.status_code == 400 and r.json()["error_code"] == "insufficient_stock", r.text
    assert on_hand(c, item, warehouse) == 3.0
    history = c.get("/api/v1/inventory/reports/movement-history", params={"stock_item_id": item["id"]}).json()
    assert history["total_movements"] == 1


def test_bad_input_gets_the_standard_error_and_changes_nothing(keeper):
    c, _ = keeper
    warehouse = new_warehouse(c)
    r = c.post("/api/v1/inventory/items", json={"name": "No sku"})
    assert r.status_code == 400 and r.json()["error_code"] == "validation_error"
    assert "sku" in r.json()["message"]
    r = c.post("/api/v1/inventory/warehouses", json={"name": "Twin", "code": warehouse["code"]})
    assert r.status_code == 409 and r.json()["error_code"] == "conflict"
    r = c.post("/api/v1/inventory/movements", json={"stock_item_id": "x", "warehouse_id": warehouse["id"],
                                                    "quantity": 1})  # fmt: skip
    assert r.status_code == 400 and r.json()["error_code"] == "validation_error"
    r = c.post("/api/v1/inventory/transfers", json={"stock_item_id": 1})
    assert r.status_code == 400 and set(r.json()["errors"]) == {"from_warehouse_id", "to_warehouse_id", "quantity"}
    r = c.get("/api/v1/inventory/reports/turnover", params={"start_date": "not-a-date", "item_id": "x"})
    assert r.status_code == 200 and "items" in r.json()


def test_the_projects_scopes_are_an_alias_and_inventory_scopes_reach_nothing_else(stack, make_token):
    read_inventory, _, _ = make_token("read:inventory")
    read_projects, _, _ = make_token("read:projects")
    with stack.client(read_inventory) as c:
        assert c.get("/api/v1/inventory/items").status_code == 200
        assert c.get("/api/v1/projects").status_code == 403
        r = c.post("/api/v1/inventory/items", json={"sku": unique("s"), "name": "Refused"})
        assert r.status_code == 403, r.text
        assert r.json()["required_scope"] == "write:inventory, write:projects"
    with stack.client(read_projects) as c:
        assert c.get("/api/v1/inventory/warehouses").status_code == 200
        r = c.get("/api/v1/inventory/nope")
        assert r.status_code == 404


def test_a_switched_off_module_answers_module_disabled_after_the_scope_check(
    stack, auth_env, service_process, make_token
):
    """An auth service with `inventory` switched off, on the same users and tokens."""
    auth = service_process("auth.main:create_app", {**auth_env, "TT_DISABLED_MODULES": "inventory"})
    gateway = service_process(
        "gateway.main:create_app", gateway_env(auth_env, auth.url, TT_INVENTORY_URL=stack.inventory_url)
    )
    token, _, _ = make_token(INVENTORY_SCOPES)
    no_scope, _, _ = make_token("read:clients")
    with stack.client(token, base=gateway.url) as c:
        for path in ("/api/v1/inventory/items", "/api/v1/inventory/reports/valuation", "/api/v1/inventory/transfers"):
            r = c.get(path)
            assert r.status_code == 403 and r.json()["error"] == "module_disabled", r.text
    with stack.client(no_scope, base=gateway.url) as c:
        r = c.get("/api/v1/inventory/items")
        assert r.status_code == 403 and r.json()["error_code"] != "module_disabled"


async def _transfer_all_at_once(base: str, token: str, bodies: list[dict]) -> list[httpx.Response]:
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as c:
        return await asyncio.gather(*(c.post("/api/v1/inventory/transfers", json=b) for b in bodies))


def test_fifty_concurrent_transfers_never_oversell_one_stock_level(stack, make_token):
    token, _, _ = make_token(INVENTORY_SCOPES)
    with stack.client(token) as c:
        source, first, second = new_warehouse(c, "Source"), new_warehouse(c, "A"), new_warehouse(c, "B")
        item = new_item(c, default_cost=2)
        assert move(c, item, source, 30, unit_cost=3).status_code == 201
        # 50 transfers of 1 unit each, to two destinations (both lock orders), for 30 units.
        destinations = [(first if n % 2 else second)["id"] for n in range(50)]
        bodies = [{"stock_item_id": item["id"], "from_warehouse_id": source["id"], "to_warehouse_id": to,
                   "quantity": 1} for to in destinations]  # fmt: skip
        answers = asyncio.run(_transfer_all_at_once(stack.gateway_url, token, bodies))
        codes = sorted(r.status_code for r in answers)
        assert codes == [201] * 30 + [400] * 20, [r.text for r in answers if r.status_code not in (201, 400)]
        assert all(r.json()["error_code"] == "insufficient_stock" for r in answers if r.status_code == 400)
        assert on_hand(c, item, source) == 0.0
        assert on_hand(c, item, first) + on_hand(c, item, second) == 30.0
        # Every unit kept its value: 30 × 3.00 across the two destinations, none left behind.
        valuation = c.get("/api/v1/inventory/reports/valuation").json()
        mine = [d for d in valuation["item_details"] if d["item_id"] == item["id"]]
        assert sum(d["quantity"] for d in mine) == 30.0 and sum(d["value"] for d in mine) == 90.0
        listed = c.get("/api/v1/inventory/transfers", params={"per_page": 100}).json()
        references = {r.json()["reference_id"] for r in answers if r.status_code == 201}
        assert len(references) == 30 and references <= {t["reference_id"] for t in listed["transfers"]}


def test_concurrent_sales_and_a_transfer_from_one_level_stay_exact(stack, make_token):
    token, _, _ = make_token(INVENTORY_SCOPES)
    with stack.client(token) as c:
        source, other = new_warehouse(c), new_warehouse(c)
        item = new_item(c)
        assert move(c, item, source, 10, unit_cost=1).status_code == 201

    async def fire() -> list[httpx.Response]:
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(base_url=stack.gateway_url, headers=headers, timeout=30) as ac:
            sales = [ac.post("/api/v1/inventory/movements", json={"movement_type": "sale", "stock_item_id": item["id"],
                                                                    "warehouse_id": source["id"], "quantity": -1})
                     for _ in range(12)]  # fmt: skip
            transfers = [ac.post("/api/v1/inventory/transfers", json={"stock_item_id": item["id"], "quantity": 1,
                                                                       "from_warehouse_id": source["id"],
                                                                       "to_warehouse_id": other["id"]})
                         for _ in range(6)]  # fmt: skip
            return await asyncio.gather(*sales, *transfers)

    answers = asyncio.run(fire())
    sold = sum(1 for r in answers[:12] if r.status_code == 201)
    moved = sum(1 for r in answers[12:] if r.status_code == 201)
    assert sold + moved == 10 and all(r.status_code in (201, 400) for r in answers)
    with stack.client(token) as c:
        assert on_hand(c, item, source) == 0.0
        assert (on_hand(c, item, other) or 0.0) == float(moved)
