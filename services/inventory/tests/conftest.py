"""Inventory service test fixtures: a migrated scratch database on the real PostgreSQL server,
one rolled-back transaction per test (requests included) — from `shared.testing.service` — and
identities signed like the gateway's.

History at chosen instants is written through the same service functions the endpoints call
(`record` / `transfer` below pass `moved_at`), so stock rows, lots, valuation aggregates and
turnover buckets come out exactly as a request would leave them."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from inventory.main import create_app
from inventory.models import StockItem, Warehouse, outbox
from inventory.movements import service as movements
from inventory.movements.schemas import MovementCreate
from inventory.settings import InventorySettings
from inventory.transfers import service as transfers
from inventory.transfers.schemas import TransferCreate
from shared.identity import Identity
from shared.testing.service import ServiceUnderTest

SERVICE_DIR = Path(__file__).resolve().parents[1]


@pytest.fixture
def service_under_test() -> ServiceUnderTest:
    return ServiceUnderTest("inventory", SERVICE_DIR, InventorySettings, create_app, outbox)


@pytest.fixture
def headers(headers_for, user_id) -> dict[str, str]:
    """A standard user with the least-privilege inventory scopes."""
    return headers_for(user_id, "read:inventory", "write:inventory")


@pytest.fixture
def actor(user_id) -> Identity:
    return Identity(user_id=user_id, username=f"user{user_id}", scopes=("write:inventory",))


@pytest.fixture
def make_warehouse(session, user_id):
    """`make_warehouse(code=..., name=...)`: a warehouse row, flushed."""

    def make(**overrides: Any) -> Warehouse:
        fields: dict[str, Any] = {"name": "Main", "code": f"WH-{uuid.uuid4().hex[:6].upper()}", "created_by": user_id}
        fields.update(overrides)
        warehouse = Warehouse(**fields)
        session.add(warehouse)
        session.flush()
        return warehouse

    return make


@pytest.fixture
def make_item(session, user_id):
    """`make_item(default_cost=Decimal("8"), ...)`: a stock item row, flushed."""

    def make(**overrides: Any) -> StockItem:
        fields: dict[str, Any] = {"sku": f"SKU-{uuid.uuid4().hex[:8].upper()}", "name": "Widget", "created_by": user_id}
        fields.update(
            {
                k: Decimal(str(v)) if isinstance(v, int | float) and not isinstance(v, bool) else v
                for k, v in overrides.items()
            }
        )
        item = StockItem(**fields)
        session.add(item)
        session.flush()
        return item

    return make


@pytest.fixture
def record(session, actor):
    """`record(item, warehouse, "purchase", 10, unit_cost=8, moved_at=...)`: one movement through
    the endpoint's service function; returns its response body."""

    def post(
        item: StockItem, warehouse: Warehouse, movement_type: str, quantity: Any, *, moved_at: datetime | None = None,
        **fields: Any,
    ) -> dict[str, Any]:  # fmt: skip
        body = MovementCreate(
            movement_type=movement_type, stock_item_id=item.id, warehouse_id=warehouse.id, quantity=quantity, **fields
        )
        result = movements.record_movement(session, body, actor=actor, moved_at=moved_at)
        session.flush()
        return result

    return post


@pytest.fixture
def transfer(session, actor):
    """`transfer(item, source, destination, 4, moved_at=...)` through the endpoint's service function."""

    def post(item: StockItem, source: Warehouse, destination: Warehouse, quantity: Any, **fields: Any) -> dict:
        moved_at = fields.pop("moved_at", None)
        body = TransferCreate(
            stock_item_id=item.id,
            from_warehouse_id=source.id,
            to_warehouse_id=destination.id,
            quantity=quantity,
            **fields,
        )
        result = transfers.create_transfer(session, body, actor=actor, moved_at=moved_at)
        session.flush()
        return result

    return post
