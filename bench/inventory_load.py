"""Inventory figures for `make bench`, through the gateway with an admin token:

- `POST /api/v1/inventory/movements` at 1 and 16 connections (purchases and sales over 50 items,
  so sales consume lots oldest first);
- the valuation, turnover and movement-history reports with ROWS movements in the ledger, p50/p95
  at one connection.

The ledger is seeded in bulk by PostgreSQL (the API would take minutes), with everything the
movement path keeps current beside it: each purchase's lot (unit quantities, consumed oldest
first by the sales), the stock rows with their lot aggregates, and the per-day turnover buckets.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

ROWS = int(os.environ.get("TT_BENCH_INVENTORY_ROWS", "100000"))
ITEMS = 100
WAREHOUSES = 2
LOAD_ITEMS = 50

# Purchases of 2 units and sales of 1 alternate per item (on top of an opening stock), so sales
# consume lots oldest first.
MOVEMENTS_LUA = """
counter = 0
request = function()
  counter = counter + 1
  local item = ITEMS[math.floor(counter / 2) % #ITEMS + 1]
  local body
  if counter % 2 == 1 then
    body = string.format('{"movement_type": "purchase", "stock_item_id": %d, "warehouse_id": %d, '
      .. '"quantity": 2, "unit_cost": 3.5}', item, WAREHOUSE)
  else
    body = string.format('{"movement_type": "sale", "stock_item_id": %d, "warehouse_id": %d, "quantity": -1}',
      item, WAREHOUSE)
  end
  return wrk.format("POST", "/api/v1/inventory/movements", json_headers(), body)
end
"""


def lua_file(source: str, prelude: str) -> str:
    from tracking_load import JSON_HEADERS_LUA, REPORT_LUA

    path = Path(tempfile.mkdtemp(prefix="tt-bench-lua-")) / "script.lua"
    path.write_text(f"{prelude}\n{JSON_HEADERS_LUA}\n{source}\n{REPORT_LUA}")
    return str(path)


def _created(c: httpx.Client, path: str, body: dict, key: str) -> dict:
    r = c.post(path, json=body)
    if r.status_code != 201:
        raise SystemExit(f"POST {path} answered {r.status_code}: {r.text}")
    return r.json()[key]


def seed(db_url: str, admin_id: int) -> None:
    """ROWS movements over the last 300 days on ITEMS items × WAREHOUSES warehouses: per stock
    row, three purchases of one unit (cost 1–7) then a sale of two, repeated."""
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO warehouses (name, code, created_by) "
                "SELECT 'Seeded ' || g, 'SEED-' || g, :admin FROM generate_series(1, :n) g"
            ),
            {"admin": admin_id, "n": WAREHOUSES},
        )
        conn.execute(
            text(
                "INSERT INTO stock_items (sku, name, category, default_cost, reorder_point, created_by) "
                "SELECT 'SEED-' || g, 'Seeded item ' || g, 'Cat ' || g % 5, 2, 1000, :admin "
                "FROM generate_series(1, :n) g"
            ),
            {"admin": admin_id, "n": ITEMS},
        )
        series = ITEMS * WAREHOUSES
        conn.execute(
            text(
                """
                INSERT INTO stock_movements (movement_type, stock_item_id, warehouse_id, quantity, unit_cost,
                                             reference_type, moved_by, moved_at, stock_change)
                SELECT CASE WHEN k % 4 = 3 THEN 'sale' ELSE 'purchase' END, i.id, w.id,
                       CASE WHEN k % 4 = 3 THEN -2 ELSE 1 END, CASE WHEN k % 4 = 3 THEN NULL ELSE 1 + k % 7 END,
                       'manual', :admin, now() - interval '300 days' + make_interval(secs => g * (25920000.0 / :rows)),
                       CASE WHEN k % 4 = 3 THEN -2 ELSE 1 END
                FROM generate_series(0, :rows - 1) g,
                     LATERAL (SELECT g / :series AS k, g % :series AS s) x
                JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM stock_items WHERE sku LIKE 'SEED-%') i
                  ON i.n = x.s / :warehouses
                JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM warehouses WHERE code LIKE 'SEED-%') w
                  ON w.n = x.s % :warehouses
                """
            ),
            {"admin": admin_id, "rows": ROWS, "series": series, "warehouses": WAREHOUSES},
        )
        # Lots: one per purchase; the sales consumed the oldest ones (each lot holds one unit).
        conn.execute(
            text(
                """
                WITH seeded AS (SELECT id FROM stock_items WHERE sku LIKE 'SEED-%')
                INSERT INTO stock_lots (stock_item_id, warehouse_id, lot_type, unit_cost, quantity,
                                        source_movement_id, created_at)
                SELECT p.stock_item_id, p.warehouse_id, 'normal', p.unit_cost,
                       CASE WHEN p.age <= sold.units THEN 0 ELSE 1 END, p.id, p.moved_at
                FROM (SELECT m.*, row_number() OVER (PARTITION BY stock_item_id, warehouse_id
                                                     ORDER BY moved_at, id) AS age
                      FROM stock_movements m
                      WHERE movement_type = 'purchase' AND stock_item_id IN (SELECT id FROM seeded)) p
                JOIN (SELECT stock_item_id, warehouse_id, -sum(quantity) FILTER (WHERE quantity < 0) AS units
                      FROM stock_movements WHERE stock_item_id IN (SELECT id FROM seeded) GROUP BY 1, 2) sold
                  USING (stock_item_id, warehouse_id)
                """
            )
        )
        conn.execute(
            text(
                """
                INSERT INTO warehouse_stock (warehouse_id, stock_item_id, quantity_on_hand, lot_quantity, lot_value)
                SELECT warehouse_id, stock_item_id, sum(quantity), sum(quantity), sum(quantity * unit_cost)
                FROM stock_lots WHERE stock_item_id IN (SELECT id FROM stock_items WHERE sku LIKE 'SEED-%')
                GROUP BY 1, 2
                """
            )
        )
        conn.execute(
            text(
                """
                INSERT INTO turnover_days (stock_item_id, day, quantity_sold, sales, stock_change)
                SELECT stock_item_id, (moved_at AT TIME ZONE 'UTC')::date,
                       coalesce(-sum(quantity) FILTER (WHERE movement_type = 'sale'), 0),
                       count(*) FILTER (WHERE movement_type = 'sale'), sum(stock_change)
                FROM stock_movements WHERE stock_item_id IN (SELECT id FROM stock_items WHERE sku LIKE 'SEED-%')
                GROUP BY 1, 2
                """
            )
        )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE stock_movements, stock_lots, warehouse_stock, turnover_days"))
    engine.dispose()


def run(wrk, wrk_bin: str, base: str, headers: dict[str, str], db_url: str, *, admin_id: int, seconds: int,
        p95_lua: str):  # fmt: skip
    """Seed, then measure; returns rows of (label, connections, figures)."""
    rows = []
    with httpx.Client(base_url=base, headers=headers, timeout=30) as c:
        warehouse = _created(c, "/api/v1/inventory/warehouses", {"name": "Load", "code": "LOAD-1"}, "warehouse")
        items = [
            _created(c, "/api/v1/inventory/items", {"sku": f"LOAD-{uuid.uuid4().hex[:8]}", "name": f"Load {n}"}, "item")
            for n in range(LOAD_ITEMS)
        ]
        # Opening stock: with 16 connections a sale may overtake the purchase sent before it.
        for item in items:
            body = {"movement_type": "purchase", "stock_item_id": item["id"], "warehouse_id": warehouse["id"],
                    "quantity": 100000, "unit_cost": 3}  # fmt: skip
            _created(c, "/api/v1/inventory/movements", body, "movement")
    prelude = f"WAREHOUSE = {warehouse['id']}\nITEMS = {{{', '.join(str(i['id']) for i in items)}}}"
    script = lua_file(MOVEMENTS_LUA, prelude)
    for connections in (16, 1):
        fig = wrk(wrk_bin, base + "/api/v1/inventory/movements", headers, seconds=seconds, connections=connections,
                  script=script)  # fmt: skip
        rows.append(("POST inventory/movements (purchase / sale)", connections, fig))

    print(f"seeding {ROWS:,} inventory movements …", flush=True)
    seed(db_url, admin_id)
    for label, path in (
        ("GET reports/valuation", "/api/v1/inventory/reports/valuation"),
        ("GET reports/turnover (default year, every item)", "/api/v1/inventory/reports/turnover"),
        ("GET reports/movement-history, first page", "/api/v1/inventory/reports/movement-history?page=1&per_page=50"),
        ("GET reports/low-stock", "/api/v1/inventory/reports/low-stock"),
    ):
        probe = httpx.get(base + path, headers=headers, timeout=60)
        if probe.status_code != 200:
            raise SystemExit(f"{path} answered {probe.status_code}: {probe.text}")
        fig = wrk(wrk_bin, base + path, headers, seconds=seconds, connections=1, extra_lua=p95_lua)
        rows.append((label, 1, fig))
    return rows
